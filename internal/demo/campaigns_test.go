package demo

import (
	"context"
	"errors"
	"image/png"
	"io"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/compliance"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store"
	"ecoindustry/internal/store/sqlite"
)

// demoStore is a fresh SQLite store in a temporary directory with the demo
// registry of n enterprises loaded, and its attachments beside it.
func demoStore(t *testing.T, seed int64, n int) (*store.DB, compliance.Attachments) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.OpenDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := Load(ctx, registry.NewService(db), Generate(seed, n)); err != nil {
		t.Fatal(err)
	}
	return db, db.Attachments(filepath.Join(dir, "attachments"))
}

// history is every case of every campaign with its audit log.
type history struct {
	campaigns []compliance.Campaign
	cases     []compliance.Case
	events    map[int64][]compliance.Event
}

func historyOf(t *testing.T, svc *compliance.Service) history {
	t.Helper()
	ctx := context.Background()
	h := history{events: map[int64][]compliance.Event{}}
	var err error
	if h.campaigns, err = svc.Campaigns(ctx, sys); err != nil {
		t.Fatal(err)
	}
	if h.cases, _, err = svc.Cases(ctx, sys, compliance.CaseFilter{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range h.cases {
		if h.events[c.ID], err = svc.Events(ctx, sys, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	for i := range h.campaigns {
		h.campaigns[i].CreatedAt = h.campaigns[i].CreatedAt.UTC()
	}
	return h
}

// failedRound is an acceptance round that failed, and the step done again.
var failedRound = regexp.MustCompile(`( accept pass)* accept fail checklist equipment_cleared`)

// failAfter is a store whose UpdateCompliance fails after n calls: an
// interruption.
type failAfter struct {
	compliance.Store
	n int
}

var errInterrupted = errors.New("interrupted")

func (f *failAfter) UpdateCompliance(ctx context.Context, fn func(compliance.Tx) error) error {
	if f.n == 0 {
		return errInterrupted
	}
	f.n--
	return f.Store.UpdateCompliance(ctx, fn)
}

// The same seed gives the same campaigns, cases, states, dates and audit
// logs, also when the first call is interrupted and a second finishes it.
func TestCampaignsAreDeterministic(t *testing.T) {
	ctx := context.Background()
	const seed, n = 5, 800
	db1, files1 := demoStore(t, seed, n)
	s1, err := Campaigns(ctx, db1, files1, seed)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(s1)
	db2, files2 := demoStore(t, seed, n)
	// Interrupted after the Jinyun campaign's creation, its survey and one
	// batch of steps: the second batch rolls back.
	if _, err := Campaigns(ctx, &failAfter{Store: db2, n: 3}, files2, seed); !errors.Is(err, errInterrupted) {
		t.Fatalf("interrupted: %v", err)
	}
	s2, err := Campaigns(ctx, db2, files2, seed)
	if err != nil {
		t.Fatal(err)
	}
	if s2.Steps == 0 || s2.Steps >= s1.Steps {
		t.Errorf("the resumed call made %d steps, the whole %d", s2.Steps, s1.Steps)
	}
	if !reflect.DeepEqual(s1.Campaigns, s2.Campaigns) {
		t.Errorf("summaries differ:\n%v\n%v", s1, s2)
	}
	h1, h2 := historyOf(t, compliance.NewService(db1, files1)), historyOf(t, compliance.NewService(db2, files2))
	if !reflect.DeepEqual(h1.campaigns, h2.campaigns) {
		t.Errorf("campaigns differ:\n%+v\n%+v", h1.campaigns, h2.campaigns)
	}
	if len(h1.cases) != len(h2.cases) || len(h1.cases) == 0 {
		t.Fatalf("%d and %d cases", len(h1.cases), len(h2.cases))
	}
	for i := range h1.cases {
		a, b := h1.cases[i], h2.cases[i]
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("case %d differs:\n%+v\n%+v", a.ID, a, b)
		}
		if !reflect.DeepEqual(h1.events[a.ID], h2.events[a.ID]) {
			t.Fatalf("case %d: audit logs differ", a.ID)
		}
	}
}

func TestCampaigns(t *testing.T) {
	ctx := context.Background()
	const seed = 1
	n := 3000
	if testing.Short() {
		n = 800
	}
	db, files := demoStore(t, seed, n)
	start := time.Now()
	sum, err := Campaigns(ctx, db, files, seed)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d enterprises: campaigns in %v: %v", n, time.Since(start).Round(time.Millisecond), sum)
	svc := compliance.NewService(db, files)
	h := historyOf(t, svc)
	if len(h.campaigns) != 2 {
		t.Fatalf("%d campaigns", len(h.campaigns))
	}
	jy, sw := h.campaigns[0], h.campaigns[1]
	if !jy.Synthetic || !sw.Synthetic || jy.Name != jinyun.campaign.Name || sw.Name != fourNos.campaign.Name {
		t.Fatalf("campaigns %+v", h.campaigns)
	}
	es, _, err := db.Enterprises(ctx, registry.EnterpriseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ents := map[string]registry.Enterprise{}
	for _, e := range es {
		ents[e.USCC] = e
	}
	byCampaign := map[int64][]compliance.Case{}
	for _, c := range h.cases {
		byCampaign[c.Campaign] = append(byCampaign[c.Campaign], c)
	}

	t.Run("Jinyun", func(t *testing.T) {
		cs := byCampaign[jy.ID]
		count := func(f func(c compliance.Case) bool) int {
			n := 0
			for _, c := range cs {
				if f(c) {
					n++
				}
			}
			return n
		}
		closures := count(func(c compliance.Case) bool { return c.Disposition == compliance.Close })
		closedOut := count(func(c compliance.Case) bool {
			return c.Disposition == compliance.Close && c.State == compliance.ClosedOut
		})
		t.Logf("%d cases, %d closures, %d of them closed out", len(cs), closures, closedOut)
		if n == 3000 && (len(cs) < 260 || closures <= 200) {
			t.Errorf("%d cases, %d closures: want 260 or more, over 200", len(cs), closures)
		}
		if closedOut*10 < closures*8 {
			t.Errorf("%d of %d closures closed out: want most", closedOut, closures)
		}
		for what, f := range map[string]func(c compliance.Case) bool{
			"in acceptance":           func(c compliance.Case) bool { return c.State == compliance.Accepting },
			"rectifying, overdue":     func(c compliance.Case) bool { return c.State == compliance.Rectifying && c.Deadline < date(asOf) },
			"rectifying, not overdue": func(c compliance.Case) bool { return c.State == compliance.Rectifying && c.Deadline > date(asOf) },
			"relocated":               func(c compliance.Case) bool { return c.Disposition == compliance.Relocate && c.CarriedOutOn != "" },
			"upgraded": func(c compliance.Case) bool {
				return c.Disposition == compliance.Upgrade && c.State == compliance.ClosedOut
			},
			"dismissed": func(c compliance.Case) bool { return c.State == compliance.Dismissed },
			"relapsed, closed out again": func(c compliance.Case) bool {
				return c.Relapses > 0 && c.State == compliance.ClosedOut
			},
			"relapsed, rectifying again": func(c compliance.Case) bool {
				return c.Relapses > 0 && c.State != compliance.ClosedOut
			},
			"visited after 销号": func(c compliance.Case) bool { return len(c.Visits) > 0 && c.Relapses == 0 },
		} {
			if count(f) == 0 {
				t.Errorf("no case %s", what)
			}
		}
		for _, c := range cs {
			e := ents[c.USCC]
			if c.OpenedOn != "2014-03-17" || c.County != jinyunCounty || !inIndustries(c.Industry, jinyunIndustries) || e.Founded > c.OpenedOn {
				t.Errorf("case %d: opened %s, county %s, industry %s, enterprise founded %s", c.ID, c.OpenedOn, c.County, c.Industry, e.Founded)
			}
		}
		// The generator closes none of the campaign's enterprises: closures do
		// (its own, or a later campaign's).
		for _, e := range es {
			if e.County == jinyunCounty && inIndustries(e.IndustryCode, jinyunIndustries) && e.Status == "closed" &&
				!slices.ContainsFunc(h.cases, func(c compliance.Case) bool {
					return c.USCC == e.USCC && c.Disposition == compliance.Close && c.CarriedOutOn != ""
				}) {
				t.Errorf("%s is closed without a closure", e.USCC)
			}
		}
	})

	t.Run("FourNos", func(t *testing.T) {
		cs := byCampaign[sw.ID]
		disp, counties := map[compliance.Disposition]int{}, map[string]bool{}
		for _, c := range cs {
			disp[c.Disposition]++
			counties[c.County] = true
			if c.OpenedOn != "2020-03-16" || len(c.Criteria) == 0 || ents[c.USCC].Founded > c.OpenedOn {
				t.Errorf("case %d: opened %s, criteria %v, enterprise founded %s", c.ID, c.OpenedOn, c.Criteria, ents[c.USCC].Founded)
			}
		}
		t.Logf("%d cases in %d counties: %v", len(cs), len(counties), disp)
		if disp[compliance.Upgrade]+disp[compliance.StopRectify] <= 2*disp[compliance.Close] || disp[compliance.Relocate] == 0 || disp[""] == 0 {
			t.Errorf("dispositions %v: want more upgrades and stop-and-rectify than closures, and some relocations and dismissals", disp)
		}
		if n == 3000 && len(counties) != 9 {
			t.Errorf("cases in %d counties, want 9", len(counties))
		}
	})

	t.Run("Stats", func(t *testing.T) {
		for _, c := range h.campaigns {
			st, err := svc.Stats(ctx, sys, c.ID, date(asOf))
			if err != nil {
				t.Fatal(err)
			}
			cs := byCampaign[c.ID]
			tot := st.Total
			want := compliance.Counts{InScope: tot.InScope, Surveyed: len(cs)}
			months := map[string]compliance.Month{}
			for _, k := range cs {
				m := months[k.OpenedOn[:7]]
				m.Surveyed++
				months[k.OpenedOn[:7]] = m
				switch k.Disposition {
				case compliance.Close:
					want.Close++
					want.Closed += iff(k.CarriedOutOn != "", 1, 0)
				case compliance.Relocate:
					want.Relocate++
					want.Relocated += iff(k.CarriedOutOn != "", 1, 0)
				case compliance.Upgrade, compliance.StopRectify:
					want.Upgrade += iff(k.Disposition == compliance.Upgrade, 1, 0)
					want.StopRectify += iff(k.Disposition == compliance.StopRectify, 1, 0)
					want.Upgraded += iff(k.State == compliance.ClosedOut, 1, 0)
				}
				want.Dismissed += iff(k.State == compliance.Dismissed, 1, 0)
				want.Accepted += iff(k.AcceptedOn != "", 1, 0)
				if k.State == compliance.ClosedOut {
					want.ClosedOut++
					m := months[k.ClosedOutOn[:7]]
					m.ClosedOut++
					months[k.ClosedOutOn[:7]] = m
				}
				want.Overdue += iff(k.Deadline != "" && k.Deadline < date(asOf) && k.State != compliance.ClosedOut && k.State != compliance.Dismissed, 1, 0)
				want.Relapsed += iff(k.Relapses > 0, 1, 0)
			}
			if tot.Dismissed+tot.Close+tot.Relocate+tot.Upgrade+tot.StopRectify != tot.Surveyed {
				t.Errorf("%s: dismissed and dispositions add up to %d, not the %d surveyed", c.Name, tot.Dismissed+tot.Close+tot.Relocate+tot.Upgrade+tot.StopRectify, tot.Surveyed)
			}
			tot.SurveyRate, tot.DisposalRate = 0, 0
			if tot != want {
				t.Errorf("%s: stats\n%+v, counted\n%+v", c.Name, tot, want)
			}
			for _, groups := range [][]compliance.Group{st.ByCounty, st.ByIndustry} {
				var sum compliance.Counts
				for _, g := range groups {
					n := g.Counts
					sum.InScope, sum.Surveyed, sum.Dismissed, sum.Close, sum.Relocate = sum.InScope+n.InScope, sum.Surveyed+n.Surveyed, sum.Dismissed+n.Dismissed, sum.Close+n.Close, sum.Relocate+n.Relocate
					sum.Upgrade, sum.StopRectify, sum.Closed, sum.Relocated, sum.Upgraded = sum.Upgrade+n.Upgrade, sum.StopRectify+n.StopRectify, sum.Closed+n.Closed, sum.Relocated+n.Relocated, sum.Upgraded+n.Upgraded
					sum.Accepted, sum.ClosedOut, sum.Overdue, sum.Relapsed, sum.Reopened = sum.Accepted+n.Accepted, sum.ClosedOut+n.ClosedOut, sum.Overdue+n.Overdue, sum.Relapsed+n.Relapsed, sum.Reopened+n.Reopened
				}
				if sum != tot {
					t.Errorf("%s: groups add up to\n%+v, total\n%+v", c.Name, sum, tot)
				}
			}
			surveyed := 0
			for _, m := range st.Timeline {
				surveyed += m.Surveyed
				if w := months[m.Month]; m.Surveyed != w.Surveyed || m.ClosedOut != w.ClosedOut {
					t.Errorf("%s: month %+v, counted %+v", c.Name, m, w)
				}
			}
			if surveyed != len(cs) {
				t.Errorf("%s: the timeline has %d cases opened, not %d", c.Name, surveyed, len(cs))
			}
		}
	})

	t.Run("AuditLog", func(t *testing.T) {
		checked := 0
		for _, c := range h.cases {
			evs := h.events[c.ID]
			until := iff(c.Campaign == jy.ID, jinyunUntil, fourNosUntil).AddDate(0, 0, 1)
			for i, e := range evs {
				if e.Seq != i+1 || i > 0 && (!e.At.After(evs[i-1].At) || e.From != evs[i-1].To) || !e.At.Before(until) || e.Actor != actor.Actor() {
					t.Fatalf("case %d, event %+v after %+v", c.ID, e, evs[max(i-1, 0)])
				}
			}
			if last := evs[len(evs)-1]; last.To != c.State || last.Seq != c.Version {
				t.Fatalf("case %d is %s, version %d; its last event %+v", c.ID, c.State, c.Version, last)
			}
			if c.Disposition != compliance.Close || c.State != compliance.ClosedOut || c.Relapses > 0 {
				continue
			}
			// A closure closed out: opened, decided, the five steps of
			// 两断三清 in order, three levels passed (after any failed one,
			// and the step done again), 销号, then any visits that found nothing.
			var got []string
			for _, e := range evs {
				a := string(e.Action)
				switch e.Action {
				case compliance.ActChecklist:
					a += " " + strings.Split(strings.Split(string(e.Data), `"step":"`)[1], `"`)[0]
				case compliance.ActAccept:
					a += " " + iff(e.To == compliance.Rectifying, "fail", "pass")
				}
				got = append(got, a)
			}
			want := "open classify checklist power_cut checklist water_cut checklist materials_cleared checklist equipment_cleared checklist products_cleared " +
				"accept pass accept pass accept pass close_out"
			s := failedRound.ReplaceAllString(strings.Join(got, " "), "")
			if s = strings.ReplaceAll(s, " visit", ""); s != want {
				t.Errorf("closure %d closed out: %s", c.ID, strings.Join(got, ", "))
			}
			if st := ents[c.USCC].Status; st != "closed" {
				t.Errorf("closure %d closed out, its enterprise %s is %s", c.ID, c.USCC, st)
			}
			checked++
		}
		if checked < len(h.cases)/4 {
			t.Errorf("%d closures closed out", checked)
		}
	})

	t.Run("Registry", func(t *testing.T) {
		for _, c := range h.cases {
			if c.Disposition == compliance.Close && c.CarriedOutOn != "" && ents[c.USCC].Status != "closed" {
				t.Errorf("closure %d carried out on %s, its enterprise %s is %s", c.ID, c.CarriedOutOn, c.USCC, ents[c.USCC].Status)
			}
		}
		// Loading the registry again keeps what the cases did to it.
		if err := Load(ctx, registry.NewService(db), Generate(seed, n)); err != nil {
			t.Fatal(err)
		}
		again, _, err := db.Enterprises(ctx, registry.EnterpriseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(again, es) {
			t.Error("loading the demo again changed the enterprises")
		}
	})

	t.Run("Photos", func(t *testing.T) {
		owner := map[string]int64{}
		for _, c := range h.cases {
			ids := map[string]bool{}
			for _, x := range c.Checklist {
				ids[strings.Join(x.Attachments, ",")] = true
			}
			for _, x := range c.Accepts {
				ids[strings.Join(x.Attachments, ",")] = true
			}
			for _, x := range c.Items {
				if x.Done != "" {
					ids[strings.Join(x.Attachments, ",")] = true
				}
			}
			if c.Relocation != nil && c.Relocation.MovedOn != "" {
				ids[strings.Join(c.Relocation.Attachments, ",")] = true
			}
			if len(ids) > 1 {
				t.Fatalf("case %d has photos %v, want its one", c.ID, ids)
			}
			for id := range ids {
				if prev, ok := owner[id]; ok {
					t.Fatalf("cases %d and %d share photo %s", prev, c.ID, id)
				}
				owner[id] = c.ID
			}
		}
		for id := range owner {
			a, rc, err := svc.Attachment(ctx, sys, id)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			img, err := png.Decode(strings.NewReader(string(b)))
			if err != nil || a.Type != "image/png" || a.Size > 4096 || img.Bounds().Dx() != 64 {
				t.Errorf("photo %+v: %v", a, err)
			}
			break
		}
		if len(owner) == 0 {
			t.Error("no photos")
		}
	})

	t.Run("Again", func(t *testing.T) {
		start := time.Now()
		again, err := Campaigns(ctx, db, files, seed)
		if err != nil {
			t.Fatal(err)
		}
		if again.Steps != 0 || again.Photos != 0 || !reflect.DeepEqual(again.Campaigns, sum.Campaigns) {
			t.Errorf("second call: %v; first: %v", again, sum)
		}
		t.Logf("second call took %v", time.Since(start).Round(time.Millisecond))
	})
}
