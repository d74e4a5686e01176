package demo

import (
	"container/heap"
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/registry"
)

// Summary is what Campaigns left in the store, and what this call did.
type Summary struct {
	Campaigns []CampaignSummary
	Steps     int // service calls this call replayed (0: the campaigns were complete)
	Photos    int // photos this call stored
}

// CampaignSummary is one campaign's cases by state and by disposition
// (dismissed cases have none).
type CampaignSummary struct {
	ID           int64
	Name         string
	Cases        int
	States       map[compliance.State]int
	Dispositions map[compliance.Disposition]int
}

func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d steps, %d photos", s.Steps, s.Photos)
	for _, c := range s.Campaigns {
		fmt.Fprintf(&b, "; campaign %d %s: %d cases", c.ID, c.Name, c.Cases)
		for _, st := range compliance.States {
			if n := c.States[st]; n > 0 {
				fmt.Fprintf(&b, ", %s %d", st, n)
			}
		}
		for _, d := range compliance.Dispositions {
			fmt.Fprintf(&b, ", %s %d", d, c.Dispositions[d])
		}
	}
	return b.String()
}

// Campaigns replays the demo's two rectification campaigns, synthetic and
// marked so, over the registry demo.Load filled into st: the Jinyun special
// campaign from 2014 (jinyun.go) and the city's "四无" campaign of
// 2020–2022 (fournos.go). Photos go to files.
//
// Every step is an ordinary call of a compliance.Service of its own, its
// clock (SetClock) set to the moment the step happened, so that the audit
// log tells the history; a Service of its own, so that no other user of
// the store sees that clock. Steps of the two campaigns interleave in time
// order: the 2020 survey sees the Jinyun closures carried out by then, not
// those after. The steps commit a few hundred at a time (batch): one by
// one, the sync of each commit would take most of the time.
//
// Everything follows from seed and the registry: the same seed gives the
// same campaigns, cases, states and dates. Campaigns that are there already
// are not made again, and a case whose steps are all done (its version
// counts them) is left alone: a second call only reads, and a call after
// an interrupted one finishes its work.
func Campaigns(ctx context.Context, st compliance.Store, files compliance.Attachments, seed int64) (Summary, error) {
	es, _, err := st.Enterprises(ctx, registry.EnterpriseFilter{})
	if err != nil {
		return Summary{}, fmt.Errorf("demo: campaigns: %w", err)
	}
	b := &batch{Store: st}
	r := &replay{ctx: ctx, svc: compliance.NewService(b, files), seed: seed,
		ents: make(map[string]*registry.Enterprise, len(es)), photos: map[photo]string{}}
	r.svc.SetClock(func() time.Time { return r.now })
	for i := range es {
		r.ents[es[i].USCC] = &es[i]
	}
	existing, err := r.svc.Campaigns(ctx, actor)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: campaigns: %w", err)
	}
	runs, err := r.svc.Runs(ctx, actor)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: campaigns: %w", err)
	}
	for i, def := range campaignDefs {
		cr := &campaignRun{def: def, index: i}
		if j := slices.IndexFunc(existing, func(c compliance.Campaign) bool { return c.Synthetic && c.Name == def.campaign.Name }); j >= 0 {
			cr.id = existing[j].ID
			cr.surveyed = slices.ContainsFunc(runs, func(run compliance.Run) bool { return run.Campaign == cr.id })
		}
		r.camps = append(r.camps, cr)
	}
	if done, err := r.complete(); err != nil || done {
		if err != nil {
			return Summary{}, err
		}
		return r.summary()
	}
	for _, cr := range r.camps {
		heap.Push(&r.queue, pending{at: cr.def.created, camp: cr.index, i: -2})
	}
	for r.queue.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return Summary{}, err
		}
		if r.queue[0].i < 0 {
			// Campaigns and surveys read outside any transaction: they
			// see what the batches before them committed.
			if err := r.step(heap.Pop(&r.queue).(pending)); err != nil {
				return Summary{}, err
			}
			continue
		}
		err := st.UpdateCompliance(ctx, func(tx compliance.Tx) error {
			b.tx = tx
			defer func() { b.tx = nil }()
			for n := 0; n < batchSteps && r.queue.Len() > 0 && r.queue[0].i >= 0; n++ {
				if err := r.step(heap.Pop(&r.queue).(pending)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return Summary{}, err
		}
	}
	return r.summary()
}

// batchSteps is how many steps commit together: a few hundred milliseconds
// of the store's one writer.
const batchSteps = 400

// batch is a compliance.Store whose UpdateCompliance joins the transaction
// tx while one is open: the steps of a batch are one commit. A step that
// fails fails its batch, which rolls back whole.
type batch struct {
	compliance.Store
	tx compliance.Tx
}

func (b *batch) UpdateCompliance(ctx context.Context, fn func(compliance.Tx) error) error {
	if b.tx == nil {
		return b.Store.UpdateCompliance(ctx, fn)
	}
	return fn(b.tx)
}

// campaignDef is a campaign to replay: what it is, when it was made and
// surveyed, and how its cases go.
type campaignDef struct {
	key      string // names its photos and seeds its randomness
	campaign compliance.Campaign
	created  time.Time
	surveyed time.Time
	survey   compliance.SurveyOptions
	plan     func(r *replay, cr *campaignRun)
}

var campaignDefs = []*campaignDef{jinyun, fourNos}

// actor is who made every step: the demo.
var actor = auth.Server("demo")

// replay is one call of Campaigns.
type replay struct {
	ctx    context.Context
	svc    *compliance.Service
	seed   int64
	ents   map[string]*registry.Enterprise
	camps  []*campaignRun
	queue  queue
	now    time.Time // the service's clock while replaying
	photos map[photo]string
	steps  int
	stored int
}

// campaignRun is a campaign being replayed.
type campaignRun struct {
	def      *campaignDef
	index    int
	id       int64 // 0 until created
	surveyed bool
	cases    []*caseRun // in USCC order
	byUSCC   map[string]*caseRun
}

// caseRun is a case and the steps planned for it.
type caseRun struct {
	c      compliance.Case
	serial int // its position in the campaign, from 1
	disp   compliance.Disposition
	acts   []action
	photo  bool // its steps attach its photo
	// settled is when its plan closes it out or dismisses it the first
	// time; zero if it never does.
	settled time.Time
}

// done is how many of its steps the case has had: every step is one
// version, after the opening's 1.
func (k *caseRun) done() int { return k.c.Version - 1 }

// action is one planned step of a case: a service call at an instant.
type action struct {
	at time.Time
	do func(r *replay, ed compliance.Edit, day string) (compliance.Case, error)
}

// pending is the next step of a case (i its index), or of a campaign
// (uscc "", i -2 creating it, -1 surveying it).
type pending struct {
	at   time.Time
	camp int
	uscc string
	i    int
}

type queue []pending

func (q queue) Len() int { return len(q) }
func (q queue) Less(i, j int) bool {
	a, b := q[i], q[j]
	switch {
	case !a.at.Equal(b.at):
		return a.at.Before(b.at)
	case a.camp != b.camp:
		return a.camp < b.camp
	case a.uscc != b.uscc:
		return a.uscc < b.uscc
	}
	return a.i < b.i
}
func (q queue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *queue) Push(x any)   { *q = append(*q, x.(pending)) }
func (q *queue) Pop() any {
	old := *q
	p := old[len(old)-1]
	*q = old[:len(old)-1]
	return p
}

// step runs one pending step and queues what follows it.
func (r *replay) step(p pending) error {
	cr := r.camps[p.camp]
	r.now = p.at
	switch {
	case p.i == -2:
		if cr.id == 0 {
			c, err := r.svc.CreateCampaign(r.ctx, cr.def.campaign, actor)
			if err != nil {
				return fmt.Errorf("demo: create campaign %s: %w", cr.def.campaign.Name, err)
			}
			cr.id = c.ID
			r.steps++
		}
		heap.Push(&r.queue, pending{at: cr.def.surveyed, camp: p.camp, i: -1})
		return nil
	case p.i == -1:
		if !cr.surveyed {
			if _, err := r.svc.Survey(r.ctx, cr.id, cr.def.survey, actor); err != nil {
				return fmt.Errorf("demo: survey %s: %w", cr.def.campaign.Name, err)
			}
			cr.surveyed = true
			r.steps++
		}
		if err := r.load(cr); err != nil {
			return err
		}
		if err := r.storePhotos(cr); err != nil {
			return err
		}
		for _, k := range cr.cases {
			if n := k.done(); n < len(k.acts) {
				heap.Push(&r.queue, pending{at: k.acts[n].at, camp: p.camp, uscc: k.c.USCC, i: n})
			}
		}
		return nil
	}
	k := cr.byUSCC[p.uscc]
	a := k.acts[p.i]
	c, err := a.do(r, compliance.Edit{Case: k.c.ID, Version: k.c.Version, By: actor}, a.at.In(cst.Zone).Format(time.DateOnly))
	if err != nil {
		return fmt.Errorf("demo: %s case %d (%s), step %d on %s: %w", cr.def.key, k.c.ID, k.c.USCC, p.i+1, a.at.Format(time.DateOnly), err)
	}
	k.c = c
	r.steps++
	if n := k.done(); n < len(k.acts) {
		heap.Push(&r.queue, pending{at: k.acts[n].at, camp: p.camp, uscc: k.c.USCC, i: n})
	}
	return nil
}

// load reads a surveyed campaign's cases and plans their steps.
func (r *replay) load(cr *campaignRun) error {
	cs, _, err := r.svc.Cases(r.ctx, actor, compliance.CaseFilter{Campaign: cr.id})
	if err != nil {
		return fmt.Errorf("demo: cases of %s: %w", cr.def.campaign.Name, err)
	}
	slices.SortFunc(cs, func(a, b compliance.Case) int { return strings.Compare(a.USCC, b.USCC) })
	cr.cases, cr.byUSCC = make([]*caseRun, len(cs)), make(map[string]*caseRun, len(cs))
	for i, c := range cs {
		k := &caseRun{c: c, serial: i + 1}
		cr.cases[i], cr.byUSCC[c.USCC] = k, k
	}
	cr.def.plan(r, cr)
	return nil
}

// complete reports whether every campaign is there with all its steps done.
func (r *replay) complete() (bool, error) {
	for _, cr := range r.camps {
		if !cr.surveyed {
			return false, nil
		}
		if err := r.load(cr); err != nil {
			return false, err
		}
		for _, k := range cr.cases {
			if k.done() < len(k.acts) {
				return false, nil
			}
		}
	}
	return true, nil
}

func (r *replay) summary() (Summary, error) {
	s := Summary{Steps: r.steps, Photos: r.stored}
	for _, cr := range r.camps {
		cs, _, err := r.svc.Cases(r.ctx, actor, compliance.CaseFilter{Campaign: cr.id})
		if err != nil {
			return s, fmt.Errorf("demo: cases of %s: %w", cr.def.campaign.Name, err)
		}
		cs1 := CampaignSummary{ID: cr.id, Name: cr.def.campaign.Name, Cases: len(cs), States: map[compliance.State]int{}, Dispositions: map[compliance.Disposition]int{}}
		for _, c := range cs {
			cs1.States[c.State]++
			if c.Disposition != "" {
				cs1.Dispositions[c.Disposition]++
			}
		}
		s.Campaigns = append(s.Campaigns, cs1)
	}
	return s, nil
}

// rng returns the randomness of one campaign (uscc "") or case.
func (r *replay) rng(cr *campaignRun, uscc string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(cr.def.key + "/" + uscc))
	return rand.New(rand.NewPCG(uint64(r.seed), h.Sum64()))
}

// dayCST is a date of the bureau's calendar.
func dayCST(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, cst.Zone)
}

func later(a, b time.Time) time.Time { return iff(a.After(b), a, b) }

// timeline builds a case's steps in time order, each at a working hour,
// none after until: a step that would be is dropped with all after it, and
// the case stays where it got to.
type timeline struct {
	r       *rand.Rand
	cr      *campaignRun
	k       *caseRun
	last    time.Time // the instant of the latest step
	until   time.Time // the last day steps may happen on
	stopped bool
	// closedOut: the latest step planned is a 销号 or a visit after one.
	closedOut bool
}

func (r *replay) timeline(cr *campaignRun, k *caseRun, start, until time.Time) *timeline {
	return &timeline{r: r.rng(cr, k.c.USCC), cr: cr, k: k, last: start, until: until}
}

// day is the date of the latest step.
func (t *timeline) day() time.Time {
	l := t.last.In(cst.Zone)
	return dayCST(l.Year(), l.Month(), l.Day())
}

// after is a day from lo to hi days after the latest step.
func (t *timeline) after(lo, hi int) time.Time { return t.day().AddDate(0, 0, lo+t.r.IntN(hi-lo+1)) }

// between is a day from a to b (a when b is before it).
func (t *timeline) between(a, b time.Time) time.Time {
	return a.AddDate(0, 0, t.r.IntN(max(0, int(math.Round(b.Sub(a).Hours()/24)))+1))
}

// add plans a step on day d (or the latest step's day, if later): in the
// morning or afternoon, after any step already that day. It reports
// whether the step is planned.
func (t *timeline) add(d time.Time, do func(r *replay, ed compliance.Edit, day string) (compliance.Case, error)) bool {
	if t.stopped {
		return false
	}
	d = later(d, t.day())
	if d.After(t.until) {
		t.stopped = true
		return false
	}
	at := d.Add(time.Duration(8*60+30+t.r.IntN(8*60)) * time.Minute)
	if !at.After(t.last) {
		at = t.last.Add(time.Duration(5+t.r.IntN(40)) * time.Minute)
	}
	t.last = at
	t.k.acts = append(t.k.acts, action{at: at, do: do})
	return true
}

// The service calls a plan is made of.

func classify(p compliance.Plan) func(*replay, compliance.Edit, string) (compliance.Case, error) {
	return func(r *replay, ed compliance.Edit, _ string) (compliance.Case, error) {
		return r.svc.Classify(r.ctx, ed, p)
	}
}

func checklist(st compliance.Step, ph photo, note string) func(*replay, compliance.Edit, string) (compliance.Case, error) {
	return func(r *replay, ed compliance.Edit, day string) (compliance.Case, error) {
		return r.svc.RecordChecklist(r.ctx, ed, compliance.CheckItem{Step: st, Date: day, Attachments: r.ids(ph), Note: note})
	}
}

func relocation(rel compliance.Relocation, ph *photo) func(*replay, compliance.Edit, string) (compliance.Case, error) {
	return func(r *replay, ed compliance.Edit, day string) (compliance.Case, error) {
		if ph != nil {
			rel.MovedOn, rel.Attachments = day, r.ids(*ph)
		}
		return r.svc.SetRelocation(r.ctx, ed, rel)
	}
}

// item adds rectification item text (no 0), or marks item no done with ph.
func item(no int, text string, ph photo) func(*replay, compliance.Edit, string) (compliance.Case, error) {
	return func(r *replay, ed compliance.Edit, day string) (compliance.Case, error) {
		it := compliance.Item{No: no, Text: text}
		if no > 0 {
			it.Done, it.Attachments = day, r.ids(ph)
		}
		return r.svc.RecordItem(r.ctx, ed, it)
	}
}

func accept(level int, result, inspector, note string, ph photo) func(*replay, compliance.Edit, string) (compliance.Case, error) {
	return func(r *replay, ed compliance.Edit, day string) (compliance.Case, error) {
		return r.svc.Accept(r.ctx, ed, compliance.Acceptance{Level: level, Result: result, Date: day, Inspector: inspector, Note: note, Attachments: r.ids(ph)})
	}
}

// closeOut plans the 销号 on day d, with a document number of the year
// from the office's prefix and the case's serial. It reports whether it
// is planned.
func (t *timeline) closeOut(d time.Time, prefix, note string) bool {
	no := t.k.serial
	ok := t.add(d, func(r *replay, ed compliance.Edit, day string) (compliance.Case, error) {
		return r.svc.CloseOut(r.ctx, ed, compliance.CloseOut{Date: day, DocumentNo: fmt.Sprintf("%s〔%s〕%d号", prefix, day[:4], no), Note: note})
	})
	if ok && t.k.settled.IsZero() {
		t.k.settled = t.last
	}
	t.closedOut = ok
	return ok
}

// dismiss plans the case's dismissal on day d.
func (t *timeline) dismiss(d time.Time, reason string) {
	if t.add(d, func(r *replay, ed compliance.Edit, _ string) (compliance.Case, error) {
		return r.svc.Dismiss(r.ctx, ed, reason)
	}) {
		t.k.settled = t.last
	}
}

// visit is a 回头看; ph, if given, is the evidence of a relapse.
func visit(inspector, finding string, relapsed bool, ph *photo) func(*replay, compliance.Edit, string) (compliance.Case, error) {
	return func(r *replay, ed compliance.Edit, day string) (compliance.Case, error) {
		v := compliance.Visit{Date: day, Inspector: inspector, Finding: finding, Relapsed: relapsed}
		if ph != nil {
			v.Attachments = r.ids(*ph)
		}
		return r.svc.Visit(r.ctx, ed, v)
	}
}

// The steps common to both campaigns.

// acceptance plans the three levels from about lo days after the latest
// step, all passing, each with the case's acceptance photo; with failAt
// > 0 that level fails instead (and the plan stops there). It reports
// whether every level is planned.
// acceptance plans the levels up to last (3: all), from lo to lo+25 days
// after the latest step, each with the case's photo; level failAt (0:
// none) fails, and the plan stops there. It reports whether every level
// up to last is planned and passes.
func (t *timeline) acceptance(failAt, last int, inspectors [3]string, lo int) bool {
	ph := t.photo()
	gaps := [4][2]int{{}, {lo, lo + 25}, {5, 40}, {7, 50}}
	for level := 1; level <= last; level++ {
		d := t.after(gaps[level][0], gaps[level][1])
		if level == failAt {
			t.add(d, accept(level, compliance.Fail, inspectors[level-1], failNotes[t.k.disp], ph))
			return false
		}
		if !t.add(d, accept(level, compliance.Pass, inspectors[level-1], passNotes[level], ph)) {
			return false
		}
	}
	return true
}

// passNotes are the verdicts of the three levels, on the five criteria of
// governance.md §2.2 (措施到位, 问题解决, 机制健全, 行动规范, 资料齐全).
var passNotes = [4]string{"", "属地自查：措施到位，资料齐全", "牵头单位复查：问题解决，行动规范", "督察办核查：机制健全，同意销号"}

// failNotes say why an acceptance failed, by disposition.
var failNotes = map[compliance.Disposition]string{
	compliance.Close:       "复查发现生产设备未彻底清除，现场仍有残留原料",
	compliance.Relocate:    "原址生产设施未拆除到位",
	compliance.Upgrade:     "治理设施未正常运行，整改资料不全",
	compliance.StopRectify: "整改事项未全部落实，暂不具备复产条件",
}

// twoCutsThreeClears plans a closure's 两断三清 from day from: the cuts on
// one day or a few apart, the clearing over weeks; clearBy, if later than
// the natural end, is when the equipment is gone. It reports whether all
// five steps are planned.
func (t *timeline) twoCutsThreeClears(from, clearBy time.Time, notes [5]string) bool {
	ph := t.photo()
	ok := t.add(from, checklist(compliance.PowerCut, ph, notes[0])) &&
		t.add(t.after(0, 5), checklist(compliance.WaterCut, ph, notes[1])) &&
		t.add(t.after(5, 30), checklist(compliance.MaterialsCleared, ph, notes[2]))
	equipment := t.after(5, 50)
	if !clearBy.IsZero() {
		equipment = later(equipment, t.between(clearBy.AddDate(0, 0, -20), clearBy))
	}
	return ok && t.add(equipment, checklist(compliance.EquipmentCleared, ph, notes[3])) &&
		t.add(t.after(0, 15), checklist(compliance.ProductsCleared, ph, notes[4]))
}

// closureNotes are the notes of a checklist's steps.
var closureNotes = [5]string{"供电部门拆除计量表，切断生产用电", "切断生产用水并铅封", "原辅材料清运完毕", "生产设备拆除并清运出场", "库存产品清理完毕"}

// Names of people: synthetic, from common surnames and given-name characters.
var (
	surnames = []rune("王李张刘陈杨黄赵吴周徐孙朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾潘叶蒋杜程魏吕沈钟姚卢应楼麻蓝")
	givens   = []rune("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国红文斌辉海波鹏宇飞浩凯俊晨琳婷")
)

func person(r *rand.Rand) string {
	n := []rune{surnames[r.IntN(len(surnames))], givens[r.IntN(len(givens))]}
	if r.IntN(3) > 0 {
		n = append(n, givens[r.IntN(len(givens))])
	}
	return string(n)
}

// townOf is the town or sub-district an enterprise's address names, "" if none.
func townOf(e *registry.Enterprise) string {
	for _, c := range counties {
		if c.code == e.County {
			for _, t := range c.towns {
				if strings.Contains(e.Address, t) {
					return t
				}
			}
		}
	}
	return ""
}

// townGov is the government of a town, or the office of a sub-district.
func townGov(county, town string) string {
	switch {
	case town == "":
		return countyName(county) + "人民政府"
	case strings.HasSuffix(town, "街道"):
		return town + "办事处"
	}
	return town + "人民政府"
}

func countyName(code string) string {
	for _, c := range counties {
		if c.code == code {
			return c.name
		}
	}
	return code
}

// quotas deals n cases outcomes by share: a slice of n outcome indexes,
// round(share·n) of each but the last, which takes the rest.
func quotas(n int, shares []float64) []int {
	out := make([]int, 0, n)
	for i, s := range shares[:len(shares)-1] {
		for range min(int(math.Round(s*float64(n))), n-len(out)) {
			out = append(out, i)
		}
	}
	for len(out) < n {
		out = append(out, len(shares)-1)
	}
	return out
}
