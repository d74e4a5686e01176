package api

import (
	"net/http"
	"strings"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/economy"
)

// The public-notice workflow of an evaluation run (decision 0028): the
// economy bureau's steps, enterprises' objections and their evidence, the
// run's audit log.
func (s *Server) noticeRoutes() []route {
	step := func(name, summary string, body any, do func(r *http.Request, who auth.Principal, id int64) (any, error)) route {
		return route{method: "POST", pattern: "/api/v1/evaluations/{id}/" + name, summary: summary, body: body, resp: economy.Run{},
			handle: func(r *http.Request) (any, error) {
				id, err := pathID(r, "id")
				if err != nil {
					return nil, err
				}
				who, err := principal(r)
				if err != nil {
					return nil, err
				}
				return do(r, who, id)
			}}
	}
	objection := func(accept bool) func(r *http.Request, who auth.Principal, id int64) (any, error) {
		return func(r *http.Request, who auth.Principal, id int64) (any, error) {
			oid, err := pathID(r, "objection")
			if err != nil {
				return nil, err
			}
			var v handleBody
			if err := readBody(r, &v); err != nil {
				return nil, err
			}
			return s.econ.Handle(r.Context(), who, id, oid, accept, v.Reason, v.Correction)
		}
	}
	rs := []route{
		step("notice", "Put a draft run on public notice (公示) for its period", noticeBody{}, func(r *http.Request, who auth.Principal, id int64) (any, error) {
			var v noticeBody
			if err := readBody(r, &v); err != nil {
				return nil, err
			}
			return s.econ.Notice(r.Context(), who, id, v.From, v.To)
		}),
		step("objections", "Object to an enterprise's result during the notice (the enterprise, or an officer for it)", objectBody{},
			func(r *http.Request, who auth.Principal, id int64) (any, error) {
				var v objectBody
				if err := readBody(r, &v); err != nil {
					return nil, err
				}
				return s.econ.Object(r.Context(), who, id, strings.ToUpper(strings.TrimSpace(v.USCC)), v.Text, v.Attachments)
			}),
		step("objections/{objection}/accept", "Accept an objection, with the reason and a correction of the annual data", handleBody{}, objection(true)),
		step("objections/{objection}/reject", "Reject an objection, with the reason", handleBody{}, objection(false)),
		step("rerun", "Re-run on the corrected data: the new run takes the old one's place; what changed per enterprise", nil,
			func(r *http.Request, who auth.Principal, id int64) (any, error) {
				run, changes, err := s.econ.Rerun(r.Context(), who, id)
				return rerunBody{run, nonNil(changes)}, err
			}),
		step("approve", "Record the approval (审定) of a run whose notice is over", approveBody{}, func(r *http.Request, who auth.Principal, id int64) (any, error) {
			var v approveBody
			if err := readBody(r, &v); err != nil {
				return nil, err
			}
			return s.econ.Approve(r.Context(), who, id, v.Document)
		}),
		step("publish", "Publish an approved run: its enterprises see their results", nil, func(r *http.Request, who auth.Principal, id int64) (any, error) {
			return s.econ.Publish(r.Context(), who, id)
		}),
		{method: "POST", pattern: "/api/v1/evaluations/{id}/evidence", summary: "Store an objection's evidence (JPEG, PNG or PDF; the body is the file) for an enterprise that may object now",
			handle: s.objectionEvidence, status: http.StatusCreated, limit: compliance.MaxAttachment + 1,
			query: []param{{"name", "string", "the file's name"}, {"uscc", "string", "the enterprise objecting"}}, body: upload{}, resp: compliance.Attachment{}},
		{method: "GET", pattern: "/api/v1/evaluations/{id}/history", summary: "A run's audit log (with the runs it re-ran) and its objections; an enterprise gets its own objections",
			handle: s.evaluationHistory, resp: historyBody{}},
	}
	rs[1].status, rs[4].status = http.StatusCreated, http.StatusCreated // an objection, a re-run
	rs = append(append(append(rs, s.policyRoutes()...), s.declarationRoutes()...), s.runRoutes()...)
	rs[1].resp, rs[2].resp, rs[3].resp, rs[4].resp = economy.Objection{}, economy.Objection{}, economy.Objection{}, rerunBody{}
	return rs
}

type noticeBody struct {
	From string `json:"from"` // YYYY-MM-DD
	To   string `json:"to"`
}

type objectBody struct {
	USCC        string   `json:"uscc"`
	Text        string   `json:"text"`
	Attachments []string `json:"attachments,omitempty"` // ids from POST /api/v1/evaluations/{id}/evidence
}

type handleBody struct {
	Reason     string            `json:"reason"`
	Correction map[string]string `json:"correction,omitempty"` // annual data fields, e.g. {"tax": "80"}
}

type approveBody struct {
	Document string `json:"document"` // the meeting or document approving it
}

type rerunBody struct {
	Run     economy.Run      `json:"run"`
	Changes []economy.Change `json:"changes"`
}

type historyBody struct {
	Run        economy.Run         `json:"run"`
	Events     []economy.Event     `json:"events"`
	Objections []economy.Objection `json:"objections"`
}

func (s *Server) evaluationHistory(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	run, evs, os, err := s.econ.History(r.Context(), who, id)
	return historyBody{run, nonNil(evs), nonNil(os)}, err
}

// objectionEvidence stores a file for an objection once the economy
// service says its uploader may object now: the attachments' own policy
// is the cases' (decision 0019), which enterprises may not write.
func (s *Server) objectionEvidence(r *http.Request) (any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	who, err := principal(r)
	if err != nil {
		return nil, err
	}
	if err := s.econ.MayObject(r.Context(), who, id, strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("uscc")))); err != nil {
		return nil, err
	}
	return s.putAttachmentAs(r, auth.Command("objection evidence for "+who.Actor()))
}
