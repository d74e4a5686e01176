package compliance

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
)

// watchTTL is how long the set of closed enterprises is trusted: a closure
// carried out through another server is watched within this time; one
// carried out through this service at once.
const watchTTL = 30 * time.Second

// evidenceEvery is how often (in the evidence's own time) more evidence on
// a reopened case is written:
// a closed plant's logger may send every few seconds, and a write for
// each frame would compete with the frames themselves for the store.
const evidenceEvery = 30 * time.Second

// tally is the evidence on a reopened case counted since it was last written.
type tally struct {
	n       int
	at      time.Time // the latest
	written time.Time // the time of the latest evidence written
}

// RecordRelapse takes evidence from monitoring that enterprise uscc
// produces (a frame from its data logger, a logger connecting). If a case
// closed the enterprise (its 两断三清 complete, closed out or not), the
// first evidence reopens that case for a follow-up visit (actor
// "monitoring"), with the evidence in its event; further evidence while it stays reopened only
// counts (Case.RelapseEvidence, RelapseAt), neither a new event nor a new
// version, so that officials editing the case are not refused because a
// logger spoke again; the count is kept in memory and written at most
// every 30 seconds per case. It reports whether a case took the evidence.
//
// It is meant for the ingestion path: for an enterprise no case closed it
// is a map lookup; the set of closed enterprises is read from the store at
// most every 30 seconds.
func (s *Service) RecordRelapse(ctx context.Context, uscc string, ev Evidence) (bool, error) {
	id, err := s.watchedCase(ctx, uscc)
	if err != nil || id == 0 {
		return false, err
	}
	ev.Kind, ev.MN, ev.Detail = strings.TrimSpace(ev.Kind), strings.TrimSpace(ev.MN), strings.TrimSpace(ev.Detail)
	if ev.Kind == "" {
		return false, apperr.New(apperr.Invalid, "relapse evidence needs its kind (hj212_frame, logger_connection)", "复产线索须注明类型（hj212_frame、logger_connection）")
	}
	if ev.At.IsZero() {
		ev.At = s.now()
	}
	ev.At = ev.At.UTC()
	if s.count(id, ev.At) {
		return true, nil
	}
	// Two pieces of evidence racing to reopen: the loser finds it reopened.
	for range 3 {
		c, ok, err := s.store.Case(ctx, id)
		if err != nil || !ok {
			return false, err
		}
		if c.State == Reopened {
			n, at := s.written(id, ev.At)
			err := s.store.UpdateCompliance(ctx, func(tx Tx) error { return tx.AddEvidence(ctx, id, n, at, false) })
			return err == nil, err
		}
		// A closure being redone after a relapse (its checklist cleared)
		// is expected to produce until its power is cut again.
		if !allowed(ActRelapse, c.State, Reopened) || c.State == Rectifying && c.RectifiedOn == "" {
			return false, nil
		}
		_, err = s.change(ctx, Edit{Case: id, Version: c.Version, By: auth.Server("monitoring")}, ActRelapse, func(tx Tx, c *Case, e *Event) error {
			c.ReopenedFrom, c.State = c.State, Reopened
			e.Reason = ev.Kind + " " + ev.MN
			s.written(id, ev.At)
			if err := tx.AddEvidence(ctx, id, 1, ev.At, true); err != nil {
				return err
			}
			return data(e, map[string]any{"evidence": ev})
		})
		if apperr.CodeOf(err) != apperr.Conflict {
			return err == nil, err
		}
	}
	return false, errors.New("compliance: relapse evidence: the case kept changing")
}

// relapseQueue bounds the evidence waiting for RecordRelapse.
const relapseQueue = 10_000

// RelapseWatcher returns the ingestion's watcher (an ingest.Watcher): a
// closed enterprise's logger connecting or sending is evidence that it
// produces, which reopens the case that closed it (RecordRelapse). Only
// evidence that MayRelapse is queued, and one goroutine, until ctx ends,
// records it: a frame is never answered later because a case is being
// written, and a burst of closed plants' loggers costs the frames' writer
// one case write at a time, not hundreds queued for the database. What
// does not fit the queue is dropped and logged; the loggers' next frames
// bring it again.
func (s *Service) RelapseWatcher(ctx context.Context, log *slog.Logger) func(ctx context.Context, uscc, mn, kind string, at time.Time) {
	type evidence struct {
		uscc string
		ev   Evidence
	}
	queue := make(chan evidence, relapseQueue)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case e := <-queue:
				if _, err := s.RecordRelapse(ctx, e.uscc, e.ev); err != nil && ctx.Err() == nil {
					log.Error("compliance: relapse evidence", "uscc", e.uscc, "mn", e.ev.MN, "err", err)
				}
			}
		}
	}()
	var dropped atomic.Int64
	return func(_ context.Context, uscc, mn, kind string, at time.Time) {
		if !s.MayRelapse(uscc) {
			return
		}
		select {
		case queue <- evidence{uscc, Evidence{Kind: kind, MN: mn, At: at}}:
		default:
			if n := dropped.Add(1); n%1000 == 1 {
				log.Warn("compliance: relapse evidence queue full, evidence dropped", "dropped", n)
			}
		}
	}
}

// count counts evidence on case id in memory, and reports whether that is
// all there is to do: the case took evidence that was written less than
// evidenceEvery ago.
func (s *Service) count(id int64, at time.Time) bool {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	t := s.tallies[id]
	if t == nil || at.Sub(t.written) >= evidenceEvery {
		return false
	}
	t.n++
	if at.After(t.at) {
		t.at = at
	}
	return true
}

// written returns the evidence on case id to write, the one at at
// included, and starts a new tally.
func (s *Service) written(id int64, at time.Time) (int, time.Time) {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	if s.tallies == nil {
		s.tallies = map[int64]*tally{}
	}
	t := s.tallies[id]
	if t == nil {
		t = &tally{}
		s.tallies[id] = t
	}
	n := t.n + 1
	if t.at.After(at) {
		at = t.at
	}
	*t = tally{written: at}
	return n, at
}

func (s *Service) forgetTally(id int64) {
	s.watchMu.Lock()
	delete(s.tallies, id)
	s.watchMu.Unlock()
}

// MayRelapse reports, without reading the store, whether evidence about
// enterprise uscc may be evidence of a relapse: a case closed it, or the
// set of closed enterprises is due to be read again. The ingestion path
// asks it of every frame and queues RecordRelapse only for those.
func (s *Service) MayRelapse(uscc string) bool {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	return s.watched == nil || s.now().Sub(s.watchedAt) > watchTTL || s.watched[uscc] != 0
}

// watchedCase returns the case that closed enterprise uscc, 0 if none.
func (s *Service) watchedCase(ctx context.Context, uscc string) (int64, error) {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	if s.watched == nil || s.now().Sub(s.watchedAt) > watchTTL {
		ws, err := s.store.Watched(ctx)
		if err != nil {
			return 0, err
		}
		s.watched = make(map[string]int64, len(ws))
		for _, w := range ws {
			s.watched[w.USCC] = max(s.watched[w.USCC], w.Case) // the newest case
		}
		s.watchedAt = s.now()
	}
	return s.watched[uscc], nil
}

// watched reports whether the case is one that RecordRelapse watches: a
// closure carried out (the store's Watched).
func (c Case) watched() bool {
	return c.Disposition == Close && c.CarriedOutOn != "" && c.State != Dismissed
}

// updateWatched brings the set of watched cases up to date after case c
// joined it (is) or left it. A case joins in place; one that leaves makes
// the next RecordRelapse read the set again, as another case may close the
// same enterprise. Reading it again for every change would, with relapses
// reopening thousands of cases, read it thousands of times.
func (s *Service) updateWatched(c Case, is bool) {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	switch {
	case s.watched == nil:
	case is:
		s.watched[c.USCC] = max(s.watched[c.USCC], c.ID)
	default:
		s.watched = nil
	}
}
