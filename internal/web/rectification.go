package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/web/i18n"
)

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.Newf(apperr.NotFound, "%q is not an id", "%q 不是有效编号", r.PathValue(name))
	}
	return id, nil
}

func (s *Server) screenings(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "screenings", "screenings", "screenings.title"
	runs, err := s.comp.Runs(r.Context(), v.Principal)
	v.Data = runs
	return err
}

type screeningData struct {
	Run        compliance.Run
	Candidates []compliance.Candidate // the first maxCandidates
	Total      int
	Runs       []compliance.Run // to diff against
	Other      int64
	Diff       *compliance.Diff
}

// screening is a run with its candidates and their evidence, and, with
// ?other=ID, what changed from that run to this one.
func (s *Server) screening(v *view, r *http.Request) error {
	v.page, v.Nav = "screening", "screenings"
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	run, cands, err := s.comp.Run(ctx, v.Principal, id)
	if err != nil {
		return err
	}
	v.TitleText = i18n.T(v.Lang, "screening.title") + " #" + strconv.FormatInt(id, 10)
	d := &screeningData{Run: run, Candidates: cands, Total: len(cands)}
	if len(cands) > maxCandidates {
		d.Candidates = cands[:maxCandidates]
	}
	v.Data = d
	if d.Runs, err = s.comp.Runs(ctx, v.Principal); err != nil {
		return err
	}
	if o := r.URL.Query().Get("other"); o != "" {
		other, err := strconv.ParseInt(o, 10, 64)
		if err != nil {
			return apperr.Newf(apperr.Invalid, "%q is not a run's id", "%q 不是有效的筛查编号", o)
		}
		diff, err := s.comp.Diff(ctx, v.Principal, other, id)
		if err != nil {
			return err
		}
		d.Other, d.Diff = other, &diff
	}
	return nil
}

// maxCandidates bounds the candidates a page lists with their evidence;
// the API gives them all.
const maxCandidates = 300

func (s *Server) campaigns(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "campaigns", "campaigns", "campaigns.title"
	cs, err := s.comp.Campaigns(r.Context(), v.Principal)
	v.Data = cs
	return err
}

type campaignData struct {
	Stats    compliance.Stats
	Timeline chart
	Counties chart
}

// campaign is a campaign's statistics against its targets, by county and
// industry, its timeline, and the report it sends upward.
func (s *Server) campaign(v *view, r *http.Request) error {
	v.page, v.Nav = "campaign", "campaigns"
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	st, err := s.comp.Stats(r.Context(), v.Principal, id, r.URL.Query().Get("as_of"))
	if err != nil {
		return err
	}
	v.TitleText = st.Campaign.Name
	l := v.Lang
	var months []string
	var surveyed, closedOut, relapsed []int
	for _, m := range st.Timeline {
		months = append(months, m.Month)
		surveyed, closedOut, relapsed = append(surveyed, m.Surveyed), append(closedOut, m.ClosedOut), append(relapsed, m.Relapsed)
	}
	timeline := lineChart(i18n.T(l, "campaign.timeline"), nonNil(months), []any{
		obj{"type": "bar", "name": i18n.T(l, "stats.surveyed"), "data": surveyed},
		obj{"type": "bar", "name": i18n.T(l, "stats.closed_out"), "data": closedOut},
		obj{"type": "line", "name": i18n.T(l, "stats.relapsed"), "data": relapsed},
	}, i18n.T(l, "unit.cases"))
	var names []string
	var done, open []any
	for _, g := range st.ByCounty {
		names = append(names, g.Name)
		u := "/cases?campaign=" + strconv.FormatInt(id, 10) + "&county=" + url.QueryEscape(g.Code)
		done = append(done, obj{"value": g.Counts.ClosedOut, "url": u + "&state=closed_out"})
		open = append(open, obj{"value": g.Counts.Surveyed - g.Counts.Dismissed - g.Counts.ClosedOut, "url": u})
	}
	counties := lineChart(i18n.T(l, "campaign.by_county"), nonNil(names), []any{
		obj{"type": "bar", "stack": "c", "name": i18n.T(l, "stats.closed_out"), "data": done},
		obj{"type": "bar", "stack": "c", "name": i18n.T(l, "measure.open"), "data": open},
	}, i18n.T(l, "unit.cases"))
	v.Data = &campaignData{Stats: st, Timeline: chart{Option: timeline}, Counties: chart{Option: counties}}
	return nil
}

type casesData struct {
	Q           url.Values
	Campaigns   []compliance.Campaign
	Items       []compliance.Case
	Total       int
	From, To    int
	Prev, Next  string
	States      []compliance.State
	Disposition []compliance.Disposition
}

// cases is the cases, filtered as the API filters them, 50 a page.
func (s *Server) cases(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "cases", "cases", "cases.title"
	ctx, q := r.Context(), r.URL.Query()
	d := &casesData{Q: q, States: compliance.States, Disposition: compliance.Dispositions}
	v.Data = d
	var err error
	if d.Campaigns, err = s.comp.Campaigns(ctx, v.Principal); allowed(err) != nil {
		return err
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	offset = max(offset, 0)
	f := compliance.CaseFilter{USCC: strings.ToUpper(strings.TrimSpace(q.Get("uscc"))), County: q.Get("county"),
		State: compliance.State(q.Get("state")), Disposition: compliance.Disposition(q.Get("disposition")), Limit: pageSize, Offset: offset}
	if c := q.Get("campaign"); c != "" {
		if f.Campaign, err = strconv.ParseInt(c, 10, 64); err != nil {
			return apperr.Newf(apperr.Invalid, "campaign: %q is not an id", "专项行动：%q 不是有效编号", c)
		}
	}
	if d.Items, d.Total, err = s.comp.Cases(ctx, v.Principal, f); err != nil {
		return err
	}
	d.From, d.To = min(offset+1, d.Total), min(offset+len(d.Items), d.Total)
	link := func(off int) string {
		p := url.Values{}
		for k, vs := range q {
			if k != "offset" && len(vs) > 0 && vs[0] != "" {
				p.Set(k, vs[0])
			}
		}
		p.Set("offset", strconv.Itoa(off))
		return "/cases?" + p.Encode()
	}
	if offset > 0 {
		d.Prev = link(max(offset-pageSize, 0))
	}
	if offset+pageSize < d.Total {
		d.Next = link(offset + pageSize)
	}
	return nil
}
