package api

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/rules"
)

// eventsOf marks a stream of server-sent events whose data are values of
// elem's type, in the route table.
type eventsOf struct{ elem any }

// The stream's bounds (decision 0027).
const (
	// heartbeat is how often an idle stream sends a comment, so that
	// proxies keep it and a client sees a dead one.
	heartbeat = 15 * time.Second
	// streamWrite is how long one event may take to write: a client that
	// stops reading is let go, whatever the server's write timeout.
	streamWrite = 10 * time.Second
	// streamLife ends a stream after an hour; the client reconnects with
	// its last event id and misses nothing.
	streamLife = time.Hour
)

// alarmStream serves GET /api/v1/alarms/stream: an event "alarm" for
// each alarm raised or changed that the caller may see and the query
// passes (the filters of GET /api/v1/alarms), its id the change's seq.
// A client that reconnects with Last-Event-ID (or ?last_event_id=) gets
// the changes since first.
func (s *Server) alarmStream(w http.ResponseWriter, r *http.Request) {
	fail := func(err error) { s.writeError(w, r, err) }
	who, err := principal(r)
	if err != nil {
		fail(err)
		return
	}
	f, err := alarmFilter(r.URL.Query())
	if err != nil {
		fail(err)
		return
	}
	var after int64
	if v := cmp.Or(r.Header.Get("Last-Event-ID"), r.URL.Query().Get("last_event_id")); v != "" {
		if after, err = strconv.ParseInt(v, 10, 64); err != nil || after < 0 {
			fail(apperr.Newf(apperr.Invalid, "Last-Event-ID: %q is not an event id", "Last-Event-ID：%q 不是事件编号", v))
			return
		}
	}
	sub, err := s.rules.Subscribe(r.Context(), who, f, after)
	if err != nil {
		fail(err)
		return
	}
	defer sub.Close()
	rc := http.NewResponseController(w)
	// The server's read deadline would end the stream's context once it
	// passed: a stream reads nothing after its request.
	rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass each event on at once
	w.WriteHeader(http.StatusOK)
	send := func(text string) bool {
		// Each write gets its own deadline, in place of the server's
		// write timeout, which would end every stream after it.
		if err := rc.SetWriteDeadline(time.Now().Add(streamWrite)); err != nil {
			return false
		}
		if _, err := fmt.Fprint(w, text); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	var last int64
	events := func(as []rules.Alarm) bool {
		for _, a := range as {
			if a.Seq <= last {
				continue // in the backlog and again in a poll
			}
			last = a.Seq
			b, err := json.Marshal(a)
			if err != nil {
				s.log.ErrorContext(r.Context(), "api: alarm stream", "err", err)
				return false
			}
			if !send(fmt.Sprintf("id: %d\nevent: alarm\ndata: %s\n\n", a.Seq, b)) {
				return false
			}
		}
		return true
	}
	if !send("retry: 2000\n: alarms\n\n") || !events(sub.Backlog) {
		return
	}
	beat := time.NewTicker(heartbeat)
	defer beat.Stop()
	end := time.NewTimer(streamLife)
	defer end.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-end.C:
			return
		case <-beat.C:
			if !send(": heartbeat\n\n") {
				return
			}
		case as, ok := <-sub.C:
			if !ok || !events(as) {
				return
			}
		}
	}
}
