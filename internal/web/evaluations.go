package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/web/i18n"
)

// The per-mu evaluation's pages (decisions 0024, 0028): the runs with the
// class distribution by county (bar and map), a run's ranking, notice,
// objections and policy lists, an enterprise's results over the years.

// noEvaluations: the server was built without the economy service.
var noEvaluations = apperr.New(apperr.NotFound, "the per-mu evaluation is not available on this server", "本服务未提供亩均评价")

// classes are the classes charted, in order; a method's other class
// names still show in the tables.
var classes = []string{"A", "B", "C", "D"}

var classColor = map[string]string{"A": "#1b7a5a", "B": "#6bb38f", "C": "#e3b04b", "D": "#c8553d"}

type evaluationsData struct {
	Q        url.Values
	Years    []int
	Year     int
	Counties []registry.AdminUnit
	Names    map[string]string // the counties' names, by code
	Runs     []economy.Run
	ByCounty chart // the class mix of each county's run of the year
	Map      chart // its share of A and B
}

// evaluations lists the runs and charts the year's class mix by county:
// each county's latest run of the year not superseded, a published one
// first.
func (s *Server) evaluations(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "evaluations", "evaluations", "eval.title"
	if s.econ == nil {
		return noEvaluations
	}
	ctx, q, l := r.Context(), r.URL.Query(), v.Lang
	all, err := s.econ.Runs(ctx, v.Principal, q.Get("county"), 0)
	if err != nil {
		return err
	}
	units, err := s.reg.Store().Units(ctx)
	if err != nil {
		return err
	}
	d := &evaluationsData{Q: q, Names: map[string]string{}}
	v.Data = d
	for _, u := range units {
		if u.Level == "county" {
			d.Counties = append(d.Counties, u)
			d.Names[u.Code] = pickLang(l, u.Name, u.NameEn)
		}
	}
	for _, run := range all {
		if !slices.Contains(d.Years, run.Year) {
			d.Years = append(d.Years, run.Year)
		}
	}
	slices.Sort(d.Years)
	d.Year, _ = strconv.Atoi(q.Get("year"))
	if d.Year == 0 && len(d.Years) > 0 {
		d.Year = d.Years[len(d.Years)-1]
	}
	best := map[string]economy.Run{}
	for _, run := range all {
		if run.Year != d.Year {
			continue
		}
		d.Runs = append(d.Runs, run)
		b, ok := best[run.County]
		if run.State != economy.Superseded && (!ok || b.State != economy.Published && run.State == economy.Published) {
			best[run.County] = run
		}
	}
	var names []string
	series := map[string][]any{}
	var items []regionItem
	for _, u := range d.Counties {
		run, ok := best[u.Code]
		if !ok {
			continue
		}
		names = append(names, pickLang(l, u.Name, u.NameEn))
		for _, c := range classes {
			series[c] = append(series[c], obj{"value": run.Classes[c], "url": "/evaluations/" + strconv.FormatInt(run.ID, 10) + "?class=" + c})
		}
		share := 0.0
		if run.Evaluated > 0 {
			share = float64(run.Classes["A"]+run.Classes["B"]) / float64(run.Evaluated) * 100
		}
		items = append(items, regionItem{Name: u.Name, Value: float64(int(share*10+0.5)) / 10, URL: "/evaluations/" + strconv.FormatInt(run.ID, 10)})
	}
	var bars []any
	for _, c := range classes {
		bars = append(bars, obj{"type": "bar", "stack": "class", "name": c, "data": nonNil(series[c]), "itemStyle": obj{"color": classColor[c]}})
	}
	d.ByCounty = chart{Option: lineChart(i18n.T(l, "eval.by_county"), nonNil(names), bars, i18n.T(l, "eval.enterprises"))}
	d.Map = chart{Map: true, Option: countyMap(l, i18n.T(l, "eval.map"), items, d.Counties)}
	return nil
}

type evaluationData struct {
	Run        economy.Run
	County     string // its name
	Class      string
	Classes    []string
	Results    []economy.Result
	Mix        chart
	Events     []economy.Event
	Objections []economy.Objection
	Policies   []string
	// Officer: the viewer may take the bureau's steps; Objector: the
	// enterprise the viewer objects for ("" for an officer, who names it).
	Officer  bool
	Objector string
	Today    string
	Fields   string // the annual fields a correction may name
}

// evaluation is one run: its state and notice, class mix, ranking (of
// one class where asked), objections and their handling, audit log and
// the policy lists to download. An enterprise sees its own line and
// objections.
func (s *Server) evaluation(v *view, r *http.Request) error {
	v.page, v.Nav = "evaluation", "evaluations"
	if s.econ == nil {
		return noEvaluations
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ctx, l := r.Context(), v.Lang
	class := r.URL.Query().Get("class")
	run, rs, err := s.econ.Results(ctx, v.Principal, id, class, "")
	if err != nil {
		return err
	}
	_, evs, objs, err := s.econ.History(ctx, v.Principal, id)
	if err != nil {
		return err
	}
	county := run.County
	if units, err := s.reg.Store().Units(ctx); err != nil {
		return err
	} else if u, ok := registry.FindUnit(units, run.County); ok {
		county = pickLang(l, u.Name, u.NameEn)
	}
	v.TitleText = strings.Join([]string{i18n.T(l, "eval.run"), strconv.FormatInt(run.ID, 10), county, strconv.Itoa(run.Year)}, " ")
	var data []any
	for _, c := range classes {
		data = append(data, obj{"value": run.Classes[c], "name": c, "url": "?class=" + c, "itemStyle": obj{"color": classColor[c]}})
	}
	mix := lineChart(i18n.T(l, "eval.mix"), classes, []any{obj{"type": "bar", "name": i18n.T(l, "eval.enterprises"), "data": data}}, i18n.T(l, "eval.enterprises"))
	mix["legend"] = obj{"show": false} // the bars are the classes, coloured as the badges
	d := &evaluationData{Run: run, County: county, Class: class, Classes: classes, Results: rs, Mix: chart{Option: mix}, Events: evs, Objections: objs,
		Policies: economy.PolicyPresets(), Officer: auth.MayWrite(v.Principal, auth.Evaluations, auth.Economy) == nil,
		Today: s.now().In(cst.Zone).Format(time.DateOnly), Fields: "tax, value_added, revenue, energy_tce, electricity_kwh, emissions_t, rd, employees, land_mu, parcel, items"}
	if v.Principal.Role == auth.Enterprise {
		d.Objector = v.Principal.Scope.USCC
	}
	v.Data = d
	return nil
}

type yearsData struct {
	USCC  string
	Name  string
	Years []economy.YearResult
	Trend chart
}

// enterpriseEvaluations is an enterprise's scores over the years, each
// explained; an enterprise sees its own.
func (s *Server) enterpriseEvaluations(v *view, r *http.Request) error {
	v.page, v.Nav = "evaluation_years", "evaluations"
	if s.econ == nil {
		return noEvaluations
	}
	uscc, l := strings.ToUpper(r.PathValue("uscc")), v.Lang
	ys, err := s.econ.Years(r.Context(), v.Principal, uscc)
	if err != nil {
		return err
	}
	d := &yearsData{USCC: uscc, Years: ys, Name: uscc}
	var years []string
	var scores []any
	for _, y := range ys {
		d.Name = y.Result.Name
		years = append(years, strconv.Itoa(y.Run.Year))
		scores = append(scores, obj{"value": float64(int(y.Result.Score*100+0.5)) / 100, "url": "/evaluations/" + strconv.FormatInt(y.Run.ID, 10)})
	}
	v.TitleText = d.Name + " · " + i18n.T(l, "eval.years")
	d.Trend = chart{Option: lineChart(i18n.T(l, "eval.score_trend"), nonNil(years), []any{obj{"type": "line", "name": i18n.T(l, "eval.score"), "data": nonNil(scores)}}, "")}
	v.Data = d
	return nil
}

// evaluationStep records a step of a run's public notice from its page's
// forms: the economy bureau's steps, and objections (the enterprise's own
// or an officer's for it), evidence files stored once the service says
// the objector may object now.
func (s *Server) evaluationStep(v *view, r *http.Request) error {
	if s.econ == nil {
		return noEvaluations
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	next, err := s.recordEvaluationStep(v, r, id, r.PathValue("step"))
	if err == nil {
		v.redirect = "/evaluations/" + strconv.FormatInt(next, 10)
		return nil
	}
	if perr := s.evaluation(v, r); perr != nil {
		return errors.Join(err, perr)
	}
	return err
}

func (s *Server) recordEvaluationStep(v *view, r *http.Request, id int64, step string) (int64, error) {
	if err := r.ParseMultipartForm(32 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return 0, apperr.New(apperr.Invalid, "the form could not be read: "+err.Error(), "无法读取表单："+err.Error())
	}
	f := func(k string) string { return strings.TrimSpace(r.FormValue(k)) }
	ctx, by := r.Context(), v.Principal
	var err error
	switch step {
	case "notice":
		_, err = s.econ.Notice(ctx, by, id, f("from"), f("to"))
	case "objections":
		uscc := strings.ToUpper(f("uscc"))
		if err := s.econ.MayObject(ctx, by, id, uscc); err != nil {
			return 0, err
		}
		var files []string
		if r.MultipartForm != nil {
			for _, fh := range r.MultipartForm.File["files"] {
				file, err := fh.Open()
				if err != nil {
					return 0, err
				}
				a, err := s.comp.PutAttachment(ctx, auth.Command("objection evidence for "+by.Actor()), fh.Filename, fh.Header.Get("Content-Type"), file)
				file.Close()
				if err != nil {
					return 0, err
				}
				files = append(files, a.ID)
			}
		}
		_, err = s.econ.Object(ctx, by, id, uscc, f("text"), files)
	case "accept", "reject":
		oid, perr := strconv.ParseInt(f("objection"), 10, 64)
		if perr != nil {
			return 0, apperr.New(apperr.Invalid, "the form lacks the objection", "表单缺少异议编号")
		}
		correction := map[string]string{}
		for _, line := range strings.Split(f("correction"), "\n") {
			if k, val, ok := strings.Cut(line, "="); ok {
				correction[strings.TrimSpace(k)] = strings.TrimSpace(val)
			} else if strings.TrimSpace(line) != "" {
				return 0, apperr.Newf(apperr.Invalid, "correction %q: one field=value a line", "更正 %q：每行一项，格式为 字段=值", line)
			}
		}
		_, err = s.econ.Handle(ctx, by, id, oid, step == "accept", f("reason"), correction)
	case "rerun":
		run, _, err := s.econ.Rerun(ctx, by, id)
		return run.ID, err
	case "approve":
		_, err = s.econ.Approve(ctx, by, id, f("document"))
	case "publish":
		_, err = s.econ.Publish(ctx, by, id)
	default:
		return 0, apperr.Newf(apperr.NotFound, "no step %q", "没有步骤 %q", step)
	}
	return id, err
}
