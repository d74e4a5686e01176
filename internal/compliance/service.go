package compliance

import (
	"context"
	"io"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/cst"
)

// Service is the rectification's use cases: screening, campaigns, cases,
// statistics and attachments. It is safe for concurrent use; RecordRelapse
// is cheap enough for the ingestion path.
type Service struct {
	store Store
	files Attachments
	now   func() time.Time

	watchMu   sync.Mutex
	watched   map[string]int64 // USCC → the case that closed it
	watchedAt time.Time
	tallies   map[int64]*tally // reopened cases: evidence not written yet
}

// NewService returns a Service over store, keeping attachments in files.
func NewService(store Store, files Attachments) *Service {
	return &Service{store: store, files: files, now: time.Now}
}

// SetClock replaces the service's clock (tests, demos that replay a campaign).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Today is the service's current date in China Standard Time.
func (s *Service) Today() string { return s.now().In(cst.Zone).Format(dateLayout) }

const dateLayout = "2006-01-02"

// checkDate refuses a value that is not a YYYY-MM-DD date, naming the field.
func checkDate(field, zh, v string) error {
	if t, err := time.Parse(dateLayout, v); err != nil || t.Year() < 1900 {
		return apperr.Newf(apperr.Invalid, "%[1]s %[3]q is not a date (YYYY-MM-DD)", "%[2]s %[3]q 不是有效日期（应为 YYYY-MM-DD）", field, zh, v)
	}
	return nil
}

// checkText refuses an empty or overlong required text.
func checkText(field, zh, v string, max int) error {
	switch n := utf8.RuneCountInString(strings.TrimSpace(v)); {
	case n == 0:
		return apperr.Newf(apperr.Invalid, "%[1]s is required", "%[2]s为必填项", field, zh)
	case n > max:
		return apperr.Newf(apperr.Invalid, "%[1]s: at most %[3]d characters", "%[2]s：不能超过 %[3]d 个字符", field, zh, max)
	}
	return nil
}

// notFound is the error for a missing case, campaign or run.
func notFound(en, zh string, id int64) error {
	return apperr.Newf(apperr.NotFound, "no %[1]s %[3]d", "无%[2]s %[3]d", en, zh, id)
}

// Screen screens the registry as of asOf ("" is today) with rule set rs
// (Criteria nil: the four built-in criteria) and stores the run, made by
// by, with its candidates. The registry is read whole, in bulk, and
// evaluated in memory.
func (s *Service) Screen(ctx context.Context, rs RuleSet, asOf string, by auth.Principal) (Run, error) {
	if err := by.Check(); err != nil {
		return Run{}, err
	}
	if err := auth.CanWrite(by, screeningObject); err != nil {
		return Run{}, err
	}
	if asOf == "" {
		asOf = s.Today()
	} else if err := checkDate("as_of", "筛查基准日", asOf); err != nil {
		return Run{}, err
	}
	recs, err := s.store.Records(ctx)
	if err != nil {
		return Run{}, err
	}
	if rs, err = rs.check(recs.Units); err != nil {
		return Run{}, err
	}
	cands, screened := Evaluate(recs, rs, asOf, nil)
	run := Run{At: s.now().UTC(), Actor: by.Actor(), AsOf: asOf, Rules: rs, Screened: screened, Selected: len(cands)}
	err = s.store.UpdateCompliance(ctx, func(tx Tx) error {
		run.ID, err = tx.AddRun(ctx, run, unlabelled(cands))
		return err
	})
	return run, err
}

// Runs lists the screening runs, newest first.
func (s *Service) Runs(ctx context.Context, by auth.Principal) ([]Run, error) {
	if err := auth.CanList(by, auth.Screenings); err != nil {
		return nil, err
	}
	return s.store.Runs(ctx)
}

// Run returns a screening run and its candidates, in USCC order.
func (s *Service) Run(ctx context.Context, by auth.Principal, id int64) (Run, []Candidate, error) {
	if err := auth.CanRead(by, screeningObject); err != nil {
		return Run{}, nil, err
	}
	r, ok, err := s.store.Run(ctx, id)
	if err != nil {
		return r, nil, err
	}
	if !ok {
		return r, nil, notFound("screening run", "筛查批次", id)
	}
	cands, err := s.store.Candidates(ctx, id)
	r.Rules.label(cands)
	return r, cands, err
}

// Diff is what changed from one screening run to another.
type Diff struct {
	From    int64       `json:"from"`
	To      int64       `json:"to"`
	Added   []Candidate `json:"added"`   // in To, not in From
	Removed []Candidate `json:"removed"` // in From, not in To
	Changed []Change    `json:"changed"` // in both, with other criteria or evidence
}

// Change is a candidate of both runs whose findings differ.
type Change struct {
	USCC   string    `json:"uscc"`
	Before Candidate `json:"before"`
	After  Candidate `json:"after"`
}

// Diff compares run a with run b, candidates in USCC order.
func (s *Service) Diff(ctx context.Context, by auth.Principal, a, b int64) (Diff, error) {
	_, ca, err := s.Run(ctx, by, a)
	if err != nil {
		return Diff{}, err
	}
	_, cb, err := s.Run(ctx, by, b)
	if err != nil {
		return Diff{}, err
	}
	d := Diff{From: a, To: b}
	i, j := 0, 0
	for i < len(ca) || j < len(cb) {
		switch {
		case j == len(cb) || i < len(ca) && ca[i].USCC < cb[j].USCC:
			d.Removed = append(d.Removed, ca[i])
			i++
		case i == len(ca) || cb[j].USCC < ca[i].USCC:
			d.Added = append(d.Added, cb[j])
			j++
		default:
			if !sameFindings(ca[i].Findings, cb[j].Findings) {
				d.Changed = append(d.Changed, Change{USCC: ca[i].USCC, Before: ca[i], After: cb[j]})
			}
			i, j = i+1, j+1
		}
	}
	return d, nil
}

func sameFindings(a, b []Finding) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Code != b[i].Code || len(a[i].Evidence) != len(b[i].Evidence) {
			return false
		}
		for k, f := range a[i].Evidence {
			g := b[i].Evidence[k]
			if f.Kind != g.Kind || f.Key != g.Key || f.Why != g.Why || len(f.Fields) != len(g.Fields) {
				return false
			}
			for name, v := range f.Fields {
				if g.Fields[name] != v {
					return false
				}
			}
		}
	}
	return true
}

// PutAttachment stores a photo or scanned document (see Attachments).
// by must be one who may act on cases.
func (s *Service) PutAttachment(ctx context.Context, by auth.Principal, name, claimedType string, r io.Reader) (Attachment, error) {
	if err := auth.CanWrite(by, evidenceObject); err != nil {
		return Attachment{}, err
	}
	return s.files.Put(ctx, name, claimedType, r)
}

// Attachment returns an attachment and its content; the caller closes it.
// by must be one who may read cases.
func (s *Service) Attachment(ctx context.Context, by auth.Principal, id string) (Attachment, io.ReadCloser, error) {
	if err := auth.CanList(by, auth.Evidence); err != nil {
		return Attachment{}, nil, err
	}
	if !ValidID(id) {
		return Attachment{}, nil, apperr.Newf(apperr.Invalid, "%q is not an attachment id (64 hex digits)", "%q 不是附件编号（64位十六进制）", id)
	}
	return s.files.Get(ctx, id)
}

// checkAttachments refuses ids that name no stored attachment; need > 0
// also refuses fewer than need of them.
func (s *Service) checkAttachments(ctx context.Context, what, whatZh string, ids []string, need int) error {
	if len(ids) < need {
		return apperr.Newf(apperr.Invalid, "%[1]s needs evidence: attach at least %[3]d photo or document", "%[2]s须附至少 %[3]d 份照片或文件作为佐证", what, whatZh, need)
	}
	if len(ids) > 50 {
		return apperr.Newf(apperr.Invalid, "%[1]s: at most 50 attachments", "%[2]s：附件不能超过50份", what, whatZh)
	}
	for _, id := range ids {
		if !ValidID(id) {
			return apperr.Newf(apperr.Invalid, "%[1]s: %[3]q is not an attachment id", "%[2]s：%[3]q 不是附件编号", what, whatZh, id)
		}
		if _, ok, err := s.files.Stat(ctx, id); err != nil {
			return err
		} else if !ok {
			return apperr.Newf(apperr.Invalid, "%[1]s: no attachment %[3]s (upload it first)", "%[2]s：附件 %[3]s 不存在（请先上传）", what, whatZh, id)
		}
	}
	return nil
}
