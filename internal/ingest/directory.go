package ingest

import (
	"context"
	"sync"
	"time"

	"ecoindustry/internal/registry"
)

// Directory answers which outlet an MN belongs to and with what password,
// from the registry, reloaded every refresh and (at most every few seconds)
// when an MN it does not know appears: a logger registered a minute ago is
// let in without a restart, and a flood of unknown MNs costs one reload.
type Directory struct {
	r       registry.Reader
	refresh time.Duration

	mu     sync.Mutex
	byMN   map[string]registry.Outlet
	loaded time.Time
}

// NewDirectory returns a directory over r.
func NewDirectory(r registry.Reader, refresh time.Duration) *Directory {
	return &Directory{r: r, refresh: refresh}
}

// retryUnknown is how soon an unknown MN may cause another reload.
const retryUnknown = 5 * time.Second

// Lookup returns the outlet whose logger has MN mn.
func (d *Directory) Lookup(ctx context.Context, mn string) (registry.Outlet, bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	o, ok := d.byMN[mn]
	age := time.Since(d.loaded)
	if d.byMN == nil || age > d.refresh || !ok && age > retryUnknown {
		outlets, err := d.r.Outlets(ctx, "")
		if err != nil {
			return registry.Outlet{}, false, err
		}
		d.byMN = make(map[string]registry.Outlet, len(outlets))
		for _, o := range outlets {
			if o.MN != "" {
				d.byMN[o.MN] = o
			}
		}
		d.loaded = time.Now()
		o, ok = d.byMN[mn]
	}
	return o, ok, nil
}
