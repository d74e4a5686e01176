package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
)

// The rectification routes: screening, campaigns, cases and their steps,
// attachments, statistics and the report bureaus send upward.
func (s *Server) complianceRoutes() []route {
	if s.comp == nil {
		return nil
	}
	return []route{
		{method: "POST", pattern: "/api/v1/screenings", summary: "Screen the registry (四无 by default) and keep the run", handle: s.screen,
			status: http.StatusCreated, body: screenBody{}, resp: compliance.Run{}},
		{method: "GET", pattern: "/api/v1/screenings", summary: "The screening runs, newest first", handle: s.runs, resp: itemsOf{compliance.Run{}}},
		{method: "GET", pattern: "/api/v1/screenings/{id}", summary: "A screening run with its candidates and their evidence", handle: s.run, resp: runBody{}},
		{method: "GET", pattern: "/api/v1/screenings/{id}/diff/{other}", summary: "What changed between two screening runs", handle: s.diff, resp: compliance.Diff{}},

		{method: "GET", pattern: "/api/v1/campaigns", summary: "Rectification campaigns (专项整治)", handle: s.campaigns, resp: itemsOf{compliance.Campaign{}}},
		{method: "POST", pattern: "/api/v1/campaigns", summary: "Create a campaign", handle: s.createCampaign, status: http.StatusCreated,
			body: compliance.Campaign{}, resp: compliance.Campaign{}},
		{method: "GET", pattern: "/api/v1/campaigns/{id}", summary: "A campaign", handle: s.campaign, resp: compliance.Campaign{}},
		{method: "PUT", pattern: "/api/v1/campaigns/{id}", summary: "Replace a campaign's settings; version is the one read", handle: s.updateCampaign,
			body: compliance.Campaign{}, resp: compliance.Campaign{}},
		{method: "POST", pattern: "/api/v1/campaigns/{id}/survey", summary: "Survey the campaign's scope: one case per selected enterprise (re-runnable)",
			handle: s.survey, body: surveyBody{}, resp: compliance.SurveyResult{}},
		{method: "GET", pattern: "/api/v1/campaigns/{id}/stats", summary: "A campaign's statistics by county, industry and month",
			handle: s.stats, query: []param{asOfQuery}, resp: compliance.Stats{}},
		{method: "GET", pattern: "/api/v1/campaigns/{id}/report", summary: "The campaign's statistics and case ledger as XLSX, in the layout reported upward",
			handle: s.report, query: []param{asOfQuery, {"unit", "string", "the reporting unit named in the header"}}, resp: download{}},

		{method: "GET", pattern: "/api/v1/cases", summary: "One page of cases, filtered", handle: s.cases, resp: casePage{},
			query: []param{{"campaign", "integer", "campaign id"}, usccQuery, {"county", "string", "GB/T 2260 county code"},
				{"township", "string", "GB/T 2260 township code"}, {"state", "string", "surveyed, dismissed, rectifying, accepting, accepted, closed_out, reopened"},
				{"disposition", "string", "close, relocate, upgrade, stop_rectify"}, {"assignee", "string", "the user name of the inspector assigned"},
				{"limit", "integer", "page size, 1 to 1000 (default 100)"}, {"offset", "integer", "records to skip (default 0)"}}},
		{method: "GET", pattern: "/api/v1/cases/{id}", summary: "A case with its record", handle: s.getCase, resp: compliance.Case{}},
		{method: "GET", pattern: "/api/v1/cases/{id}/events", summary: "A case's audit log, oldest first", handle: s.events, resp: itemsOf{compliance.Event{}}},
		{method: "GET", pattern: "/api/v1/cases/{id}/monitoring", summary: "An upgrade's monitoring data: daily means of each outlet's pollutants before the case opened and after the rectification",
			handle: s.beforeAfter, query: []param{{"days", "integer", "days on each side, 1 to 365 (default 90)"}}, resp: itemsOf{compliance.BeforeAfter{}}},
		stepRoute(s, "assign", "Assign the case to an inspector (a user name; \"\" for none), who may then act on it", func(ctx context.Context, ed compliance.Edit, v assignBody) (compliance.Case, error) {
			return s.comp.Assign(ctx, ed, v.Assignee)
		}),
		stepRoute(s, "dismiss", "Dismiss a surveyed case as compliant", func(ctx context.Context, ed compliance.Edit, v dismissBody) (compliance.Case, error) {
			return s.comp.Dismiss(ctx, ed, v.Reason)
		}),
		stepRoute(s, "classify", "Decide the disposition: unit, person, measures, deadline", s.comp.Classify),
		stepRoute(s, "checklist", "Record one 两断三清 step of a closure, with photos", s.comp.RecordChecklist),
		stepRoute(s, "relocation", "Record a relocation's target site and move", s.comp.SetRelocation),
		stepRoute(s, "items", "Add or complete a rectification item", s.comp.RecordItem),
		stepRoute(s, "acceptances", "Record an acceptance level's verdict (1 township self-check, 2 lead unit review, 3 inspection office)", s.comp.Accept),
		stepRoute(s, "close-out", "销号: close the case out", s.comp.CloseOut),
		stepRoute(s, "visits", "Record a 回头看 follow-up visit; a relapse reopens the case", s.comp.Visit),

		{method: "POST", pattern: "/api/v1/attachments", summary: "Store a photo or scanned document (JPEG, PNG or PDF; the body is the file, Content-Type its type)",
			handle: s.putAttachment, status: http.StatusCreated, limit: compliance.MaxAttachment + 1,
			query: []param{{"name", "string", "the file's name"}}, body: upload{}, resp: compliance.Attachment{}},
		{method: "GET", pattern: "/api/v1/attachments/{id}", summary: "An attachment's content", handle: s.getAttachment, resp: download{}},
	}
}

var asOfQuery = param{"as_of", "string", "date the statistics are taken at, YYYY-MM-DD (default today, China Standard Time)"}

type screenBody struct {
	// Rules default to the four criteria (四无); "san_luan_wu" in preset
	// takes the 散乱污 variant.
	Rules  *compliance.RuleSet `json:"rules,omitempty"`
	Preset string              `json:"preset,omitempty"`
	AsOf   string              `json:"as_of,omitempty"`
}

type runBody struct {
	Run        compliance.Run         `json:"run"`
	Candidates []compliance.Candidate `json:"candidates"`
}

type surveyBody struct {
	All  bool   `json:"all"`
	AsOf string `json:"as_of,omitempty"`
}

type assignBody struct {
	Assignee string `json:"assignee"`
}

type dismissBody struct {
	Reason string `json:"reason"`
}

type casePage struct {
	Total int               `json:"total"`
	Items []compliance.Case `json:"items"`
}

// decode reads a request body's JSON object strictly.
func decode(b []byte, v any) error { return apperr.DecodeJSON("the body / 请求体", b, v) }

// readBody decodes the request's JSON object into v; an empty body is {}.
func readBody(r *http.Request, v any) error {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return err // too big: mapped to 413 in one place
	}
	if len(bytes.TrimSpace(b)) == 0 {
		b = []byte("{}")
	}
	return decode(b, v)
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.Newf(apperr.Invalid, "%s: %q is not an id", "%s：%q 不是有效编号", name, r.PathValue(name))
	}
	return id, nil
}

func (s *Server) screen(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	var v screenBody
	if err := readBody(r, &v); err != nil {
		return nil, err
	}
	rules := compliance.RuleSet{Criteria: compliance.FourNos}
	switch {
	case v.Rules != nil:
		rules = *v.Rules
	case v.Preset == "san_luan_wu":
		rules = compliance.SanLuanWu()
	case v.Preset != "" && v.Preset != "four_nos":
		return nil, apperr.Newf(apperr.Invalid, "preset: want four_nos or san_luan_wu, got %q", "preset 应为 four_nos 或 san_luan_wu，实为 %q", v.Preset)
	}
	return s.comp.Screen(r.Context(), rules, v.AsOf, who)
}

func (s *Server) runs(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	rs, err := s.comp.Runs(r.Context(), who)
	return list{nonNil(rs)}, err
}

func (s *Server) run(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	run, cands, err := s.comp.Run(r.Context(), who, id)
	return runBody{run, nonNil(cands)}, err
}

func (s *Server) diff(r *http.Request) (any, error) {
	a, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	b, err := pathID(r, "other")
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	return s.comp.Diff(r.Context(), who, a, b)
}

func (s *Server) campaigns(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	cs, err := s.comp.Campaigns(r.Context(), who)
	return list{nonNil(cs)}, err
}

func (s *Server) campaign(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	return s.comp.Campaign(r.Context(), who, id)
}

func (s *Server) createCampaign(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	var c compliance.Campaign
	if err := readBody(r, &c); err != nil {
		return nil, err
	}
	return s.comp.CreateCampaign(r.Context(), c, who)
}

func (s *Server) updateCampaign(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	var c compliance.Campaign
	if err := readBody(r, &c); err != nil {
		return nil, err
	}
	c.ID = id
	return s.comp.UpdateCampaign(r.Context(), c, c.Version, who)
}

func (s *Server) survey(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	var v surveyBody
	if err := readBody(r, &v); err != nil {
		return nil, err
	}
	return s.comp.Survey(r.Context(), id, compliance.SurveyOptions{All: v.All, AsOf: v.AsOf}, who)
}

func (s *Server) stats(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	return s.comp.Stats(r.Context(), who, id, r.URL.Query().Get("as_of"))
}

func (s *Server) report(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	var b bytes.Buffer
	if err := s.comp.ExportXLSX(r.Context(), who, &b, id, q.Get("as_of"), q.Get("unit")); err != nil {
		return nil, err
	}
	return download{name: "campaign-" + strconv.FormatInt(id, 10) + ".xlsx",
		contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data: b.Bytes()}, nil
}

func (s *Server) cases(r *http.Request) (any, error) {
	q := r.URL.Query()
	f := compliance.CaseFilter{USCC: strings.ToUpper(q.Get("uscc")), County: q.Get("county"), Township: q.Get("township"),
		State: compliance.State(q.Get("state")), Disposition: compliance.Disposition(q.Get("disposition")), Assignee: q.Get("assignee")}
	if v := q.Get("campaign"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, apperr.Newf(apperr.Invalid, "parameter campaign: %q is not an id", "参数 campaign：%q 不是有效编号", v)
		}
		f.Campaign = id
	}
	var err error
	if f.Limit, err = intParam(q, "limit", 100, 1, 1000); err != nil {
		return nil, err
	}
	if f.Offset, err = intParam(q, "offset", 0, 0, 1<<31-1); err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	cs, total, err := s.comp.Cases(r.Context(), who, f)
	return casePage{Total: total, Items: nonNil(cs)}, err
}

func (s *Server) getCase(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	return s.comp.Case(r.Context(), who, id)
}

func (s *Server) events(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	evs, err := s.comp.Events(r.Context(), who, id)
	return list{nonNil(evs)}, err
}

// stepRoute is the route of a step on the case of the path. The body is
// the step's object T with "version", the case's version its author read:
// a stale one is refused (409), so that no edit overwrites another unseen.
func stepRoute[T any](s *Server, name, summary string, do func(context.Context, compliance.Edit, T) (compliance.Case, error)) route {
	var zero T
	return route{method: "POST", pattern: "/api/v1/cases/{id}/" + name, summary: summary, body: zero, resp: compliance.Case{},
		handle: func(r *http.Request) (any, error) {
			who, err := principal(r)
			if err != nil {
				return nil, err
			}
			id, err := pathID(r, "id")
			if err != nil {
				return nil, err
			}
			// version travels in the step's body; the step's own decoding
			// refuses unknown fields, so it is taken out first.
			var fields map[string]json.RawMessage
			if err := readBody(r, &fields); err != nil {
				return nil, err
			}
			raw, ok := fields["version"]
			var version int
			if !ok || json.Unmarshal(raw, &version) != nil || version < 0 {
				return nil, apperr.New(apperr.Invalid, `the body needs "version": the case's version as read (optimistic locking)`,
					`请求体须含 "version"：读取时案件的版本号（乐观锁）`)
			}
			delete(fields, "version")
			rest, _ := json.Marshal(fields) // raw messages that decoded: cannot fail
			var v T
			if err := decode(rest, &v); err != nil {
				return nil, err
			}
			return do(r.Context(), compliance.Edit{Case: id, Version: version, By: who}, v)
		}}
}

func (s *Server) putAttachment(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	return s.putAttachmentAs(r, who)
}

// putAttachmentAs stores the request's file as who.
func (s *Server) putAttachmentAs(r *http.Request, who auth.Principal) (any, error) {
	name := strings.TrimSpace(r.URL.Query().Get("name"))
	if name == "" {
		return nil, apperr.New(apperr.Invalid, "parameter name: the file's name is required", "参数 name：须给出文件名")
	}
	ct := r.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return s.comp.PutAttachment(r.Context(), who, name, strings.TrimSpace(ct), r.Body)
}

func (s *Server) getAttachment(r *http.Request) (any, error) {
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	a, rc, err := s.comp.Attachment(r.Context(), who, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, err
	}
	return download{name: a.Name, contentType: a.Type, data: b}, nil
}

func (s *Server) beforeAfter(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	days, err := intParam(r.URL.Query(), "days", 90, 1, 365)
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	out, err := s.comp.BeforeAfter(r.Context(), who, s.mon, id, days)
	return list{out}, err
}
