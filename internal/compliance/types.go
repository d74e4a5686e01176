package compliance

import (
	"encoding/json"
	"time"

	"ecoindustry/internal/auth"
)

// State is where a case stands; Transitions lists the allowed moves.
type State string

const (
	// Surveyed: opened by a campaign's survey, awaiting classification.
	Surveyed State = "surveyed"
	// Dismissed: found compliant on site; closed without a disposition.
	Dismissed State = "dismissed"
	// Rectifying: a disposition is decided and being carried out; also
	// where a failed acceptance or a confirmed relapse sends a case back.
	Rectifying State = "rectifying"
	// Accepting: passed the township's self-check, or also the lead
	// unit's review; the next level is due.
	Accepting State = "accepting"
	// Accepted: passed all three levels; awaiting 销号.
	Accepted State = "accepted"
	// ClosedOut: 销号, the case is done; 回头看 visits may follow.
	ClosedOut State = "closed_out"
	// Reopened: monitoring saw the enterprise produce again (a frame, a
	// logger connecting) after its closure; a follow-up visit decides.
	Reopened State = "reopened"
)

// States are every state, in the order a case goes through them.
var States = []State{Surveyed, Dismissed, Rectifying, Accepting, Accepted, ClosedOut, Reopened}

var stateNames = map[State][2]string{
	Surveyed:   {"surveyed", "已排查"},
	Dismissed:  {"dismissed as compliant", "已排除（核查合规）"},
	Rectifying: {"under rectification", "整治中"},
	Accepting:  {"under acceptance", "验收中"},
	Accepted:   {"accepted", "验收通过"},
	ClosedOut:  {"closed out", "已销号"},
	Reopened:   {"reopened on monitoring evidence", "复产线索待核查"},
}

// En and Zh name the state for officials.
func (s State) En() string { return stateNames[s][0] }
func (s State) Zh() string { return stateNames[s][1] }

// Disposition is what is decided for a surveyed enterprise (governance.md
// §2.2: 关停取缔 / 整合搬迁 / 整改提升 from 粤府函〔2018〕289号, 停产整改 from
// the 四无 variant).
type Disposition string

const (
	Close       Disposition = "close"        // 关停取缔
	Relocate    Disposition = "relocate"     // 整合搬迁
	Upgrade     Disposition = "upgrade"      // 整改提升
	StopRectify Disposition = "stop_rectify" // 停产整改
)

// Dispositions are every disposition, in the order reports list them.
var Dispositions = []Disposition{Close, Relocate, Upgrade, StopRectify}

var dispositionNames = map[Disposition][2]string{
	Close:       {"close down", "关停取缔"},
	Relocate:    {"relocate", "整合搬迁"},
	Upgrade:     {"upgrade", "整改提升"},
	StopRectify: {"stop and rectify", "停产整改"},
}

func (d Disposition) En() string { return dispositionNames[d][0] }
func (d Disposition) Zh() string { return dispositionNames[d][1] }

// Step is one item of a closure's "两断三清" checklist (governance.md §2.2,
// Hebei 2019 回头看: 断水, 断电, 清原料, 清设备, 清产品).
type Step string

const (
	PowerCut         Step = "power_cut"         // 断电
	WaterCut         Step = "water_cut"         // 断水
	MaterialsCleared Step = "materials_cleared" // 清原料
	EquipmentCleared Step = "equipment_cleared" // 清设备
	ProductsCleared  Step = "products_cleared"  // 清产品
)

// Steps are the five items of the checklist, in the order they are done.
var Steps = []Step{PowerCut, WaterCut, MaterialsCleared, EquipmentCleared, ProductsCleared}

var stepNames = map[Step][2]string{
	PowerCut:         {"power cut", "断电"},
	WaterCut:         {"water cut", "断水"},
	MaterialsCleared: {"raw materials cleared", "清原料"},
	EquipmentCleared: {"equipment cleared", "清设备"},
	ProductsCleared:  {"products cleared", "清产品"},
}

func (s Step) En() string { return stepNames[s][0] }
func (s Step) Zh() string { return stepNames[s][1] }

// Acceptance levels, in the order they are passed (governance.md §2.2,
// Chongqing high-tech zone: 属地镇街自查 → 牵头单位复查 → 环保督察办核查).
const (
	TownshipSelfCheck  = 1 // 属地自查
	LeadUnitReview     = 2 // 牵头单位复查
	InspectionVerifies = 3 // 督察办核查
)

var levelNames = [4][2]string{{}, {"township self-check", "属地自查"}, {"lead unit review", "牵头单位复查"}, {"inspection office verification", "督察办核查"}}

// Results of an acceptance.
const (
	Pass = "pass" // 通过
	Fail = "fail" // 不通过
)

// Campaign is a rectification campaign: what it covers, when, what it aims
// at, and how it screens.
type Campaign struct {
	ID       int64   `json:"id"`
	Name     string  `json:"name"`
	LeadUnit string  `json:"lead_unit"` // 牵头单位
	Scope    Scope   `json:"scope"`
	Start    string  `json:"start"` // YYYY-MM-DD
	End      string  `json:"end"`
	Targets  Targets `json:"targets"`
	Rules    RuleSet `json:"rules"`
	// Synthetic marks a demo campaign, never a real one.
	Synthetic bool      `json:"synthetic"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
}

// Scope is what a campaign covers. An enterprise is in scope if it is on
// the explicit list, or if it meets every area and industry condition
// given (counties, townships, industry prefixes); a scope with none of
// them and no list is the whole registry. Closed enterprises are never in
// scope.
type Scope struct {
	Counties []string `json:"counties,omitempty"` // GB/T 2260 county codes
	// Townships are GB/T 2260 township codes (9 digits) of the registry's
	// units. The registry keeps no township on an enterprise: one is in a
	// township if it is in the township's county and its address names it.
	Townships        []string `json:"townships,omitempty"`
	IndustryPrefixes []string `json:"industry_prefixes,omitempty"` // GB/T 4754-2017 code prefixes
	Enterprises      []string `json:"enterprises,omitempty"`       // USCCs
}

// Targets are a campaign's aims in percent (排查率, 处置率; Wenzhou's 四无
// action aimed at 100% and 100%, governance.md §2.2).
type Targets struct {
	SurveyRate   float64 `json:"survey_rate"`
	DisposalRate float64 `json:"disposal_rate"`
}

// Case is the rectification of one enterprise in one campaign: its own
// columns (Summary), the enterprise's name, and its record.
type Case struct {
	Summary
	Name string `json:"name"` // the enterprise's, read from the registry
	Record
}

// Summary is a case's own columns: what lists filter and statistics count.
type Summary struct {
	ID          int64       `json:"id"`
	Campaign    int64       `json:"campaign"`
	USCC        string      `json:"uscc"`
	County      string      `json:"county"`
	Township    string      `json:"township"` // "" where the address names none
	Industry    string      `json:"industry"` // GB/T 4754-2017 class when surveyed
	State       State       `json:"state"`
	Disposition Disposition `json:"disposition"`
	// Version is the case's edit count: every change carries the version
	// its author read, and a stale one is refused. It is also the seq of
	// the case's latest event.
	Version  int    `json:"version"`
	OpenedOn string `json:"opened_on"`
	Deadline string `json:"deadline"`
	// CarriedOutOn is when a closure's checklist was completed (the
	// enterprise closed) or a relocation moved.
	CarriedOutOn string `json:"carried_out_on"`
	// RectifiedOn is when the rectification's evidence was complete: the
	// last checklist date, the move, or the last item done. With OpenedOn
	// it bounds the "before" and "after" of an upgrade's monitoring data.
	RectifiedOn string `json:"rectified_on"`
	AcceptedOn  string `json:"accepted_on"` // the last third-level pass
	ClosedOutOn string `json:"closed_out_on"`
	Relapses    int    `json:"relapses"`    // relapses found (复产) by visits
	RelapsedOn  string `json:"relapsed_on"` // the last of them
	// Assignee is the user name of the inspector the case is assigned to
	// (Service.Assign), "" for none: they act on it.
	Assignee string `json:"assignee,omitempty"`
	// RelapseEvidence counts the monitoring evidence (frames, logger
	// connections) seen since the case was last reopened, the first
	// included; RelapseAt is the latest.
	RelapseEvidence int       `json:"relapse_evidence"`
	RelapseAt       time.Time `json:"relapse_at,omitzero"`
}

// Record is the body of a case, stored as one document.
type Record struct {
	// Criteria and Findings are what the screening found when the case opened.
	Criteria   []string     `json:"criteria"`
	Findings   []Finding    `json:"findings"`
	Plan       Plan         `json:"plan"`
	Dismissal  string       `json:"dismissal,omitempty"`
	Checklist  []CheckItem  `json:"checklist,omitempty"`
	Relocation *Relocation  `json:"relocation,omitempty"`
	Items      []Item       `json:"items,omitempty"`
	Round      int          `json:"round"` // acceptance round: a failure or a relapse starts the next
	Accepts    []Acceptance `json:"acceptances,omitempty"`
	CloseOut   *CloseOut    `json:"close_out,omitempty"`
	Visits     []Visit      `json:"visits,omitempty"`
	// ReopenedFrom is the state a relapse reopened the case from: a visit
	// that finds no production sends it back there.
	ReopenedFrom State `json:"reopened_from,omitempty"`
	// Suspended: this case set the enterprise suspended (停产整改), and
	// sets it operating again at 销号.
	Suspended bool `json:"suspended,omitempty"`
}

// Plan is the disposition decided and who carries it out by when (the
// dynamic list's 责任单位, 责任人, 整治措施, 完成时限; governance.md §2.2).
type Plan struct {
	Disposition Disposition `json:"disposition"`
	Unit        string      `json:"unit"`
	Person      string      `json:"person"`
	Measures    string      `json:"measures"`
	Deadline    string      `json:"deadline"`
}

// CheckItem is one step of the 两断三清 checklist, done on Date with photos.
type CheckItem struct {
	Step        Step     `json:"step"`
	Date        string   `json:"date"`
	Attachments []string `json:"attachments"`
	Note        string   `json:"note,omitempty"`
}

// Relocation is where a relocated enterprise goes; MovedOn, once given,
// is the move done (with evidence), and the enterprise becomes relocated.
type Relocation struct {
	Address     string   `json:"address"`
	Park        string   `json:"park,omitempty"`
	Lon         float64  `json:"lon,omitempty"`
	Lat         float64  `json:"lat,omitempty"`
	MovedOn     string   `json:"moved_on,omitempty"`
	Attachments []string `json:"attachments,omitempty"`
}

// Item is one rectification item of an upgrade or a stop-and-rectify
// (e.g. 干/湿法生产线密封, governance.md §2.3), numbered from 1.
type Item struct {
	No          int      `json:"no"`
	Text        string   `json:"text"`
	Done        string   `json:"done,omitempty"`
	Attachments []string `json:"attachments,omitempty"`
}

// Acceptance is one level's verdict. Round counts from 1; a failure sends
// the case back to rectifying and the next round starts at level 1.
type Acceptance struct {
	Round       int      `json:"round"`
	Level       int      `json:"level"`
	Result      string   `json:"result"`
	Date        string   `json:"date"`
	Inspector   string   `json:"inspector"`
	Note        string   `json:"note,omitempty"`
	Attachments []string `json:"attachments,omitempty"`
}

// CloseOut is the 销号: its date and, where the office issues one, the
// document number.
type CloseOut struct {
	Date       string `json:"date"`
	DocumentNo string `json:"document_no,omitempty"`
	Note       string `json:"note,omitempty"`
}

// Visit is a 回头看 follow-up visit. Relapsed: the enterprise was found
// producing again (复产, "死灰复燃").
type Visit struct {
	Date        string   `json:"date"`
	Inspector   string   `json:"inspector"`
	Finding     string   `json:"finding"`
	Relapsed    bool     `json:"relapsed"`
	Attachments []string `json:"attachments,omitempty"`
}

// Event is one entry of a case's audit log, append-only: the database
// refuses to change or delete it.
type Event struct {
	Case   int64           `json:"case"`
	Seq    int             `json:"seq"` // the case's version after the event
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action Action          `json:"action"`
	From   State           `json:"from"` // "" for the opening
	To     State           `json:"to"`
	Reason string          `json:"reason,omitempty"`
	Data   json.RawMessage `json:"data"`
}

// Evidence is a sign from monitoring that a closed enterprise produces
// again: a frame from one of its data loggers, or a logger connecting.
type Evidence struct {
	Kind   string    `json:"kind"` // hj212_frame, logger_connection
	MN     string    `json:"mn"`
	At     time.Time `json:"at"`
	Detail string    `json:"detail,omitempty"`
}

// Attachment is a stored photo or scanned document, named by the SHA-256
// of its content (hex), which is also its ID.
type Attachment struct {
	ID   string    `json:"id"`
	Name string    `json:"name"` // the file name it was first uploaded with
	Type string    `json:"type"` // image/jpeg, image/png, application/pdf
	Size int64     `json:"size"`
	At   time.Time `json:"at"`
}

// Edit names the case a change is made to, the version its author read,
// and who makes it.
type Edit struct {
	Case    int64
	Version int
	By      auth.Principal
}

// Run is one screening of the registry: when, by whom, as of which date,
// with which rules, and how many enterprises it screened and selected. A
// campaign's survey stores its screening as a run of the campaign, with
// the enterprises in scope counted by county and industry division.
type Run struct {
	ID       int64        `json:"id"`
	At       time.Time    `json:"at"`
	Actor    string       `json:"actor"`
	AsOf     string       `json:"as_of"`
	Rules    RuleSet      `json:"rules"`
	Campaign int64        `json:"campaign,omitempty"`
	Scope    *Scope       `json:"scope,omitempty"`
	Screened int          `json:"screened"`
	Selected int          `json:"selected"`
	InScope  []ScopeCount `json:"in_scope,omitempty"`
}

// ScopeCount is how many enterprises of one county and GB/T 4754 division
// (two digits) a survey found in its campaign's scope.
type ScopeCount struct {
	County   string `json:"county"`
	Division string `json:"division"`
	N        int    `json:"n"`
}
