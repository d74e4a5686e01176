package economy

import (
	"context"
	"slices"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
)

// Store is what the evaluation reads and keeps.
type Store interface {
	// Inputs returns the enterprises of a county (neither closed nor
	// relocated) with figures for the year, land from the registry where
	// the year's data has none.
	Inputs(ctx context.Context, county string, year int) ([]Input, error)
	AddEvaluation(ctx context.Context, r StoredRun) (int64, error)
	// Evaluation returns a run without its inputs, or a zero run (ID 0)
	// where there is none.
	Evaluation(ctx context.Context, id int64) (StoredRun, error)
	// Units are the registry's administrative units, to name a county.
	Units(ctx context.Context) ([]registry.AdminUnit, error)
	// EvaluationInputs returns a run's inputs as kept (packed).
	EvaluationInputs(ctx context.Context, id int64) ([]byte, error)
	// EvaluationRuns returns the runs of a county and year ("" and 0: all),
	// newest first, without their outcomes and inputs (at most 500).
	EvaluationRuns(ctx context.Context, county string, year int) ([]StoredRun, error)
	// Enterprises are the registry's, to place an enterprise.
	Enterprises(ctx context.Context, f registry.EnterpriseFilter) ([]registry.Enterprise, int, error)
	// Latest returns the outcome of a county's year's latest run not
	// superseded, a published one first; nil where there is none.
	Latest(ctx context.Context, county string, year int) ([]byte, error)
	// UpdateDeclarations runs fn in one transaction; Declarations lists
	// them, newest first, filtered where a filter is not "" (at most 1,000).
	UpdateDeclarations(ctx context.Context, fn func(DeclarationTx) error) error
	Declarations(ctx context.Context, county, uscc, state string) ([]Declaration, error)
	// UpdateEvaluation runs fn in one transaction (the workflow's steps).
	UpdateEvaluation(ctx context.Context, fn func(Tx) error) error
	// EvaluationEvents and Objections are those of the runs given, in order.
	EvaluationEvents(ctx context.Context, runs []int64) ([]Event, error)
	Objections(ctx context.Context, runs []int64) ([]Objection, error)
	IndustryStore
}

// StoredRun is a run as kept: its method's YAML as given, its inputs and
// outcome packed (pack).
type StoredRun struct {
	ID         int64
	At         time.Time
	Actor      string
	County     string
	Year       int
	MethodName string
	Method     string
	Evaluated  int
	Inputs     []byte
	Outcome    []byte
	// The workflow (notice.go): the state, the run this one revises (0:
	// none) and the one that revised it, the notice period (YYYY-MM-DD).
	State                State
	Classes              map[string]int // the count of each class
	OutOfScope           int
	Revises, Next        int64
	NoticeFrom, NoticeTo string
	chain                []int64 // this run and those it revises, newest first
	objections           []Objection
}

// Run is an evaluation run as the API shows it.
type Run struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	County     string    `json:"county"`
	Year       int       `json:"year"`
	Method     string    `json:"method"`
	Evaluated  int       `json:"evaluated"`
	OutOfScope int       `json:"out_of_scope"`
	// Classes counts the results by class.
	Classes    map[string]int                `json:"classes"`
	Benchmarks map[string]map[string]float64 `json:"benchmarks"`
	State      State                         `json:"state"`
	StateZh    string                        `json:"state_zh"`
	Revises    int64                         `json:"revises,omitempty"`       // the run this one re-ran
	Next       int64                         `json:"superseded_by,omitempty"` // the re-run that took its place
	NoticeFrom string                        `json:"notice_from,omitempty"`
	NoticeTo   string                        `json:"notice_to,omitempty"`
}

// Service runs evaluations and keeps them.
type Service struct {
	store Store
	now   func() time.Time
	// clusters keeps the last figures the leading industries were computed from.
	clusters clusterCache
}

// NewService returns the service over store.
func NewService(store Store) *Service { return &Service{store: store, now: time.Now} }

// SetClock sets the service's clock (tests: a notice period's days).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Evaluate evaluates county's year by m (its YAML text kept with the
// run) and keeps the run with its inputs.
func (s *Service) Evaluate(ctx context.Context, by auth.Principal, county string, year int, m *Method, yamlText string) (Run, Outcome, error) {
	if err := by.Check(); err != nil {
		return Run{}, Outcome{}, err
	}
	// The county by its code or name, as the registry's filters take it:
	// a run of a county the registry does not know would evaluate no one.
	units, err := s.store.Units(ctx)
	if err != nil {
		return Run{}, Outcome{}, err
	}
	if u, ok := registry.FindUnit(units, county); ok && u.Level == "county" {
		county = u.Code
	} else if county != "" {
		return Run{}, Outcome{}, apperr.Newf(apperr.Invalid, "county %q is no county of the registry (GB/T 2260 code or name)", "%q 不是登记的县（市、区）（GB/T 2260 代码或名称）", county)
	}
	if err := auth.CanWrite(by, auth.Object{What: auth.Evaluations, Bureau: auth.Economy, County: county}); err != nil {
		return Run{}, Outcome{}, err
	}
	switch {
	case county == "" || year < 2000 || year > 2100:
		return Run{}, Outcome{}, apperr.Newf(apperr.Invalid, "give a county and a year (2000–2100), got %q and %d", "须给出县（市、区）代码和年度（2000–2100），实为 %q 和 %d", county, year)
	case m.County != "" && m.County != county:
		return Run{}, Outcome{}, apperr.Newf(apperr.Invalid, "method %s is for county %s, not %s", "评价办法 %s 适用于 %s，不适用于 %s", m.Name, m.County, county)
	case m.Year != 0 && m.Year != year:
		return Run{}, Outcome{}, apperr.Newf(apperr.Invalid, "method %s is for the year %d, not %d", "评价办法 %s 适用于 %d 年度，不适用于 %d 年度", m.Name, m.Year, year)
	}
	ins, err := s.store.Inputs(ctx, county, year)
	if err != nil {
		return Run{}, Outcome{}, err
	}
	out := Evaluate(m, ins)
	if prev, err := s.store.Latest(ctx, county, year-1); err != nil {
		return Run{}, Outcome{}, err
	} else if prev != nil {
		last, err := unpackOutcome(prev)
		if err != nil {
			return Run{}, Outcome{}, err
		}
		priorClasses(last, &out)
	}
	packedIn, err := packInputs(ins)
	if err != nil {
		return Run{}, Outcome{}, err
	}
	packedOut, err := packOutcome(out)
	if err != nil {
		return Run{}, Outcome{}, err
	}
	sr := StoredRun{At: s.now().UTC(), Actor: by.Actor(), County: county, Year: year, MethodName: m.Name, Method: yamlText,
		Evaluated: len(out.Results), Inputs: packedIn, Outcome: packedOut, State: Draft, Classes: classCounts(out), OutOfScope: out.OutOfScope}
	sr.ID, err = s.store.AddEvaluation(ctx, sr)
	if err != nil {
		return Run{}, Outcome{}, err
	}
	return summary(sr, out), out, nil
}

// Results returns a run and its results, of one class or one enterprise
// where class or uscc are given. An enterprise reads its own result once
// the run is on notice (公示 is public), approved or published; not a
// draft nor a superseded run.
func (s *Service) Results(ctx context.Context, by auth.Principal, id int64, class, uscc string) (Run, []Result, error) {
	sr, err := s.read(ctx, by, id)
	if err != nil {
		return Run{}, nil, err
	}
	if by.Role == auth.Enterprise {
		uscc = by.Scope.USCC
	}
	out, err := unpackOutcome(sr.Outcome)
	if err != nil {
		return Run{}, nil, err
	}
	rs := make([]Result, 0, len(out.Results))
	for _, r := range out.Results {
		if (class == "" || r.Class == class) && (uscc == "" || r.USCC == uscc) {
			rs = append(rs, r.Explained())
		}
	}
	return summary(sr, out), rs, nil
}

// read reads run id for by: officers of its county; an enterprise once
// it is public, as for its own result.
func (s *Service) read(ctx context.Context, by auth.Principal, id int64) (StoredRun, error) {
	if err := by.Check(); err != nil {
		return StoredRun{}, err
	}
	if err := auth.CanList(by, auth.Evaluations); err != nil {
		return StoredRun{}, err
	}
	sr, err := s.store.Evaluation(ctx, id)
	if err != nil {
		return StoredRun{}, err
	}
	if sr.ID == 0 {
		return StoredRun{}, noRun(id)
	}
	o := auth.Object{What: auth.Evaluations, County: sr.County, Missing: noRun(id)}
	if by.Role == auth.Enterprise {
		// Its own result, in a public run of its county.
		es, _, err := s.store.Enterprises(ctx, registry.EnterpriseFilter{USCC: by.Scope.USCC, Limit: 1})
		if err != nil {
			return StoredRun{}, err
		}
		if !sr.public() || len(es) == 0 || es[0].County != sr.County {
			return StoredRun{}, noRun(id)
		}
		o.USCC = by.Scope.USCC
	}
	if err := auth.CanRead(by, o); err != nil {
		return StoredRun{}, err
	}
	return sr, nil
}

// History returns a run's audit log with the runs it revises, oldest
// first, and their objections: the officers'. An enterprise gets its own
// objections and no log.
func (s *Service) History(ctx context.Context, by auth.Principal, id int64) (Run, []Event, []Objection, error) {
	sr, err := s.read(ctx, by, id)
	if err != nil {
		return Run{}, nil, nil, err
	}
	if sr, err = s.readable(ctx, s.store, id); err != nil {
		return Run{}, nil, nil, err
	}
	out, err := unpackOutcome(sr.Outcome)
	if err != nil {
		return Run{}, nil, nil, err
	}
	os := sr.objections
	if by.Role == auth.Enterprise {
		os = slices.DeleteFunc(os, func(o Objection) bool { return o.USCC != by.Scope.USCC })
		return summary(sr, out), []Event{}, os, nil
	}
	evs, err := s.store.EvaluationEvents(ctx, sr.chain)
	return summary(sr, out), evs, os, err
}

func summary(sr StoredRun, out Outcome) Run {
	r := Run{ID: sr.ID, At: sr.At, Actor: sr.Actor, County: sr.County, Year: sr.Year, Method: sr.MethodName,
		Evaluated: len(out.Results), OutOfScope: out.OutOfScope, Classes: map[string]int{}, Benchmarks: out.Benchmarks,
		State: sr.State, StateZh: sr.State.Zh(), Revises: sr.Revises, Next: sr.Next, NoticeFrom: sr.NoticeFrom, NoticeTo: sr.NoticeTo}
	for _, x := range out.Results {
		r.Classes[x.Class]++
	}
	return r
}

// classCounts counts the results of each class.
func classCounts(out Outcome) map[string]int {
	c := map[string]int{}
	for _, r := range out.Results {
		c[r.Class]++
	}
	return c
}

// listed is a run as lists show it, from its columns (no benchmarks).
func listed(sr StoredRun) Run {
	return Run{ID: sr.ID, At: sr.At, Actor: sr.Actor, County: sr.County, Year: sr.Year, Method: sr.MethodName, Evaluated: sr.Evaluated,
		OutOfScope: sr.OutOfScope, Classes: sr.Classes, State: sr.State, StateZh: sr.State.Zh(), Revises: sr.Revises, Next: sr.Next,
		NoticeFrom: sr.NoticeFrom, NoticeTo: sr.NoticeTo}
}

// priorClasses sets each result's LastClass from last year's outcome.
func priorClasses(last Outcome, out *Outcome) {
	class := make(map[string]string, len(last.Results))
	for _, r := range last.Results {
		class[r.USCC] = r.Class
	}
	for i := range out.Results {
		out.Results[i].LastClass = class[out.Results[i].USCC]
	}
}
