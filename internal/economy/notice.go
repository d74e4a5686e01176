package economy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/registry"
)

// The public-notice workflow of a run (governance.md §1.6 steps 5–7,
// decision 0028): a run is a draft; the bureau puts it on notice for a
// period (公示, 3–7 days in the notices found); enterprises object to
// their own result during it and the bureau accepts an objection (with a
// correction of the annual data, a revision through the registry's one
// write path) or rejects it with its reason; a re-run on the corrected
// data supersedes the run and says what changed; once the period is over
// and every objection handled, the government's approval, then
// publication. Every step is an event of the run's audit log.

// State is where a run is in the workflow.
type State string

const (
	Draft      State = "draft"
	Notice     State = "notice"     // 公示中
	Superseded State = "superseded" // re-run after corrections: see its successor
	Approved   State = "approved"   // 审定 (§1.6 step 6)
	Published  State = "published"  // 公布 (step 7)
)

var stateZh = map[State]string{Draft: "草稿", Notice: "公示中", Superseded: "已被重新评价取代", Approved: "已审定", Published: "已公布"}

// Zh is the state's Chinese name.
func (s State) Zh() string { return stateZh[s] }

// The actions of the audit log.
const (
	ActRun     = "run"     // the run is made (a re-run says what it revises)
	ActNotice  = "notice"  // put on notice, with its period
	ActObject  = "object"  // an objection received
	ActAccept  = "accept"  // an objection accepted, with its correction
	ActReject  = "reject"  // an objection rejected, with the reason
	ActRerun   = "rerun"   // re-run on corrected data: what changed
	ActApprove = "approve" // approved, with the document
	ActPublish = "publish"
)

// Event is one step of a run's audit log.
type Event struct {
	Evaluation int64           `json:"evaluation"`
	Seq        int             `json:"seq"`
	At         time.Time       `json:"at"`
	Actor      string          `json:"actor"`
	Action     string          `json:"action"`
	From       State           `json:"from"`
	To         State           `json:"to"`
	Reason     string          `json:"reason,omitempty"`
	Data       json.RawMessage `json:"data"`
}

// Objection is an enterprise's objection to its result during the notice.
type Objection struct {
	ID          int64                           `json:"id"`
	Evaluation  int64                           `json:"evaluation"`
	USCC        string                          `json:"uscc"`
	At          time.Time                       `json:"at"`
	Actor       string                          `json:"actor"` // who filed it (the enterprise, or the officer who took it by letter)
	Text        string                          `json:"text"`
	Attachments []string                        `json:"attachments"` // evidence: ids of the attachments store
	State       string                          `json:"state"`       // open, accepted, rejected
	HandledAt   time.Time                       `json:"handled_at,omitzero"`
	HandledBy   string                          `json:"handled_by,omitempty"`
	Reason      string                          `json:"reason,omitempty"`
	Correction  map[string]registry.FieldChange `json:"correction,omitempty"` // the annual data's fields changed
}

// Change is what a re-run changed for one enterprise ("" class and zero
// rank where it was or is not evaluated).
type Change struct {
	USCC        string  `json:"uscc"`
	Name        string  `json:"name"`
	ScoreBefore float64 `json:"score_before"`
	ScoreAfter  float64 `json:"score_after"`
	RankBefore  int     `json:"rank_before"`
	RankAfter   int     `json:"rank_after"`
	ClassBefore string  `json:"class_before"`
	ClassAfter  string  `json:"class_after"`
}

// Tx is the workflow's transaction: a step reads the run, checks it,
// changes it and appends its event, all or nothing.
type Tx interface {
	Evaluation(ctx context.Context, id int64) (StoredRun, error)
	Inputs(ctx context.Context, county string, year int) ([]Input, error)
	AddEvaluation(ctx context.Context, r StoredRun) (int64, error)
	// SetState moves the run from one state to another (and sets its
	// notice period), or returns ErrStale if it is no longer in from.
	SetState(ctx context.Context, id int64, from, to State, noticeFrom, noticeTo string) error
	// AddEvent appends an event; its Seq is the run's next.
	AddEvent(ctx context.Context, e Event) error
	AddObjection(ctx context.Context, o Objection) (int64, error)
	Objection(ctx context.Context, id int64) (Objection, error) // ID 0 where none
	// HandleObjection records the handling of an open objection, or
	// returns ErrStale if it was handled already.
	HandleObjection(ctx context.Context, o Objection) error
	Objections(ctx context.Context, runs []int64) ([]Objection, error)
	// AttachmentExists says whether the attachments store holds id.
	AttachmentExists(ctx context.Context, id string) (bool, error)
	// Registry is the registry inside the transaction: a correction
	// commits or rolls back with the step.
	Registry() registry.Store
}

// ErrStale is a Tx's answer to a change of something changed since read.
var ErrStale = errors.New("economy: changed since read")

// Notice puts a draft on notice from from to to (YYYY-MM-DD, China time),
// a period of 1 to 30 days.
func (s *Service) Notice(ctx context.Context, by auth.Principal, id int64, from, to string) (Run, error) {
	f, err1 := time.ParseInLocation(time.DateOnly, from, cst.Zone)
	t, err2 := time.ParseInLocation(time.DateOnly, to, cst.Zone)
	if err1 != nil || err2 != nil || t.Before(f) || t.Sub(f) > 29*24*time.Hour {
		return Run{}, apperr.Newf(apperr.Invalid, "the notice period %q to %q: give two dates YYYY-MM-DD, 1 to 30 days", "公示期 %q 至 %q：应为两个日期（YYYY-MM-DD），1 至 30 天", from, to)
	}
	return s.step(ctx, by, id, ActNotice, func(tx Tx, sr *StoredRun, ev *Event) error {
		if err := move(ctx, tx, sr, ev, Draft, Notice, from, to); err != nil {
			return err
		}
		return setData(ev, map[string]string{"from": from, "to": to})
	})
}

// Object files an objection to uscc's result during the notice period:
// by the enterprise itself, or by an officer for it (a letter, a call).
func (s *Service) Object(ctx context.Context, by auth.Principal, id int64, uscc, text string, attachments []string) (Objection, error) {
	if err := by.Check(); err != nil {
		return Objection{}, err
	}
	if err := auth.MayWrite(by, auth.Objections, auth.Economy); err != nil {
		return Objection{}, err
	}
	text = strings.TrimSpace(text)
	if n := utf8.RuneCountInString(text); n == 0 || n > 2000 || len(attachments) > 20 {
		return Objection{}, apperr.New(apperr.Invalid, "an objection needs its text (at most 2,000 characters) and at most 20 attachments",
			"异议须写明理由（不超过 2000 字），附件不超过 20 份")
	}
	var o Objection
	err := s.store.UpdateEvaluation(ctx, func(tx Tx) error {
		sr, err := s.objectable(ctx, tx, by, id, uscc)
		if err != nil {
			return err
		}
		for _, a := range attachments {
			if ok, err := tx.AttachmentExists(ctx, a); err != nil {
				return err
			} else if !ok {
				return apperr.Newf(apperr.Invalid, "no attachment %s (upload it first)", "附件 %s 不存在（请先上传）", a)
			}
		}
		o = Objection{Evaluation: id, USCC: uscc, At: s.now().UTC(), Actor: by.Actor(), Text: text, Attachments: append([]string{}, attachments...), State: "open"}
		if o.ID, err = tx.AddObjection(ctx, o); err != nil {
			return err
		}
		ev := &Event{Evaluation: id, At: o.At, Actor: o.Actor, Action: ActObject, From: sr.State, To: sr.State}
		if err := setData(ev, map[string]any{"objection": o.ID, "uscc": uscc, "text": text, "attachments": o.Attachments}); err != nil {
			return err
		}
		return tx.AddEvent(ctx, *ev)
	})
	return o, err
}

// MayObject says whether by may object to uscc's result in run id now
// (the checks of Object): before evidence is uploaded for it.
func (s *Service) MayObject(ctx context.Context, by auth.Principal, id int64, uscc string) error {
	if err := by.Check(); err != nil {
		return err
	}
	if err := auth.MayWrite(by, auth.Objections, auth.Economy); err != nil {
		return err
	}
	_, err := s.objectable(ctx, s.store, by, id, uscc)
	return err
}

// objectable reads run id for an objection by by to uscc's result: the
// enterprise's own (or an officer's of the run's county), the run on
// notice, today in its period, uscc among its results.
func (s *Service) objectable(ctx context.Context, tx runReader, by auth.Principal, id int64, uscc string) (StoredRun, error) {
	sr, err := s.readable(ctx, tx, id)
	if err != nil {
		return sr, err
	}
	if err := auth.CanWrite(by, auth.Object{What: auth.Objections, Bureau: auth.Economy, County: sr.County, USCC: uscc, Missing: noRun(id)}); err != nil {
		return sr, err
	}
	if sr.State != Notice {
		return sr, notNow(sr, ActObject)
	}
	today := s.now().In(cst.Zone).Format(time.DateOnly)
	if today < sr.NoticeFrom || today > sr.NoticeTo {
		return sr, apperr.Newf(apperr.Conflict, "evaluation %d takes objections from %s to %s, not on %s", "亩均评价 %d 的异议期为 %s 至 %s，%s 不受理", id, sr.NoticeFrom, sr.NoticeTo, today)
	}
	out, err := unpackOutcome(sr.Outcome)
	if err != nil {
		return sr, err
	}
	if !slices.ContainsFunc(out.Results, func(r Result) bool { return r.USCC == uscc }) {
		return sr, apperr.Newf(apperr.Invalid, "%s has no result in evaluation %d", "%s 不在亩均评价 %d 的结果中", uscc, id)
	}
	return sr, nil
}

// Handle accepts or rejects an open objection, with the reason; an
// accepted one may correct the enterprise's annual data of the run's
// year (fields of the kind "annual", e.g. {"tax": "120"}): a revision
// through the registry's one write path, in the same transaction. A
// correction changes no result until the run is re-run.
func (s *Service) Handle(ctx context.Context, by auth.Principal, id, objection int64, accept bool, reason string, correction map[string]string) (Objection, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 2000 {
		return Objection{}, apperr.New(apperr.Invalid, "give the reason of the decision (at most 2,000 characters)", "须写明处理理由（不超过 2000 字）")
	}
	if !accept && len(correction) > 0 {
		return Objection{}, apperr.New(apperr.Invalid, "a rejected objection corrects nothing", "驳回的异议不得更正数据")
	}
	for f := range correction {
		if f == "uscc" || f == "year" || !AnnualKind.HasField(f) {
			return Objection{}, apperr.Newf(apperr.Invalid, "correction: %q is no field of the annual data one corrects", "更正：%q 不是可更正的年度数据字段", f)
		}
	}
	action := ActReject
	if accept {
		action = ActAccept
	}
	var o Objection
	_, err := s.step(ctx, by, id, action, func(tx Tx, sr *StoredRun, ev *Event) error {
		if sr.State != Notice {
			return notNow(*sr, action)
		}
		var err error
		if o, err = tx.Objection(ctx, objection); err != nil {
			return err
		} else if o.ID == 0 || !slices.Contains(sr.chain, o.Evaluation) {
			return apperr.Newf(apperr.NotFound, "no objection %d to evaluation %d", "亩均评价 %d 无编号为 %d 的异议", objection, id)
		}
		o.State, o.HandledAt, o.HandledBy, o.Reason = "rejected", ev.At, ev.Actor, reason
		if accept {
			o.State = "accepted"
			if len(correction) > 0 {
				if o.Correction, err = correct(ctx, tx, by, o.USCC, sr.Year, correction); err != nil {
					return err
				}
			}
		}
		if err := tx.HandleObjection(ctx, o); errors.Is(err, ErrStale) {
			return apperr.Newf(apperr.Conflict, "objection %d was handled already", "异议 %d 已处理", objection)
		} else if err != nil {
			return err
		}
		ev.Reason = reason
		return setData(ev, map[string]any{"objection": o.ID, "uscc": o.USCC, "correction": o.Correction})
	})
	return o, err
}

// correct revises uscc's annual data of year with fields, through the
// registry inside tx, and returns what changed.
func correct(ctx context.Context, tx Tx, by auth.Principal, uscc string, year int, fields map[string]string) (map[string]registry.FieldChange, error) {
	reg := registry.NewService(tx.Registry())
	key := uscc + "/" + strconv.Itoa(year)
	before, err := annualOf(ctx, tx.Registry(), uscc, year)
	if err != nil {
		return nil, err
	}
	if before == nil {
		return nil, apperr.Newf(apperr.Invalid, "%s has no annual data of %d to correct", "%s 无 %d 年度数据可更正", uscc, year)
	}
	saved, err := reg.Save(ctx, AnnualKind, key, fields, by)
	if err != nil {
		return nil, err
	}
	after := saved.(Annual)
	was, is := annualValues(*before), annualValues(after)
	changes := map[string]registry.FieldChange{}
	for i, f := range AnnualKind.Fields {
		if was[i] != is[i] {
			changes[f.Name] = registry.FieldChange{From: was[i], To: is[i]}
		}
	}
	return changes, nil
}

// annualOf reads one enterprise's year, nil where there is none.
func annualOf(ctx context.Context, r registry.Reader, uscc string, year int) (*Annual, error) {
	var out *Annual
	err := r.ScanTable(ctx, annualTable, uscc, func(scan func(...any) error) error {
		var a Annual
		if err := scan(&a.USCC, &a.Year, &a.Tax, &a.ValueAdded, &a.Revenue, &a.EnergyTce, &a.Kwh, &a.EmissionsT, &a.RD, &a.Employees, &a.LandMu, &a.Source, &a.Parcel, &a.Items); err != nil {
			return err
		}
		if a.Year == year {
			out = &a
		}
		return nil
	})
	return out, err
}

// Rerun evaluates the run's county and year again by its method on the
// data as they are now (corrections included). The new run takes the
// old one's place in the workflow (its state and notice period) and the
// old one is superseded; both runs' logs say so, the old one's with what
// changed for each enterprise.
func (s *Service) Rerun(ctx context.Context, by auth.Principal, id int64) (Run, []Change, error) {
	var next StoredRun
	var changes []Change
	var nextOut Outcome
	_, err := s.step(ctx, by, id, ActRerun, func(tx Tx, sr *StoredRun, ev *Event) error {
		if sr.State != Draft && sr.State != Notice {
			return notNow(*sr, ActRerun)
		}
		m, err := LoadMethod(sr.MethodName, []byte(sr.Method))
		if err != nil {
			return err
		}
		ins, err := tx.Inputs(ctx, sr.County, sr.Year)
		if err != nil {
			return err
		}
		nextOut = Evaluate(m, ins)
		before, err := unpackOutcome(sr.Outcome)
		if err != nil {
			return err
		}
		lastClasses(before, &nextOut)
		changes = diff(before, nextOut)
		next = StoredRun{At: ev.At, Actor: ev.Actor, County: sr.County, Year: sr.Year, MethodName: sr.MethodName, Method: sr.Method,
			Evaluated: len(nextOut.Results), State: sr.State, Revises: sr.ID, NoticeFrom: sr.NoticeFrom, NoticeTo: sr.NoticeTo,
			Classes: classCounts(nextOut), OutOfScope: nextOut.OutOfScope}
		if next.Inputs, err = packInputs(ins); err != nil {
			return err
		}
		if next.Outcome, err = packOutcome(nextOut); err != nil {
			return err
		}
		if next.ID, err = tx.AddEvaluation(ctx, next); err != nil {
			return err
		}
		if err := move(ctx, tx, sr, ev, sr.State, Superseded, sr.NoticeFrom, sr.NoticeTo); err != nil {
			return err
		}
		return setData(ev, map[string]any{"run": next.ID, "changes": changes})
	})
	if err != nil {
		return Run{}, nil, err
	}
	return summary(next, nextOut), changes, nil
}

// lastClasses copies each enterprise's last year's class from a run of
// the same year into out.
func lastClasses(from Outcome, out *Outcome) {
	last := make(map[string]string, len(from.Results))
	for _, r := range from.Results {
		if r.LastClass != "" {
			last[r.USCC] = r.LastClass
		}
	}
	for i := range out.Results {
		out.Results[i].LastClass = last[out.Results[i].USCC]
	}
}

// diff lists the enterprises whose score, rank or class differ between
// two outcomes, in USCC order.
func diff(a, b Outcome) []Change {
	byUSCC := map[string]*Change{}
	for _, r := range a.Results {
		byUSCC[r.USCC] = &Change{USCC: r.USCC, Name: r.Name, ScoreBefore: r.Score, RankBefore: r.Rank, ClassBefore: r.Class}
	}
	for _, r := range b.Results {
		c := byUSCC[r.USCC]
		if c == nil {
			c = &Change{USCC: r.USCC, Name: r.Name}
			byUSCC[r.USCC] = c
		}
		c.ScoreAfter, c.RankAfter, c.ClassAfter = r.Score, r.Rank, r.Class
	}
	var out []Change
	for _, u := range slices.Sorted(maps.Keys(byUSCC)) {
		c := byUSCC[u]
		if c.ScoreBefore != c.ScoreAfter || c.RankBefore != c.RankAfter || c.ClassBefore != c.ClassAfter {
			out = append(out, *c)
		}
	}
	return out
}

// Approve records the government's approval (§1.6 step 6: Tiantai's
// 县政府常务会议) with its document: the notice period is over, every
// objection handled and every accepted correction in this run.
func (s *Service) Approve(ctx context.Context, by auth.Principal, id int64, document string) (Run, error) {
	document = strings.TrimSpace(document)
	if document == "" || utf8.RuneCountInString(document) > 500 {
		return Run{}, apperr.New(apperr.Invalid, "give the approving document or meeting (at most 500 characters)", "须写明审定文件或会议（不超过 500 字）")
	}
	return s.step(ctx, by, id, ActApprove, func(tx Tx, sr *StoredRun, ev *Event) error {
		if sr.State != Notice {
			return notNow(*sr, ActApprove)
		}
		if today := s.now().In(cst.Zone).Format(time.DateOnly); today <= sr.NoticeTo {
			return apperr.Newf(apperr.Conflict, "evaluation %d is on notice until %s: approve it after", "亩均评价 %d 公示至 %s，期满后方可审定", id, sr.NoticeTo)
		}
		for _, o := range sr.objections {
			switch {
			case o.State == "open":
				return apperr.Newf(apperr.Conflict, "objection %d of %s is not handled yet", "%[2]s 的异议 %[1]d 尚未处理", o.ID, o.USCC)
			case len(o.Correction) > 0 && o.HandledAt.After(sr.At):
				return apperr.Newf(apperr.Conflict, "objection %d corrected %s's data after this run: re-run it first", "异议 %d 在本次评价后更正了 %s 的数据：请先重新评价", o.ID, o.USCC)
			}
		}
		ev.Reason = document
		return move(ctx, tx, sr, ev, Notice, Approved, sr.NoticeFrom, sr.NoticeTo)
	})
}

// Publish publishes an approved run (§1.7 step 7): its enterprises see
// their results.
func (s *Service) Publish(ctx context.Context, by auth.Principal, id int64) (Run, error) {
	return s.step(ctx, by, id, ActPublish, func(tx Tx, sr *StoredRun, ev *Event) error {
		if sr.State != Approved {
			return notNow(*sr, ActPublish)
		}
		return move(ctx, tx, sr, ev, Approved, Published, sr.NoticeFrom, sr.NoticeTo)
	})
}

// step runs one officer's step on run id: the economy bureau's (a county
// officer's for their county), in one transaction with its event.
func (s *Service) step(ctx context.Context, by auth.Principal, id int64, action string, apply func(tx Tx, sr *StoredRun, ev *Event) error) (Run, error) {
	if err := by.Check(); err != nil {
		return Run{}, err
	}
	if err := auth.MayWrite(by, auth.Evaluations, auth.Economy); err != nil {
		return Run{}, err
	}
	var sr StoredRun
	err := s.store.UpdateEvaluation(ctx, func(tx Tx) error {
		var err error
		if sr, err = s.readable(ctx, tx, id); err != nil {
			return err
		}
		if err := auth.CanWrite(by, auth.Object{What: auth.Evaluations, Bureau: auth.Economy, County: sr.County, Missing: noRun(id)}); err != nil {
			return err
		}
		ev := &Event{Evaluation: id, At: s.now().UTC(), Actor: by.Actor(), Action: action, From: sr.State, To: sr.State}
		if err := apply(tx, &sr, ev); err != nil {
			return err
		}
		if ev.Data == nil {
			ev.Data = json.RawMessage("{}")
		}
		return tx.AddEvent(ctx, *ev)
	})
	if err != nil {
		return Run{}, err
	}
	out, err := unpackOutcome(sr.Outcome)
	return summary(sr, out), err
}

// readable reads run id with its chain (the runs it revises) and their
// objections, or not found.
func (s *Service) readable(ctx context.Context, tx runReader, id int64) (StoredRun, error) {
	sr, err := tx.Evaluation(ctx, id)
	if err != nil {
		return sr, err
	}
	if sr.ID == 0 {
		return sr, noRun(id)
	}
	sr.chain = []int64{sr.ID}
	for prev := sr.Revises; prev != 0 && len(sr.chain) < 1000; {
		p, err := tx.Evaluation(ctx, prev)
		if err != nil {
			return sr, err
		}
		sr.chain = append(sr.chain, p.ID)
		prev = p.Revises
	}
	sr.objections, err = tx.Objections(ctx, sr.chain)
	return sr, err
}

// runReader reads runs and their objections: the store, or a Tx.
type runReader interface {
	Evaluation(ctx context.Context, id int64) (StoredRun, error)
	Objections(ctx context.Context, runs []int64) ([]Objection, error)
}

// move sets the run's state, and the event's.
func move(ctx context.Context, tx Tx, sr *StoredRun, ev *Event, from, to State, noticeFrom, noticeTo string) error {
	if err := tx.SetState(ctx, sr.ID, from, to, noticeFrom, noticeTo); errors.Is(err, ErrStale) {
		return apperr.Newf(apperr.Conflict, "evaluation %d was changed by someone else: reload it and try again", "亩均评价 %d 已被他人修改：请刷新后重试", sr.ID)
	} else if err != nil {
		return err
	}
	sr.State, sr.NoticeFrom, sr.NoticeTo, ev.To = to, noticeFrom, noticeTo, to
	return nil
}

func setData(ev *Event, v any) error {
	b, err := json.Marshal(v)
	ev.Data = b
	return err
}

func noRun(id int64) error {
	return apperr.Newf(apperr.NotFound, "no evaluation %d", "无编号为 %d 的亩均评价", id)
}

var actionZh = map[string]string{ActNotice: "公示", ActObject: "提出异议", ActAccept: "采纳异议", ActReject: "驳回异议", ActRerun: "重新评价", ActApprove: "审定", ActPublish: "公布"}

func notNow(sr StoredRun, action string) error {
	return apperr.New(apperr.Conflict, fmt.Sprintf("evaluation %d is %s: no %s now", sr.ID, sr.State, action),
		fmt.Sprintf("亩均评价 %d 当前状态为%s，不能%s", sr.ID, sr.State.Zh(), actionZh[action]))
}
