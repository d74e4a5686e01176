package gep

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
)

// Store keeps the account runs (migration 0016).
type Store interface {
	AddGEPRun(ctx context.Context, r StoredRun) (int64, error)
	// UpdateGEPRun sets a run's status, progress, provenance, account,
	// error and finish time.
	UpdateGEPRun(ctx context.Context, r StoredRun) error
	// GEPRun returns a run, or a zero run (ID 0) where there is none.
	GEPRun(ctx context.Context, id int64) (StoredRun, error)
	// GEPRuns returns the newest runs first, at most limit, without
	// their provenance and account.
	GEPRuns(ctx context.Context, limit int) ([]StoredRun, error)
}

// Run states.
const (
	Running = "running"
	Done    = "done"
	Failed  = "failed"
)

// StoredRun is a run as kept: the config as given, and when done its
// provenance and account (JSON).
type StoredRun struct {
	ID         int64
	At         time.Time
	Actor      string
	Name       string
	Year       int
	Status     string
	Progress   float64 // 0 to 1
	Config     string
	Provenance []byte
	Account    []byte
	Error      string // English
	ErrorZh    string
	Finished   time.Time // zero while running
}

// RunView is a run as the API shows it; Account only for one run.
type RunView struct {
	ID       int64      `json:"id"`
	At       time.Time  `json:"at"`
	Actor    string     `json:"actor"`
	Name     string     `json:"name"`
	Year     int        `json:"year"`
	Status   string     `json:"status"`
	Progress float64    `json:"progress"`
	Error    string     `json:"error,omitempty"`
	ErrorZh  string     `json:"error_zh,omitempty"`
	Finished *time.Time `json:"finished,omitempty"`
	Config   string     `json:"config,omitempty"`
	Account  *Account   `json:"account,omitempty"`
}

// Service runs accounts in the background over the files of a data
// directory, one at a time, and keeps them.
type Service struct {
	store Store
	dir   string // the data directory: configs' paths are confined to it
	log   *slog.Logger
	slot  chan struct{}
	now   func() time.Time
}

// NewService returns the service over store and the data directory dir.
func NewService(store Store, dir string, log *slog.Logger) *Service {
	// The real directory, as Resolve compares paths with it.
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			dir = real
		}
	}
	return &Service{store: store, dir: dir, log: log, slot: make(chan struct{}, 1), now: time.Now}
}

// Start checks config (YAML or JSON, its paths inside the data directory)
// and everything Prepare checks, then computes the account in the
// background under DATA/gep/runs/ID. It returns the run as started; done
// is closed when the run ends (tests wait on it).
func (s *Service) Start(ctx context.Context, by auth.Principal, config []byte) (run RunView, done <-chan struct{}, err error) {
	if err := by.Check(); err != nil {
		return RunView{}, nil, err
	}
	if err := auth.MayWrite(by, auth.GEPRuns, ""); err != nil {
		return RunView{}, nil, err
	}
	cfg, err := ParseConfig("config", config)
	if err != nil {
		return RunView{}, nil, err
	}
	if cfg.Out != "" {
		return RunView{}, nil, invalid("config: out: the server chooses the output directory (DATA/gep/runs/ID)", "config：out：输出目录由服务器决定（DATA/gep/runs/编号）")
	}
	if err := cfg.Resolve(s.dir, true); err != nil {
		return RunView{}, nil, err
	}
	select {
	case s.slot <- struct{}{}:
	default:
		return RunView{}, nil, apperr.New(apperr.Busy, "a GEP account is being computed; try again when it is done", "正在进行另一项 GEP 核算，请稍后再试")
	}
	release := func() { <-s.slot }
	p, err := Prepare(cfg, nil)
	if err != nil {
		release()
		return RunView{}, nil, s.inputError(err)
	}
	sr := StoredRun{At: s.now().UTC(), Actor: by.Actor(), Name: cfg.Name, Year: cfg.Year, Status: Running, Config: string(config)}
	if sr.ID, err = s.store.AddGEPRun(ctx, sr); err != nil {
		p.Close()
		release()
		return RunView{}, nil, err
	}
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		defer release()
		defer p.Close()
		s.compute(sr, p)
	}()
	return view(sr, false), ch, nil
}

// compute runs a prepared account and records its progress and outcome.
// It outlives the request that started it.
func (s *Service) compute(sr StoredRun, p *Prepared) {
	ctx := context.Background()
	last := 0.0
	acc, err := p.Compute(ctx, Options{Out: filepath.Join(s.dir, "gep", "runs", strconv.FormatInt(sr.ID, 10)),
		Progress: func(done, total int) {
			sr.Progress = float64(done) / float64(max(total, 1))
			if sr.Progress-last >= 0.01 && sr.Progress < 1 {
				last = sr.Progress
				if err := s.store.UpdateGEPRun(ctx, sr); err != nil {
					s.log.Error("gep: run progress", "run", sr.ID, "err", err)
				}
			}
		}})
	sr.Finished = s.now().UTC()
	if err == nil {
		relative(&acc.Provenance, s.dir)
		sr.Provenance, err = json.Marshal(acc.Provenance)
	}
	if err == nil {
		a := *acc
		a.Provenance = Provenance{}
		sr.Account, err = json.Marshal(a)
	}
	if err != nil {
		e := s.inputError(err)
		sr.Status, sr.Error, sr.ErrorZh = Failed, e.Message, e.Zh
		s.log.Info("gep: run failed", "run", sr.ID, "err", err)
	} else {
		sr.Status, sr.Progress = Done, 1
	}
	if err := s.store.UpdateGEPRun(ctx, sr); err != nil {
		s.log.Error("gep: run outcome", "run", sr.ID, "err", err)
	}
}

// Runs lists the newest runs (at most 500).
func (s *Service) Runs(ctx context.Context, by auth.Principal) ([]RunView, error) {
	if err := by.Check(); err != nil {
		return nil, err
	}
	if err := auth.CanList(by, auth.GEPRuns); err != nil {
		return nil, err
	}
	rs, err := s.store.GEPRuns(ctx, 500)
	if err != nil {
		return nil, err
	}
	out := make([]RunView, len(rs))
	for i, r := range rs {
		out[i] = view(r, false)
	}
	return out, nil
}

// Run returns a run with its account and provenance once done.
func (s *Service) Run(ctx context.Context, by auth.Principal, id int64) (RunView, error) {
	if err := by.Check(); err != nil {
		return RunView{}, err
	}
	if err := auth.CanList(by, auth.GEPRuns); err != nil {
		return RunView{}, err
	}
	sr, err := s.store.GEPRun(ctx, id)
	if err != nil {
		return RunView{}, err
	}
	if sr.ID == 0 {
		return RunView{}, apperr.Newf(apperr.NotFound, "no GEP run %d", "无编号为 %d 的 GEP 核算", id)
	}
	v := view(sr, true)
	if len(sr.Account) > 0 {
		var a Account
		if err := json.Unmarshal(sr.Account, &a); err != nil {
			return RunView{}, fmt.Errorf("gep: run %d: account: %w", id, err)
		}
		if err := json.Unmarshal(sr.Provenance, &a.Provenance); err != nil {
			return RunView{}, fmt.Errorf("gep: run %d: provenance: %w", id, err)
		}
		v.Account = &a
	}
	return v, nil
}

// XLSX returns a done run's account as the workbook the command line
// writes.
func (s *Service) XLSX(ctx context.Context, by auth.Principal, id int64) ([]byte, error) {
	v, err := s.Run(ctx, by, id)
	if err != nil {
		return nil, err
	}
	if v.Account == nil {
		return nil, apperr.Newf(apperr.Conflict, "GEP run %d is %s: no account yet", "GEP 核算 %d 状态为 %s，尚无核算表", id, v.Status)
	}
	var b bytes.Buffer
	if err := WriteXLSX(&b, v.Account); err != nil {
		return nil, fmt.Errorf("gep: run %d: xlsx: %w", id, err)
	}
	return b.Bytes(), nil
}

// inputError is err as the API shows it: a problem of the inputs (what
// Prepare and Compute find is in the files), with the data directory's
// path taken out of its messages.
func (s *Service) inputError(err error) *apperr.Error {
	e := apperr.As(err)
	if e == nil {
		e = &apperr.Error{Code: apperr.Invalid, Message: err.Error(), Zh: "输入文件有误 / " + err.Error()}
	}
	strip := func(m string) string { return strings.ReplaceAll(m, s.dir+string(filepath.Separator), "") }
	return &apperr.Error{Code: e.Code, Message: strip(e.Message), Zh: strip(e.Zh)}
}

// relative writes the provenance's paths relative to the data directory:
// what the config named, not where the server keeps its files.
func relative(p *Provenance, dir string) {
	rel := func(path string) string {
		if r, err := filepath.Rel(dir, path); err == nil {
			return r
		}
		return path
	}
	for i := range p.Inputs {
		p.Inputs[i].Path = rel(p.Inputs[i].Path)
	}
	for _, path := range p.Config.paths() {
		if *path != "" {
			*path = rel(*path)
		}
	}
}

func view(sr StoredRun, withConfig bool) RunView {
	v := RunView{ID: sr.ID, At: sr.At, Actor: sr.Actor, Name: sr.Name, Year: sr.Year, Status: sr.Status,
		Progress: math.Round(sr.Progress*1000) / 1000, Error: sr.Error, ErrorZh: sr.ErrorZh}
	if !sr.Finished.IsZero() {
		f := sr.Finished
		v.Finished = &f
	}
	if withConfig {
		v.Config = sr.Config
	}
	return v
}
