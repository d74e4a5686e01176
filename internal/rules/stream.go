package rules

import (
	"context"
	"slices"
	"sync"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
)

// Stream limits (decision 0027).
const (
	// PollEvery is how often a process reads the alarms changed by any
	// process on the store: an alarm reaches the streams within it.
	PollEvery = 250 * time.Millisecond
	// MaxSubscribers bounds the streams one process serves at once.
	MaxSubscribers = 500
	// pollRows is how many changes one poll reads at most; more wait for
	// the next poll.
	pollRows = 1000
	// subBuffer is how many polls' batches a subscriber may lag behind
	// before it is dropped (its client resumes from its last event id).
	subBuffer = 64
	// MaxBacklog is how many changes a resumed stream reads again at most.
	MaxBacklog = 10000
)

// ErrStreamsBusy: the process serves MaxSubscribers streams already.
var ErrStreamsBusy = apperr.New(apperr.Busy, "too many alarm streams open on this server: try again shortly", "本服务器告警推送连接已满，请稍后重试")

// errClosed: the server is shutting down.
var errClosed = apperr.New(apperr.Busy, "the server is shutting down", "服务器正在关闭")

// Match reports whether a passes f's conditions and its scope (the
// limit and offset aside): a stream's filter, as Alarms applies it in SQL.
func (f AlarmFilter) Match(a Alarm) bool {
	eq := func(want, got string) bool { return want == "" || want == got }
	return (len(f.States) == 0 || slices.Contains(f.States, a.State)) && eq(f.Kind, a.Kind) && eq(f.County, a.County) &&
		eq(f.USCC, a.USCC) && eq(f.Outlet, a.Outlet) && eq(f.Pollutant, a.Pollutant) &&
		(f.From.IsZero() || !a.StartedAt.Before(f.From)) && (f.To.IsZero() || a.StartedAt.Before(f.To)) &&
		f.Scope.Allows(a.County, a.Park, a.USCC)
}

// hub follows the alarms' changes in the store, every PollEvery while it
// has subscribers, and hands each subscriber those its filter passes.
// Processes share nothing but the store: a change made by any of them
// reaches every process's subscribers by its seq.
type hub struct {
	s     Store
	every time.Duration
	max   int

	mu      sync.Mutex
	subs    map[*Subscription]bool
	last    int64 // the last change handed out
	polling bool
	closed  bool
	stop    chan struct{} // closed by close
}

func newHub(s Store) *hub {
	return &hub{s: s, every: PollEvery, max: MaxSubscribers, subs: map[*Subscription]bool{}, stop: make(chan struct{})}
}

// Subscription is one stream's share of the changes.
type Subscription struct {
	// Backlog holds the changes after the id the stream resumed from, as
	// read when it subscribed, oldest first.
	Backlog []Alarm
	// C gives the changes since, a batch a poll; it is closed when the
	// subscriber falls too far behind or the server shuts down.
	C <-chan []Alarm
	c chan []Alarm
	f AlarmFilter
	h *hub
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	s.h.drop(s)
}

// drop removes s and closes its channel; h.mu held.
func (h *hub) drop(s *Subscription) {
	if h.subs[s] {
		delete(h.subs, s)
		close(s.c)
	}
}

// subscribe adds a subscriber with filter f, reading the changes after
// seq after into its backlog (none where after is 0).
func (h *hub) subscribe(ctx context.Context, f AlarmFilter, after int64) (*Subscription, error) {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, errClosed
	}
	if len(h.subs) >= h.max {
		h.mu.Unlock()
		return nil, ErrStreamsBusy
	}
	c := make(chan []Alarm, subBuffer)
	sub := &Subscription{C: c, c: c, f: f, h: h}
	if !h.polling {
		// Start from the store's newest change: what came before is no
		// news, and another process's are seen from now on.
		seq, err := h.s.AlarmSeq(ctx)
		if err != nil {
			h.mu.Unlock()
			return nil, err
		}
		h.last, h.polling = seq, true
		go h.poll()
	}
	h.subs[sub] = true
	h.mu.Unlock()
	// The backlog is read after joining, so nothing falls between the two;
	// what both hold, the stream sends once (by seq).
	for after > 0 && len(sub.Backlog) < MaxBacklog {
		as, err := h.s.AlarmChanges(ctx, after, pollRows)
		if err != nil {
			sub.Close()
			return nil, err
		}
		for _, a := range as {
			if f.Match(a) {
				sub.Backlog = append(sub.Backlog, a)
			}
		}
		if len(as) < pollRows {
			break
		}
		after = as[len(as)-1].Seq
	}
	return sub, nil
}

// poll reads the changes every h.every and hands them out, until no one
// subscribes or the hub closes.
func (h *hub) poll() {
	t := time.NewTicker(h.every)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		h.mu.Lock()
		if len(h.subs) == 0 {
			h.polling = false
			h.mu.Unlock()
			return
		}
		last := h.last
		h.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		as, err := h.s.AlarmChanges(ctx, last, pollRows)
		cancel()
		if err != nil || len(as) == 0 {
			continue // a store that fails now is asked again next tick
		}
		h.mu.Lock()
		h.last = as[len(as)-1].Seq
		for sub := range h.subs {
			var mine []Alarm
			for _, a := range as {
				if sub.f.Match(a) {
					mine = append(mine, a)
				}
			}
			if len(mine) == 0 {
				continue
			}
			select {
			case sub.c <- mine:
			default:
				h.drop(sub) // too far behind: it resumes from its last event
			}
		}
		h.mu.Unlock()
	}
}

// close ends every subscription and refuses new ones.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	close(h.stop)
	for sub := range h.subs {
		h.drop(sub)
	}
}

// Subscribe opens a stream of the alarms by may see that f passes, as
// they are raised and change, resuming after change after (0: from now).
func (v *Service) Subscribe(ctx context.Context, by auth.Principal, f AlarmFilter, after int64) (*Subscription, error) {
	if err := auth.CanList(by, auth.Monitoring); err != nil {
		return nil, err
	}
	f.Scope = auth.Visible(by)
	return v.hub.subscribe(ctx, f, after)
}

// SetMaxStreams sets how many streams the process serves at once
// (MaxSubscribers unless set).
func (v *Service) SetMaxStreams(n int) {
	v.hub.mu.Lock()
	defer v.hub.mu.Unlock()
	v.hub.max = n
}

// Close ends the streams (the HTTP server's shutdown, which waits for no
// stream to end by itself).
func (v *Service) Close() { v.hub.close() }
