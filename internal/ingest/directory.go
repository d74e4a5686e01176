package ingest

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"ecoindustry/internal/registry"
)

// Directory answers which outlet an MN belongs to and with what password,
// from the registry, reloaded every refresh and (at most every few seconds)
// when an MN it does not know appears: a logger registered a minute ago is
// let in without a restart, and a flood of unknown MNs costs one reload.
// Lookups read the loaded map without a lock; a reload builds a new map
// while they go on with the old one, so ten thousand loggers do not wait
// for the registry once a minute.
type Directory struct {
	r       registry.Reader
	refresh time.Duration

	cur    atomic.Pointer[directory]
	loadMu sync.Mutex // one reload at a time
}

type directory struct {
	byMN   map[string]registry.Outlet
	loaded time.Time
}

// NewDirectory returns a directory over r.
func NewDirectory(r registry.Reader, refresh time.Duration) *Directory {
	return &Directory{r: r, refresh: refresh}
}

// retryUnknown is how soon an unknown MN may cause another reload.
const retryUnknown = 5 * time.Second

// Lookup returns the outlet whose logger has MN mn. Only the first lookup,
// and one for an MN the directory does not know, wait for a reload; a
// stale directory answers from what it has while one lookup reloads it.
func (d *Directory) Lookup(ctx context.Context, mn string) (registry.Outlet, bool, error) {
	cur := d.cur.Load()
	if cur == nil {
		if err := d.reload(ctx, nil); err != nil {
			return registry.Outlet{}, false, err
		}
		cur = d.cur.Load()
	}
	o, ok := cur.byMN[mn]
	age := time.Since(cur.loaded)
	switch {
	case !ok && age > retryUnknown:
		if err := d.reload(ctx, cur); err != nil {
			return registry.Outlet{}, false, err
		}
		o, ok = d.cur.Load().byMN[mn]
	case age > d.refresh && d.loadMu.TryLock():
		// The reload runs beside the frames, not in their way; if it
		// fails, the directory stays stale and a later lookup tries again.
		go func() {
			defer d.loadMu.Unlock()
			d.load(context.WithoutCancel(ctx))
		}()
	}
	return o, ok, nil
}

// reload loads the registry's outlets unless another lookup did since seen.
func (d *Directory) reload(ctx context.Context, seen *directory) error {
	d.loadMu.Lock()
	defer d.loadMu.Unlock()
	if cur := d.cur.Load(); cur != nil && cur != seen {
		return nil
	}
	return d.load(ctx)
}

func (d *Directory) load(ctx context.Context) error {
	outlets, err := d.r.Outlets(ctx, "")
	if err != nil {
		return err
	}
	next := &directory{byMN: make(map[string]registry.Outlet, len(outlets)), loaded: time.Now()}
	for _, o := range outlets {
		if o.MN != "" {
			next.byMN[o.MN] = o
		}
	}
	d.cur.Store(next)
	return nil
}
