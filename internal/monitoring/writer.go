package monitoring

import (
	"context"
	"log/slog"
	"time"

	"ecoindustry/internal/metrics"
)

// Writer gathers frames from many connections into batches, writes each
// batch in one transaction, and answers each frame only after its batch
// has committed: a logger is acknowledged only for what is durable.
type Writer struct {
	store    Store
	reqs     chan *writeReq
	maxBatch int
	log      *slog.Logger
	m        *metrics.Metrics
}

type writeReq struct {
	r    *Received
	i    int // r's place in what its caller handed over
	done chan writeRes
}

type writeRes struct {
	i   int
	o   Outcome
	err error
}

// NewWriter returns a writer of batches of at most maxBatch frames.
func NewWriter(store Store, maxBatch int, log *slog.Logger, m *metrics.Metrics) *Writer {
	return &Writer{store: store, reqs: make(chan *writeReq, maxBatch), maxBatch: maxBatch, log: log, m: m}
}

// WriteAll stores rs, which may land in one batch or more, and returns
// once every one of them is committed or one has failed. It returns the
// outcomes, appended to out, of the frames before the first that failed,
// and that one's error: a connection answers what its logger sent up to
// there. A logger that sends several frames before it waits for their
// answers has them written together instead of one commit after another.
func (w *Writer) WriteAll(ctx context.Context, rs []*Received, out []Outcome) ([]Outcome, error) {
	done := make(chan writeRes, len(rs))
	for i, r := range rs {
		r.Prepare()
		select {
		case w.reqs <- &writeReq{r: r, i: i, done: done}:
		case <-ctx.Done():
			return out, ctx.Err()
		}
	}
	res := make([]writeRes, len(rs))
	for range rs {
		select {
		case r := <-done:
			res[r.i] = r
		case <-ctx.Done():
			// The batch may still commit; the logger, unanswered, will resend,
			// and the resend will be found a duplicate.
			return out, ctx.Err()
		}
	}
	for _, r := range res {
		if r.err != nil {
			return out, r.err
		}
		out = append(out, r.o)
	}
	return out, nil
}

// Run writes batches until ctx ends. While a batch commits the next one
// gathers, so batches grow with the load and a lone frame waits for no one.
func (w *Writer) Run(ctx context.Context) {
	batch := make([]*writeReq, 0, w.maxBatch)
	recs := make([]*Received, 0, w.maxBatch)
	for {
		select {
		case <-ctx.Done():
			return
		case req := <-w.reqs:
			batch = append(batch[:0], req)
		}
	gather:
		for len(batch) < w.maxBatch {
			select {
			case req := <-w.reqs:
				batch = append(batch, req)
			default:
				break gather
			}
		}
		recs = recs[:0]
		for _, req := range batch {
			recs = append(recs, req.r)
		}
		start := time.Now()
		// A batch under way finishes even when ctx ends: its frames may be
		// answered, and nothing is left half-written either way.
		out, err := w.store.WriteBatch(context.WithoutCancel(ctx), recs)
		w.m.CommitSeconds.Observe(time.Since(start).Seconds())
		w.m.BatchFrames.Observe(float64(len(batch)))
		if err != nil {
			w.log.Error("monitoring: write batch", "frames", len(batch), "err", err)
		}
		for i, req := range batch {
			res := writeRes{i: req.i, err: err}
			if err == nil {
				res.o = out[i]
			}
			req.done <- res
		}
	}
}
