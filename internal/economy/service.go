package economy

import (
	"context"
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
	packedIn, err := packInputs(ins)
	if err != nil {
		return Run{}, Outcome{}, err
	}
	packedOut, err := packOutcome(out)
	if err != nil {
		return Run{}, Outcome{}, err
	}
	sr := StoredRun{At: s.now().UTC(), Actor: by.Actor(), County: county, Year: year, MethodName: m.Name, Method: yamlText,
		Evaluated: len(out.Results), Inputs: packedIn, Outcome: packedOut}
	sr.ID, err = s.store.AddEvaluation(ctx, sr)
	if err != nil {
		return Run{}, Outcome{}, err
	}
	return summary(sr, out), out, nil
}

// Results returns a run and its results, of one class or one enterprise
// where class or uscc are given.
func (s *Service) Results(ctx context.Context, by auth.Principal, id int64, class, uscc string) (Run, []Result, error) {
	if err := by.Check(); err != nil {
		return Run{}, nil, err
	}
	if err := auth.CanList(by, auth.Evaluations); err != nil {
		return Run{}, nil, err
	}
	sr, err := s.store.Evaluation(ctx, id)
	if err != nil {
		return Run{}, nil, err
	}
	missing := apperr.Newf(apperr.NotFound, "no evaluation %d", "无编号为 %d 的亩均评价", id)
	if sr.ID == 0 {
		return Run{}, nil, missing
	}
	if err := auth.CanRead(by, auth.Object{What: auth.Evaluations, County: sr.County, Missing: missing}); err != nil {
		return Run{}, nil, err
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

func summary(sr StoredRun, out Outcome) Run {
	r := Run{ID: sr.ID, At: sr.At, Actor: sr.Actor, County: sr.County, Year: sr.Year, Method: sr.MethodName,
		Evaluated: len(out.Results), OutOfScope: out.OutOfScope, Classes: map[string]int{}, Benchmarks: out.Benchmarks}
	for _, x := range out.Results {
		r.Classes[x.Class]++
	}
	return r
}
