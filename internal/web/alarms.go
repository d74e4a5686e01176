package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/rules"
)

// alarmKinds and alarmStates are the filters' choices, in the order the
// page offers them; their names are the catalogue's alarm.kind.* and
// alarm.state.*.
var (
	alarmKinds  = rules.Kinds
	alarmStates = []string{rules.Open, rules.Acknowledged, rules.Resolved}
)

// evidence is what an alarm's evidence holds: an exceedance's periods
// over the limit, or a data gap's last frame (rules.Runner).
type evidence struct {
	Basis   string `json:"basis"`
	Unit    string `json:"unit"`
	Checked bool   `json:"checked"`
	Periods []struct {
		Start time.Time `json:"start"`
		Value float64   `json:"value"`
		CN    string    `json:"cn"`
		Count int       `json:"count"`
	} `json:"periods"`
	MN             string    `json:"mn"`
	LastCN         string    `json:"last_cn"`
	LastReceivedAt time.Time `json:"last_received_at"`
}

func evidenceOf(a rules.Alarm) evidence {
	var ev evidence
	if len(a.Evidence) > 0 {
		_ = json.Unmarshal(a.Evidence, &ev) // shown raw as well
	}
	return ev
}

type alarmRow struct {
	rules.Alarm
	Name string // the enterprise's
	Unit string // the limit's, from the evidence
}

type alarmsData struct {
	Q          url.Values
	Kinds      []string
	States     []string
	Counties   []registry.AdminUnit
	Items      []alarmRow
	Total      int
	More       bool // more than Total: the list counts up to rules.CountUpTo
	From, To   int
	Prev, Next string
	Stream     string     // the alarm stream with the page's filters
	MayAct     bool       // the principal may acknowledge and resolve
	Downloads  []download // of the alarms and the exceedances the filters select, as of now
}

// noAlarms: the server was built without the rules service.
var noAlarms = apperr.New(apperr.NotFound, "alarms are not available on this server", "本服务未提供告警")

// alarms lists the alarms the principal may see, newest first, by state,
// kind and county; the table refreshes itself every 30 seconds.
func (s *Server) alarms(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "alarms", "alarms", "alarms.title"
	if s.rules == nil {
		return noAlarms
	}
	ctx, q := r.Context(), r.URL.Query()
	d := &alarmsData{Q: q, Kinds: alarmKinds, States: alarmStates}
	v.Data = d
	units, err := s.reg.Store().Units(ctx)
	if err != nil {
		return err
	}
	for _, u := range units {
		if u.Level == "county" {
			d.Counties = append(d.Counties, u)
		}
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	offset = max(offset, 0)
	f := rules.AlarmFilter{Kind: q.Get("kind"), County: q.Get("county"), Limit: pageSize, Offset: offset}
	sq := url.Values{}
	for _, k := range []string{"state", "kind", "county"} {
		if q.Get(k) != "" {
			sq.Set(k, q.Get(k))
		}
	}
	d.Stream = "/api/v1/alarms/stream?" + sq.Encode()
	d.MayAct = auth.MayWrite(v.Principal, auth.Alarms, auth.Ecology) == nil
	if st := q.Get("state"); st != "" {
		f.States = []string{st}
	}
	dq := url.Values{}
	for _, k := range []string{"state", "kind", "county"} {
		if q.Get(k) != "" {
			dq.Set(k, q.Get(k))
		}
	}
	d.Downloads = downloads("alarms", "alarms", "/api/v1/alarms/export", dq)
	dq.Set("kind", rules.Exceedance)
	d.Downloads = append(d.Downloads, downloads("exceedances", "exceedances", "/api/v1/alarms/export", dq)...)
	as, total, err := s.rules.Alarms(ctx, v.Principal, f)
	if err != nil {
		return err
	}
	var usccs []string
	for _, a := range as {
		usccs = append(usccs, a.USCC)
	}
	names, err := s.namesOf(r, usccs)
	if err != nil {
		return err
	}
	d.Total, d.More = min(total, rules.CountUpTo(f)), total > rules.CountUpTo(f)
	for _, a := range as {
		d.Items = append(d.Items, alarmRow{Alarm: a, Name: names[a.USCC], Unit: evidenceOf(a).Unit})
	}
	d.From, d.To = min(offset+1, d.Total), min(offset+len(as), d.Total)
	link := func(off int) string {
		p := url.Values{}
		for k, vs := range q {
			if k != "offset" && len(vs) > 0 && vs[0] != "" {
				p.Set(k, vs[0])
			}
		}
		p.Set("offset", strconv.Itoa(off))
		return "/alarms?" + p.Encode()
	}
	if offset > 0 {
		d.Prev = link(max(offset-pageSize, 0))
	}
	if offset+pageSize < total {
		d.Next = link(offset + pageSize)
	}
	return nil
}

type alarmData struct {
	Alarm    rules.Alarm
	Name     string
	Evidence evidence
	Raw      string   // the evidence as stored, indented
	Moves    []string // acknowledge, resolve: those the alarm's state allows, to one who may
	Done     string   // the step just recorded
}

// alarm is one alarm: what it is, its evidence, and the forms to
// acknowledge or resolve it at the version read.
func (s *Server) alarm(v *view, r *http.Request) error {
	v.page, v.Nav, v.Title = "alarm", "alarms", "alarm.title"
	if s.rules == nil {
		return noAlarms
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.rules.Alarm(r.Context(), v.Principal, id)
	if err != nil {
		return err
	}
	d := &alarmData{Alarm: a, Evidence: evidenceOf(a), Done: r.URL.Query().Get("done")}
	v.Data = d
	if es, _, err := s.reg.Enterprises(r.Context(), v.Principal, registry.EnterpriseFilter{USCC: a.USCC}); err == nil && len(es) == 1 {
		d.Name = es[0].Name
	}
	var b bytes.Buffer
	if len(a.Evidence) > 0 && json.Indent(&b, a.Evidence, "", "  ") == nil {
		d.Raw = b.String()
	}
	if auth.MayWrite(v.Principal, auth.Alarms, auth.Ecology) == nil {
		if a.State == rules.Open {
			d.Moves = append(d.Moves, "acknowledge")
		}
		if a.State != rules.Resolved {
			d.Moves = append(d.Moves, "resolve")
		}
	}
	return nil
}

// alarmStep acknowledges or resolves an alarm from its form, as the
// principal, at the version the form was read at; then shows the alarm
// again (PRG), or the alarm with the service's refusal above it.
func (s *Server) alarmStep(v *view, r *http.Request) error {
	if s.rules == nil {
		return noAlarms
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	step := r.PathValue("step")
	err = s.recordAlarmStep(v, r, id, step)
	if err == nil {
		v.redirect = "/alarms/" + strconv.FormatInt(id, 10) + "?done=" + step
		if next := r.FormValue("next"); strings.HasPrefix(next, "/alarms?") || next == "/alarms" {
			v.redirect = localPath(next) // acknowledged from the live list: back to it
		}
		return nil
	}
	if perr := s.alarm(v, r); perr != nil {
		return errors.Join(err, perr)
	}
	return err
}

func (s *Server) recordAlarmStep(v *view, r *http.Request, id int64, step string) error {
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Invalid, "the form could not be read: "+err.Error(), "无法读取表单："+err.Error())
	}
	f := func(k string) string { return strings.TrimSpace(r.FormValue(k)) }
	version, err := strconv.Atoi(f("version"))
	if err != nil {
		return apperr.New(apperr.Invalid, "the form lacks the alarm's version", "表单缺少告警版本号")
	}
	switch step {
	case "acknowledge":
		_, err = s.rules.Acknowledge(r.Context(), v.Principal, id, version, f("comment"))
	case "resolve":
		_, err = s.rules.Resolve(r.Context(), v.Principal, id, version, f("reason"))
	default:
		return apperr.Newf(apperr.NotFound, "no step %q", "没有步骤 %q", step)
	}
	return err
}
