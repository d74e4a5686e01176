package compliance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
)

// Action is what an event did to a case.
type Action string

const (
	ActOpen       Action = "open"       // 立案：a survey opened the case
	ActDismiss    Action = "dismiss"    // 排除：found compliant
	ActClassify   Action = "classify"   // 分类处置：disposition and plan, or a change to them
	ActChecklist  Action = "checklist"  // 两断三清：one step recorded
	ActRelocation Action = "relocation" // 搬迁：target site, or the move done
	ActItem       Action = "item"       // 整改事项：added, edited or done
	ActAccept     Action = "accept"     // 验收：one level's verdict
	ActCloseOut   Action = "close_out"  // 销号
	ActVisit      Action = "visit"      // 回头看
	ActRelapse    Action = "relapse"    // 复产线索：monitoring evidence reopened the case
	ActAssign     Action = "assign"     // 指派：the inspector who acts on the case
)

var actionNames = map[Action][2]string{
	ActOpen:       {"open", "立案"},
	ActDismiss:    {"dismiss as compliant", "排除（核查合规）"},
	ActClassify:   {"classify", "分类处置"},
	ActChecklist:  {"record a 两断三清 step", "记录两断三清"},
	ActRelocation: {"record the relocation", "记录搬迁"},
	ActItem:       {"record a rectification item", "记录整改事项"},
	ActAccept:     {"record an acceptance", "记录验收"},
	ActCloseOut:   {"close out (销号)", "销号"},
	ActVisit:      {"record a follow-up visit", "记录回头看"},
	ActRelapse:    {"reopen on relapse evidence", "因复产线索重新打开"},
	ActAssign:     {"assign to an inspector", "指派检查员"},
}

func (a Action) En() string { return actionNames[a][0] }
func (a Action) Zh() string { return actionNames[a][1] }

// Transition is one allowed move of the state machine.
type Transition struct {
	Action   Action
	From, To State
}

// Transitions are every allowed move; anything else is refused and
// changes nothing. An action allowed from a state may still be refused
// for what it lacks (evidence, an inspector, a date).
var Transitions = []Transition{
	{ActOpen, "", Surveyed},
	{ActDismiss, Surveyed, Dismissed},
	{ActClassify, Surveyed, Rectifying},
	{ActClassify, Rectifying, Rectifying},
	{ActChecklist, Rectifying, Rectifying},
	{ActRelocation, Rectifying, Rectifying},
	{ActItem, Rectifying, Rectifying},
	{ActAccept, Rectifying, Accepting},  // the township's self-check passed
	{ActAccept, Rectifying, Rectifying}, // the township's self-check failed
	{ActAccept, Accepting, Accepting},   // the lead unit's review passed
	{ActAccept, Accepting, Accepted},    // the inspection office verified
	{ActAccept, Accepting, Rectifying},  // a review or verification failed
	{ActCloseOut, Accepted, ClosedOut},
	{ActVisit, ClosedOut, ClosedOut},  // nothing found
	{ActVisit, ClosedOut, Rectifying}, // relapsed: rectify again
	{ActVisit, Reopened, Rectifying},  // relapse confirmed
	{ActVisit, Reopened, Accepting},   // not confirmed: back where it was
	{ActVisit, Reopened, Accepted},
	{ActVisit, Reopened, ClosedOut},
	{ActRelapse, Rectifying, Reopened}, // a closure carried out, then evidence
	{ActRelapse, Accepting, Reopened},
	{ActRelapse, Accepted, Reopened},
	{ActRelapse, ClosedOut, Reopened},
	{ActAssign, Surveyed, Surveyed}, // assigning moves nothing
	{ActAssign, Rectifying, Rectifying},
	{ActAssign, Accepting, Accepting},
	{ActAssign, Accepted, Accepted},
	{ActAssign, ClosedOut, ClosedOut},
	{ActAssign, Reopened, Reopened},
}

// allowed reports whether a may move a case from `from` to `to`; with to
// "" whether a is allowed from `from` at all.
func allowed(a Action, from, to State) bool {
	return slices.ContainsFunc(Transitions, func(t Transition) bool {
		return t.Action == a && t.From == from && (to == "" || t.To == to)
	})
}

// refuse is the error for an action not allowed in a case's state.
func refuse(c *Case, a Action) error {
	var en, zh []string
	for _, t := range Transitions {
		if t.Action == a && t.From != "" && !slices.Contains(en, t.From.En()) {
			en, zh = append(en, t.From.En()), append(zh, t.From.Zh())
		}
	}
	return apperr.New(apperr.Conflict,
		fmt.Sprintf("case %d is %s: cannot %s (allowed only when %s)", c.ID, c.State.En(), a.En(), strings.Join(en, " or ")),
		fmt.Sprintf("案件 %d 当前状态为“%s”，不能%s（仅在“%s”状态下可以）", c.ID, c.State.Zh(), a.Zh(), strings.Join(zh, "”或“")))
}

// lacks is the error for an action refused for missing or wrong input.
func lacks(c *Case, a Action, en, zh string) error {
	return apperr.New(apperr.Invalid,
		fmt.Sprintf("case %d (%s): cannot %s: %s", c.ID, c.State.En(), a.En(), en),
		fmt.Sprintf("案件 %d（%s）：不能%s：%s", c.ID, c.State.Zh(), a.Zh(), zh))
}

// change is one edit of a case. In one transaction it reads the case,
// checks the version the author read and that the action is allowed in
// the case's state, lets apply change the case (and, through the
// transaction's registry, the enterprise), checks the move against
// Transitions, and stores the case with the next version and its event.
// Any refusal leaves everything as it was.
func (s *Service) change(ctx context.Context, ed Edit, a Action, apply func(tx Tx, c *Case, ev *Event) error) (Case, error) {
	if err := ed.By.Check(); err != nil {
		return Case{}, err
	}
	w := auth.Cases
	if a == ActAssign {
		w = auth.Assignment
	}
	if err := auth.MayWrite(ed.By, w, auth.Ecology); err != nil {
		return Case{}, err
	}
	var c Case
	var wasWatched bool
	err := s.store.UpdateCompliance(ctx, func(tx Tx) error {
		var ok bool
		var err error
		if c, ok, err = tx.Case(ctx, ed.Case); err != nil {
			return err
		} else if !ok {
			return notFound("case", "案件", ed.Case)
		}
		if err := auth.CanWrite(ed.By, caseObject(c, w)); err != nil {
			return err
		}
		wasWatched = c.watched()
		if c.Version != ed.Version {
			return staleCase(c.ID, ed.Version)
		}
		if !allowed(a, c.State, "") {
			return refuse(&c, a)
		}
		from := c.State
		ev := &Event{Case: c.ID, At: s.now().UTC(), Actor: ed.By.Actor(), Action: a, From: from}
		if err := apply(tx, &c, ev); err != nil {
			return err
		}
		if !allowed(a, from, c.State) {
			return fmt.Errorf("compliance: %s moved case %d from %s to %s, which Transitions does not allow", a, c.ID, from, c.State)
		}
		c.Version++
		ev.Seq, ev.To = c.Version, c.State
		if ev.Data == nil {
			ev.Data = json.RawMessage("{}")
		}
		if err := tx.UpdateCase(ctx, c, ed.Version); errors.Is(err, ErrStale) {
			return staleCase(c.ID, ed.Version)
		} else if err != nil {
			return err
		}
		return tx.AddEvents(ctx, []Event{*ev})
	})
	if err != nil {
		return Case{}, err
	}
	if is := c.watched(); is != wasWatched {
		s.updateWatched(c, is)
	}
	return c, nil
}

func staleCase(id int64, read int) error {
	return apperr.Newf(apperr.Conflict, "case %d was changed by someone else since you read its version %d: reload it and try again",
		"案件 %d 在您读取（版本 %d）之后已被他人修改：请刷新后重试", id, read)
}

// data sets an event's data to v as JSON.
func data(ev *Event, v any) error {
	b, err := json.Marshal(v)
	ev.Data = b
	return err
}

// Case returns one case with its enterprise's name.
func (s *Service) Case(ctx context.Context, by auth.Principal, id int64) (Case, error) {
	if err := auth.CanList(by, auth.Cases); err != nil {
		return Case{}, err
	}
	c, ok, err := s.store.Case(ctx, id)
	switch {
	case err != nil:
		return c, err
	case !ok:
		return c, notFound("case", "案件", id)
	}
	return c, auth.CanRead(by, caseObject(c, auth.Cases))
}

// Cases returns one page of the cases by may see and their total.
func (s *Service) Cases(ctx context.Context, by auth.Principal, f CaseFilter) ([]Case, int, error) {
	if err := auth.CanList(by, auth.Cases); err != nil {
		return nil, 0, err
	}
	f, ok := narrow(by, f)
	if !ok {
		return nil, 0, nil
	}
	return s.store.Cases(ctx, f)
}

// Events returns a case's audit log, oldest first.
func (s *Service) Events(ctx context.Context, by auth.Principal, id int64) ([]Event, error) {
	if _, err := s.Case(ctx, by, id); err != nil {
		return nil, err
	}
	return s.store.Events(ctx, id)
}

// Assign gives the case to the inspector named assignee ("" to no one),
// who may then act on it; the audit log keeps who assigned it from whom.
func (s *Service) Assign(ctx context.Context, ed Edit, assignee string) (Case, error) {
	assignee = strings.TrimSpace(assignee)
	if err := checkAssignee(assignee); err != nil {
		return Case{}, err
	}
	return s.change(ctx, ed, ActAssign, func(_ Tx, c *Case, ev *Event) error {
		prev := c.Assignee
		c.Assignee = assignee
		return data(ev, map[string]string{"assignee": assignee, "previous": prev})
	})
}

// Dismiss closes a surveyed case found compliant on site, for the reason given.
func (s *Service) Dismiss(ctx context.Context, ed Edit, reason string) (Case, error) {
	return s.change(ctx, ed, ActDismiss, func(_ Tx, c *Case, ev *Event) error {
		if err := checkText("reason", "排除理由", reason, 2000); err != nil {
			return lacks(c, ActDismiss, "give the reason it is compliant", "须说明合规理由")
		}
		c.Dismissal, c.State, ev.Reason = strings.TrimSpace(reason), Dismissed, strings.TrimSpace(reason)
		return nil
	})
}

// Classify decides a surveyed case's disposition and plan, or changes
// them while it is rectifying. The deadline may not be before the case
// opened; the disposition may not change once carried out (the
// enterprise closed or moved). A stop-and-rectify suspends an operating
// enterprise in the registry until 销号.
func (s *Service) Classify(ctx context.Context, ed Edit, p Plan) (Case, error) {
	return s.change(ctx, ed, ActClassify, func(tx Tx, c *Case, ev *Event) error {
		if _, ok := dispositionNames[p.Disposition]; !ok {
			return lacks(c, ActClassify, fmt.Sprintf("%q is not a disposition (close, relocate, upgrade, stop_rectify)", p.Disposition),
				fmt.Sprintf("%q 不是处置方式（close 关停取缔、relocate 整合搬迁、upgrade 整改提升、stop_rectify 停产整改）", p.Disposition))
		}
		for _, f := range []struct{ en, zh, v string }{{"unit", "责任单位", p.Unit}, {"person", "责任人", p.Person}, {"measures", "整治措施", p.Measures}} {
			if err := checkText(f.en, f.zh, f.v, 2000); err != nil {
				return err
			}
		}
		if err := checkDate("deadline", "完成时限", p.Deadline); err != nil {
			return err
		}
		if p.Deadline < c.OpenedOn {
			return lacks(c, ActClassify, fmt.Sprintf("the deadline %s is before the case opened on %s", p.Deadline, c.OpenedOn),
				fmt.Sprintf("完成时限 %s 早于立案日期 %s", p.Deadline, c.OpenedOn))
		}
		if c.CarriedOutOn != "" && p.Disposition != c.Disposition {
			return lacks(c, ActClassify, fmt.Sprintf("the disposition (%s) was carried out on %s and cannot change", c.Disposition.En(), c.CarriedOutOn),
				fmt.Sprintf("已于 %s 完成%s，处置方式不可更改", c.CarriedOutOn, c.Disposition.Zh()))
		}
		p.Unit, p.Person, p.Measures = strings.TrimSpace(p.Unit), strings.TrimSpace(p.Person), strings.TrimSpace(p.Measures)
		c.Plan, c.Disposition, c.Deadline, c.State = p, p.Disposition, p.Deadline, Rectifying
		if c.Round == 0 {
			c.Round = 1
		}
		c.RectifiedOn = rectifiedOn(c)
		change := map[string]any{"plan": p}
		if p.Disposition == StopRectify && !c.Suspended {
			st, err := setStatus(ctx, tx, c.USCC, "suspended", ed.By, "operating")
			if err != nil {
				return err
			}
			if st != nil {
				c.Suspended, change["registry"] = true, st
			}
		}
		return data(ev, change)
	})
}

// RecordChecklist records one step of a closure's 两断三清 checklist, with
// its date and at least one photo; recording a step again replaces it.
// When the fifth step is recorded the closure is carried out: the
// enterprise's registry status becomes closed, in the same transaction.
func (s *Service) RecordChecklist(ctx context.Context, ed Edit, item CheckItem) (Case, error) {
	return s.change(ctx, ed, ActChecklist, func(tx Tx, c *Case, ev *Event) error {
		if c.Disposition != Close {
			return lacks(c, ActChecklist, "the 两断三清 checklist is for closures; this case is to "+c.Disposition.En(),
				"两断三清仅适用于关停取缔，本案处置方式为"+c.Disposition.Zh())
		}
		if _, ok := stepNames[item.Step]; !ok {
			return lacks(c, ActChecklist, fmt.Sprintf("%q is not a step (%s)", item.Step, stepList()), fmt.Sprintf("%q 不是两断三清步骤（%s）", item.Step, stepList()))
		}
		if err := s.checkPast(c, "date", "日期", item.Date); err != nil {
			return err
		}
		// A relapse cleared the checklist: the steps redone answer it.
		if err := notBefore(c, ActChecklist, "date", "日期", item.Date, c.opened(), c.relapsed()); err != nil {
			return err
		}
		if err := s.checkAttachments(ctx, "step "+string(item.Step), item.Step.Zh(), item.Attachments, 1); err != nil {
			return err
		}
		item.Note = strings.TrimSpace(item.Note)
		i := slices.IndexFunc(c.Checklist, func(x CheckItem) bool { return x.Step == item.Step })
		if i >= 0 {
			c.Checklist[i] = item
		} else {
			c.Checklist = append(c.Checklist, item)
			slices.SortFunc(c.Checklist, func(a, b CheckItem) int { return slices.Index(Steps, a.Step) - slices.Index(Steps, b.Step) })
		}
		c.RectifiedOn = rectifiedOn(c)
		change := map[string]any{"item": item}
		if c.RectifiedOn != "" && c.CarriedOutOn == "" {
			st, err := setStatus(ctx, tx, c.USCC, "closed", ed.By)
			if err != nil {
				return err
			}
			c.CarriedOutOn, c.Suspended = c.RectifiedOn, false
			change["carried_out_on"], change["registry"] = c.CarriedOutOn, st
		}
		return data(ev, change)
	})
}

func stepList() string {
	var s []string
	for _, st := range Steps {
		s = append(s, string(st)+" "+st.Zh())
	}
	return strings.Join(s, ", ")
}

// SetRelocation records a relocation's target site (address required; park,
// if given, one of the registry's), and its move once MovedOn is given with
// evidence: the enterprise's registry status then becomes relocated.
func (s *Service) SetRelocation(ctx context.Context, ed Edit, r Relocation) (Case, error) {
	return s.change(ctx, ed, ActRelocation, func(tx Tx, c *Case, ev *Event) error {
		if c.Disposition != Relocate {
			return lacks(c, ActRelocation, "a target site is for relocations; this case is to "+c.Disposition.En(),
				"搬迁去向仅适用于整合搬迁，本案处置方式为"+c.Disposition.Zh())
		}
		if err := checkText("address", "搬迁地址", r.Address, 500); err != nil {
			return err
		}
		r.Address = strings.TrimSpace(r.Address)
		if r.Park != "" {
			parks, err := s.store.Parks(ctx)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(parks, func(p registry.Park) bool { return p.Code == r.Park }) {
				return lacks(c, ActRelocation, fmt.Sprintf("no park %q in the registry", r.Park), fmt.Sprintf("登记库中无代码为 %q 的园区", r.Park))
			}
		}
		if (r.Lon == 0) != (r.Lat == 0) || r.Lon != 0 && (r.Lon < 73.4 || r.Lon > 135.2 || r.Lat < 3.8 || r.Lat > 53.6) {
			return lacks(c, ActRelocation, fmt.Sprintf("(%g, %g) is not a WGS84 point in China", r.Lon, r.Lat),
				fmt.Sprintf("(%g, %g) 不是中国境内的 WGS84 坐标", r.Lon, r.Lat))
		}
		if r.MovedOn != "" {
			if err := s.checkPast(c, "moved_on", "搬迁完成日期", r.MovedOn); err != nil {
				return err
			}
			if err := notBefore(c, ActRelocation, "moved_on", "搬迁完成日期", r.MovedOn, c.opened()); err != nil {
				return err
			}
			if err := s.checkAttachments(ctx, "the move", "搬迁完成", r.Attachments, 1); err != nil {
				return err
			}
		} else if err := s.checkAttachments(ctx, "the relocation", "搬迁", r.Attachments, 0); err != nil {
			return err
		}
		if c.CarriedOutOn != "" && r.MovedOn == "" {
			return lacks(c, ActRelocation, "the move was recorded on "+c.CarriedOutOn+"; give its date again", "已于 "+c.CarriedOutOn+" 完成搬迁，须保留搬迁完成日期")
		}
		c.Relocation = &r
		c.RectifiedOn = rectifiedOn(c)
		change := map[string]any{"relocation": r}
		if r.MovedOn != "" && c.CarriedOutOn == "" {
			st, err := setStatus(ctx, tx, c.USCC, "relocated", ed.By)
			if err != nil {
				return err
			}
			c.CarriedOutOn, c.Suspended = r.MovedOn, false
			change["carried_out_on"], change["registry"] = c.CarriedOutOn, st
		}
		return data(ev, change)
	})
}

// RecordItem adds a rectification item to an upgrade or a stop-and-rectify
// (item.No 0: the next number) or changes item No; an item marked Done
// needs its date and evidence.
func (s *Service) RecordItem(ctx context.Context, ed Edit, it Item) (Case, error) {
	return s.change(ctx, ed, ActItem, func(_ Tx, c *Case, ev *Event) error {
		if c.Disposition != Upgrade && c.Disposition != StopRectify {
			return lacks(c, ActItem, "rectification items are for upgrades and stop-and-rectify; this case is to "+c.Disposition.En(),
				"整改事项仅适用于整改提升和停产整改，本案处置方式为"+c.Disposition.Zh())
		}
		if err := checkText("text", "整改内容", it.Text, 2000); err != nil {
			return err
		}
		it.Text = strings.TrimSpace(it.Text)
		if it.Done != "" {
			if err := s.checkPast(c, "done", "完成日期", it.Done); err != nil {
				return err
			}
			if err := notBefore(c, ActItem, "done", "完成日期", it.Done, c.opened()); err != nil {
				return err
			}
			if err := s.checkAttachments(ctx, "a done item", "已完成的整改事项", it.Attachments, 1); err != nil {
				return err
			}
		} else if err := s.checkAttachments(ctx, "an item", "整改事项", it.Attachments, 0); err != nil {
			return err
		}
		switch {
		case it.No == 0:
			it.No = len(c.Items) + 1
			c.Items = append(c.Items, it)
		case it.No < 0 || it.No > len(c.Items):
			return lacks(c, ActItem, fmt.Sprintf("there is no item %d", it.No), fmt.Sprintf("无第 %d 项整改事项", it.No))
		default:
			c.Items[it.No-1] = it
		}
		c.RectifiedOn = rectifiedOn(c)
		return data(ev, map[string]any{"item": it})
	})
}

// Accept records one level's verdict; levels come in order within a
// round. A pass needs the disposition's evidence complete; a failure
// sends the case back to rectifying, and the next round starts again at
// the township's self-check. The inspector is required, and the date may
// not precede the evidence judged, an earlier acceptance or a visit.
func (s *Service) Accept(ctx context.Context, ed Edit, a Acceptance) (Case, error) {
	return s.change(ctx, ed, ActAccept, func(_ Tx, c *Case, ev *Event) error {
		level := 1
		for _, x := range c.Accepts {
			if x.Round == c.Round && x.Result == Pass {
				level = x.Level + 1
			}
		}
		if a.Level != level {
			return lacks(c, ActAccept, fmt.Sprintf("level %d (%s) is next, not %d", level, levelNames[level][0], a.Level),
				fmt.Sprintf("下一级应为第 %d 级（%s），不是第 %d 级", level, levelNames[level][1], a.Level))
		}
		if a.Result != Pass && a.Result != Fail {
			return lacks(c, ActAccept, fmt.Sprintf("result %q: want pass or fail", a.Result), fmt.Sprintf("验收结论 %q：应为 pass（通过）或 fail（不通过）", a.Result))
		}
		if err := checkText("inspector", "验收人", a.Inspector, 100); err != nil {
			return lacks(c, ActAccept, "the inspector is required", "须填写验收人")
		}
		if err := s.checkPast(c, "date", "验收日期", a.Date); err != nil {
			return err
		}
		if err := notBefore(c, ActAccept, "date", "验收日期", a.Date, c.opened(), c.lastEvidence(), c.lastAcceptance(), c.lastVisit()); err != nil {
			return err
		}
		if err := s.checkAttachments(ctx, "the acceptance", "验收", a.Attachments, 0); err != nil {
			return err
		}
		if a.Result == Pass {
			if en, zh := missing(c); en != nil {
				return lacks(c, ActAccept, "evidence is missing: "+strings.Join(en, "; "), "佐证材料不全："+strings.Join(zh, "；"))
			}
		}
		a.Round, a.Inspector, a.Note = c.Round, strings.TrimSpace(a.Inspector), strings.TrimSpace(a.Note)
		c.Accepts = append(c.Accepts, a)
		switch {
		case a.Result == Fail:
			c.State, c.Round = Rectifying, c.Round+1
			ev.Reason = a.Note
		case a.Level == InspectionVerifies:
			c.State, c.AcceptedOn = Accepted, a.Date
		default:
			c.State = Accepting
		}
		return data(ev, map[string]any{"acceptance": a})
	})
}

// CloseOut is the 销号 of an accepted case; its evidence is checked again.
// A stop-and-rectify's enterprise, suspended by the case, operates again.
func (s *Service) CloseOut(ctx context.Context, ed Edit, co CloseOut) (Case, error) {
	return s.change(ctx, ed, ActCloseOut, func(tx Tx, c *Case, ev *Event) error {
		if err := s.checkPast(c, "date", "销号日期", co.Date); err != nil {
			return err
		}
		if err := notBefore(c, ActCloseOut, "date", "销号日期", co.Date, c.opened(), c.lastEvidence(), c.lastAcceptance(), c.lastVisit()); err != nil {
			return err
		}
		if en, zh := missing(c); en != nil {
			return lacks(c, ActCloseOut, "evidence is missing: "+strings.Join(en, "; "), "佐证材料不全："+strings.Join(zh, "；"))
		}
		co.DocumentNo, co.Note = strings.TrimSpace(co.DocumentNo), strings.TrimSpace(co.Note)
		c.CloseOut, c.ClosedOutOn, c.State = &co, co.Date, ClosedOut
		change := map[string]any{"close_out": co}
		if c.Suspended {
			st, err := setStatus(ctx, tx, c.USCC, "operating", ed.By, "suspended")
			if err != nil {
				return err
			}
			c.Suspended, change["registry"] = false, st
		}
		return data(ev, change)
	})
}

// Visit records a 回头看 follow-up visit to a closed-out or reopened case.
// A relapse found (复产) sends the case back to rectifying for a new round
// (a closure's checklist is to be done again); a reopened case found
// quiet goes back to where it was. A relapse reverses nothing in the
// registry.
func (s *Service) Visit(ctx context.Context, ed Edit, v Visit) (Case, error) {
	// The visit settles what was seen before it: evidence after it counts
	// afresh, and may reopen the case again at once.
	defer s.forgetTally(ed.Case)
	return s.change(ctx, ed, ActVisit, func(_ Tx, c *Case, ev *Event) error {
		if err := checkText("inspector", "检查人", v.Inspector, 100); err != nil {
			return lacks(c, ActVisit, "the inspector is required", "须填写检查人")
		}
		if err := checkText("finding", "检查情况", v.Finding, 2000); err != nil {
			return err
		}
		if err := s.checkPast(c, "date", "检查日期", v.Date); err != nil {
			return err
		}
		if err := notBefore(c, ActVisit, "date", "检查日期", v.Date, c.opened(), c.lastEvidence(), c.lastAcceptance(), c.closedOut(), c.lastVisit()); err != nil {
			return err
		}
		if err := s.checkAttachments(ctx, "the visit", "回头看", v.Attachments, 0); err != nil {
			return err
		}
		v.Inspector, v.Finding = strings.TrimSpace(v.Inspector), strings.TrimSpace(v.Finding)
		c.Visits = append(c.Visits, v)
		ev.Reason = v.Finding
		switch {
		case v.Relapsed:
			if c.Disposition == Close {
				c.Checklist = nil
			}
			c.State, c.Round, c.ReopenedFrom = Rectifying, c.Round+1, ""
			c.Relapses, c.RelapsedOn, c.RectifiedOn = c.Relapses+1, v.Date, rectifiedOn(c)
		case c.State == Reopened:
			c.State, c.ReopenedFrom = c.ReopenedFrom, ""
		}
		return data(ev, map[string]any{"visit": v, "relapse_evidence": c.RelapseEvidence})
	})
}

// checkPast refuses a date that is not one, or after today.
func (s *Service) checkPast(c *Case, field, zh, date string) error {
	if err := checkDate(field, zh, date); err != nil {
		return err
	}
	if today := s.Today(); date > today {
		return apperr.Newf(apperr.Invalid, "case %[1]d: %[2]s %[4]s is in the future (today is %[5]s)", "案件 %[1]d：%[3]s %[4]s 晚于今天（%[5]s）",
			c.ID, field, zh, date, today)
	}
	return nil
}

// mark is a date on a case that a later step may not precede, named.
type mark struct{ date, en, zh string }

// notBefore refuses a step's date (its field named) that precedes the
// latest of marks, naming both dates.
func notBefore(c *Case, a Action, field, zh, date string, marks ...mark) error {
	var last mark
	for _, m := range marks {
		if m.date > last.date {
			last = m
		}
	}
	if date < last.date {
		return lacks(c, a, fmt.Sprintf("%s %s is before %s (%s)", field, date, last.en, last.date),
			fmt.Sprintf("%s %s 早于%s %s", zh, date, last.zh, last.date))
	}
	return nil
}

func (c *Case) opened() mark { return mark{c.OpenedOn, "the case's opening", "立案日期"} }

func (c *Case) relapsed() mark {
	return mark{c.RelapsedOn, "the relapse found on a visit", "回头看发现复产日期"}
}

func (c *Case) closedOut() mark { return mark{c.ClosedOutOn, "the close-out", "销号日期"} }

// lastEvidence is the latest date of the disposition's evidence recorded.
func (c *Case) lastEvidence() mark {
	var m mark
	switch c.Disposition {
	case Close:
		for _, x := range c.Checklist {
			if x.Date > m.date {
				m = mark{x.Date, "the " + x.Step.En(), x.Step.Zh() + "日期"}
			}
		}
	case Relocate:
		if c.Relocation != nil {
			m = mark{c.Relocation.MovedOn, "the move", "搬迁完成日期"}
		}
	case Upgrade, StopRectify:
		for _, it := range c.Items {
			if it.Done > m.date {
				m = mark{it.Done, fmt.Sprintf("item %d done", it.No), fmt.Sprintf("第 %d 项整改事项完成日期", it.No)}
			}
		}
	}
	return m
}

func (c *Case) lastAcceptance() mark {
	var m mark
	for _, a := range c.Accepts {
		if a.Date >= m.date {
			m = mark{a.Date, fmt.Sprintf("the %s of round %d", levelNames[a.Level][0], a.Round),
				fmt.Sprintf("第 %d 轮%s日期", a.Round, levelNames[a.Level][1])}
		}
	}
	return m
}

func (c *Case) lastVisit() mark {
	var m mark
	for _, v := range c.Visits {
		if v.Date >= m.date {
			m = mark{v.Date, "the previous visit", "上次回头看日期"}
		}
	}
	return m
}

// missing lists the evidence a case's disposition still lacks, nil if none.
func missing(c *Case) (en, zh []string) {
	switch c.Disposition {
	case Close:
		for _, st := range Steps {
			if !slices.ContainsFunc(c.Checklist, func(x CheckItem) bool { return x.Step == st }) {
				en, zh = append(en, st.En()+" not recorded"), append(zh, st.Zh()+"未记录")
			}
		}
	case Relocate:
		if c.Relocation == nil || c.Relocation.MovedOn == "" {
			en, zh = append(en, "the move is not recorded"), append(zh, "未记录搬迁完成")
		}
	case Upgrade, StopRectify:
		if len(c.Items) == 0 {
			en, zh = append(en, "no rectification item"), append(zh, "无整改事项")
		}
		for _, it := range c.Items {
			if it.Done == "" {
				en, zh = append(en, fmt.Sprintf("item %d is not done", it.No)), append(zh, fmt.Sprintf("第 %d 项整改事项未完成", it.No))
			}
		}
	}
	return en, zh
}

// rectifiedOn is the date the disposition's evidence became complete: the
// latest of its dates, "" while something is missing.
func rectifiedOn(c *Case) string {
	if en, _ := missing(c); en != nil {
		return ""
	}
	var last string
	switch c.Disposition {
	case Close:
		for _, x := range c.Checklist {
			last = max(last, x.Date)
		}
	case Relocate:
		last = c.Relocation.MovedOn
	default:
		for _, it := range c.Items {
			last = max(last, it.Done)
		}
	}
	return last
}

// setStatus sets an enterprise's registry status through the registry's
// write path, inside tx, so that its change history records it with the
// case's actor. With onlyFrom given, only an enterprise in one of those
// statuses changes. It returns the change made, nil if none.
func setStatus(ctx context.Context, tx Tx, uscc, status string, by auth.Principal, onlyFrom ...string) (map[string]string, error) {
	reg := tx.Registry()
	es, _, err := reg.Enterprises(ctx, registry.EnterpriseFilter{USCC: uscc})
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, apperr.Newf(apperr.NotFound, "no enterprise %s", "无统一社会信用代码为 %s 的企业", uscc)
	}
	from := es[0].Status
	if from == status || len(onlyFrom) > 0 && !slices.Contains(onlyFrom, from) {
		return nil, nil
	}
	k, _ := registry.KindByName("enterprises")
	if _, err := registry.NewService(reg).Save(ctx, k, uscc, map[string]string{"status": status}, by); err != nil {
		return nil, fmt.Errorf("compliance: set enterprise %s %s: %w", uscc, status, err)
	}
	return map[string]string{"uscc": uscc, "from": from, "to": status}, nil
}
