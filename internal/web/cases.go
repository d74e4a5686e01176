package web

import (
	"errors"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/compliance"
)

// steps are the case's moves a person makes, by the API's step name, in
// the order the page offers them; opening and relapses are the server's.
var steps = []struct {
	Name   string
	Action compliance.Action
}{
	{"classify", compliance.ActClassify},
	{"dismiss", compliance.ActDismiss},
	{"checklist", compliance.ActChecklist},
	{"relocation", compliance.ActRelocation},
	{"items", compliance.ActItem},
	{"acceptances", compliance.ActAccept},
	{"close-out", compliance.ActCloseOut},
	{"visits", compliance.ActVisit},
}

type attachmentView struct {
	compliance.Attachment
	Image bool
}

type caseData struct {
	Case        compliance.Case
	Campaign    compliance.Campaign
	Events      []compliance.Event
	Moves       []string // step names allowed from the case's state
	Checklist   []checkRow
	Attachments map[string]attachmentView
	Disposition []compliance.Disposition
	NextLevel   int
	Today       string
	Done        string // the step just recorded
}

type checkRow struct {
	Step compliance.Step
	Item *compliance.CheckItem
}

// casePage is a case: its state, the moves allowed from it as forms, the
// 两断三清 checklist, evidence, acceptances, visits and audit log.
func (s *Server) casePage(v *view, r *http.Request) error {
	v.page, v.Nav = "case", "cases"
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.comp.Case(ctx, v.Principal, id)
	if err != nil {
		return err
	}
	v.TitleText = c.Name
	d := &caseData{Case: c, Disposition: compliance.Dispositions, Today: s.comp.Today(),
		Attachments: map[string]attachmentView{}, NextLevel: 1, Done: r.URL.Query().Get("done")}
	v.Data = d
	if d.Campaign, err = s.comp.Campaign(ctx, v.Principal, c.Campaign); allowed(err) != nil {
		return err
	}
	if d.Events, err = s.comp.Events(ctx, v.Principal, id); err != nil {
		return err
	}
	slices.Reverse(d.Events)
	for _, st := range steps {
		if !fromState(st.Action, c.State) || !fitsDisposition(st.Action, c.Disposition) {
			continue
		}
		d.Moves = append(d.Moves, st.Name)
	}
	for _, st := range compliance.Steps {
		row := checkRow{Step: st}
		for i := range c.Checklist {
			if c.Checklist[i].Step == st {
				row.Item = &c.Checklist[i]
			}
		}
		d.Checklist = append(d.Checklist, row)
	}
	for _, a := range c.Accepts {
		if a.Round == c.Round && a.Result == compliance.Pass {
			d.NextLevel = a.Level + 1
		}
	}
	for _, id := range caseAttachments(&c) {
		a, rc, err := s.comp.Attachment(ctx, v.Principal, id)
		if apperr.CodeOf(err) == apperr.NotFound {
			continue
		} else if err != nil {
			return err
		}
		rc.Close()
		d.Attachments[id] = attachmentView{a, strings.HasPrefix(a.Type, "image/")}
	}
	return nil
}

// fromState: the state machine allows action a from state st.
func fromState(a compliance.Action, st compliance.State) bool {
	return slices.ContainsFunc(compliance.Transitions, func(t compliance.Transition) bool { return t.Action == a && t.From == st })
}

// fitsDisposition is the cheap check the service makes first: the
// checklist is for closures, the relocation for relocations, items for
// upgrades and stop-and-rectify.
func fitsDisposition(a compliance.Action, d compliance.Disposition) bool {
	switch a {
	case compliance.ActChecklist:
		return d == compliance.Close
	case compliance.ActRelocation:
		return d == compliance.Relocate
	case compliance.ActItem:
		return d == compliance.Upgrade || d == compliance.StopRectify
	}
	return true
}

func caseAttachments(c *compliance.Case) []string {
	var ids []string
	for _, x := range c.Checklist {
		ids = append(ids, x.Attachments...)
	}
	if c.Relocation != nil {
		ids = append(ids, c.Relocation.Attachments...)
	}
	for _, x := range c.Items {
		ids = append(ids, x.Attachments...)
	}
	for _, x := range c.Accepts {
		ids = append(ids, x.Attachments...)
	}
	for _, x := range c.Visits {
		ids = append(ids, x.Attachments...)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// caseStep records one step from its form, as the principal, with the
// case's version the form was read at; then shows the case again, or the
// case with the service's refusal above it.
func (s *Server) caseStep(v *view, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	step := r.PathValue("step")
	err = s.recordStep(v, r, id, step)
	if err == nil {
		v.redirect = "/cases/" + strconv.FormatInt(id, 10) + "?done=" + step
		return nil
	}
	if perr := s.casePage(v, r); perr != nil {
		return errors.Join(err, perr)
	}
	return err
}

func (s *Server) recordStep(v *view, r *http.Request, id int64, step string) error {
	if err := r.ParseMultipartForm(32 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return apperr.New(apperr.Invalid, "the form could not be read: "+err.Error(), "无法读取表单："+err.Error())
	}
	f := func(k string) string { return strings.TrimSpace(r.FormValue(k)) }
	version, err := strconv.Atoi(f("version"))
	if err != nil {
		return apperr.New(apperr.Invalid, "the form lacks the case's version", "表单缺少案件版本号")
	}
	files, err := s.putFiles(r)
	if err != nil {
		return err
	}
	ctx, ed := r.Context(), compliance.Edit{Case: id, Version: version, By: v.Principal}
	switch step {
	case "dismiss":
		_, err = s.comp.Dismiss(ctx, ed, f("reason"))
	case "classify":
		_, err = s.comp.Classify(ctx, ed, compliance.Plan{Disposition: compliance.Disposition(f("disposition")), Unit: f("unit"),
			Person: f("person"), Measures: f("measures"), Deadline: f("deadline")})
	case "checklist":
		_, err = s.comp.RecordChecklist(ctx, ed, compliance.CheckItem{Step: compliance.Step(f("step")), Date: f("date"), Attachments: files, Note: f("note")})
	case "relocation":
		_, err = s.comp.SetRelocation(ctx, ed, compliance.Relocation{Address: f("address"), Park: f("park"), MovedOn: f("moved_on"), Attachments: files})
	case "items":
		no, _ := strconv.Atoi(f("no"))
		_, err = s.comp.RecordItem(ctx, ed, compliance.Item{No: no, Text: f("text"), Done: f("done"), Attachments: files})
	case "acceptances":
		level, _ := strconv.Atoi(f("level"))
		_, err = s.comp.Accept(ctx, ed, compliance.Acceptance{Level: level, Result: f("result"), Date: f("date"),
			Inspector: f("inspector"), Note: f("note"), Attachments: files})
	case "close-out":
		_, err = s.comp.CloseOut(ctx, ed, compliance.CloseOut{Date: f("date"), DocumentNo: f("document_no"), Note: f("note")})
	case "visits":
		_, err = s.comp.Visit(ctx, ed, compliance.Visit{Date: f("date"), Inspector: f("inspector"), Finding: f("finding"),
			Relapsed: f("relapsed") == "1", Attachments: files})
	default:
		return apperr.Newf(apperr.NotFound, "no step %q", "没有步骤 %q", step)
	}
	return err
}

// putFiles stores the form's files (photos, scanned PDFs) as attachments
// and returns their ids.
func (s *Server) putFiles(r *http.Request) ([]string, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var ids []string
	for _, fh := range r.MultipartForm.File["files"] {
		a, err := s.putFile(r, fh)
		if err != nil {
			return nil, err
		}
		ids = append(ids, a.ID)
	}
	return ids, nil
}

func (s *Server) putFile(r *http.Request, fh *multipart.FileHeader) (compliance.Attachment, error) {
	f, err := fh.Open()
	if err != nil {
		return compliance.Attachment{}, err
	}
	defer f.Close()
	return s.comp.PutAttachment(r.Context(), who(r), fh.Filename, fh.Header.Get("Content-Type"), f)
}
