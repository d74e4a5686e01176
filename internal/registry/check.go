package registry

import (
	"context"
	"fmt"
)

// refs answers whether the records a row refers to exist, reading through
// the transaction that will write the rows and remembering what it read.
type refs struct {
	ctx     context.Context
	r       Reader
	err     error
	units   []AdminUnit
	parks   map[string]Park
	ents    map[string]bool
	outlets map[string]map[string]Outlet // USCC → outlet code → outlet
}

func newRefs(ctx context.Context, r Reader) (*refs, error) {
	units, err := r.Units(ctx)
	if err != nil {
		return nil, err
	}
	parks, err := r.Parks(ctx)
	if err != nil {
		return nil, err
	}
	f := &refs{ctx: ctx, r: r, units: units, parks: map[string]Park{}, ents: map[string]bool{}, outlets: map[string]map[string]Outlet{}}
	for _, p := range parks {
		f.parks[p.Code] = p
	}
	return f, nil
}

func (f *refs) park(code string) (Park, bool) {
	p, ok := f.parks[code]
	return p, ok
}

func (f *refs) enterprise(uscc string) bool {
	if ok, seen := f.ents[uscc]; seen {
		return ok
	}
	es, _, err := f.r.Enterprises(f.ctx, EnterpriseFilter{USCC: uscc})
	if err != nil && f.err == nil {
		f.err = err
	}
	f.ents[uscc] = len(es) > 0
	return len(es) > 0
}

func (f *refs) outletOf(uscc, code string) (Outlet, bool) {
	os, seen := f.outlets[uscc]
	if !seen {
		list, err := f.r.Outlets(f.ctx, uscc)
		if err != nil && f.err == nil {
			f.err = err
		}
		os = make(map[string]Outlet, len(list))
		for _, o := range list {
			os[o.OutletCode] = o
		}
		f.outlets[uscc] = os
	}
	o, ok := os[code]
	return o, ok
}

func (f *refs) outlet(uscc, code string) bool {
	_, ok := f.outletOf(uscc, code)
	return ok
}

// checker holds the parsed records of one write for the checks that look
// across records.
type checker struct {
	ctx  context.Context
	r    Reader
	recs []any
	fail func(i int, field, en, zh string)
	err  error
}

func (c *checker) failf(i int, field, en, zh string, args ...any) {
	c.fail(i, field, fmt.Sprintf(en, args...), fmt.Sprintf(zh, args...))
}

// checkMNs keeps every logger MN unique city-wide: the MN is how the
// ingestion server knows which outlet a frame comes from.
func checkMNs(c *checker) {
	stored, err := c.r.Outlets(c.ctx, "")
	if err != nil {
		c.err = err
		return
	}
	owner := map[string]string{}
	written := map[string]bool{}
	for _, r := range c.recs {
		if r != nil {
			written[outletKind.key(r)] = true
		}
	}
	for _, o := range stored {
		if k := outletKind.key(o); o.MN != "" && !written[k] {
			owner[o.MN] = k
		}
	}
	for i, r := range c.recs {
		o, _ := r.(Outlet)
		if o.MN == "" {
			continue
		}
		k := outletKind.key(o)
		if prev, ok := owner[o.MN]; ok && prev != k {
			c.failf(i, "mn", "MN %s is already used by outlet %s", "MN %s 已被排放口 %s 使用", o.MN, prev)
			continue
		}
		owner[o.MN] = k
	}
}

// checkPermits keeps a permit's rows in agreement: one enterprise, one
// class, one period.
func checkPermits(c *checker) {
	stored, err := c.r.Permits(c.ctx, "")
	if err != nil {
		c.err = err
		return
	}
	owner := map[string]string{}
	for _, l := range stored {
		owner[l.PermitNo] = l.USCC
	}
	first := map[string]PermitLimit{}
	for i, r := range c.recs {
		l, ok := r.(PermitLimit)
		if !ok {
			continue
		}
		if u, ok := owner[l.PermitNo]; ok && u != l.USCC {
			c.failf(i, "uscc", "permit %s belongs to enterprise %s", "排污许可证 %s 属于企业 %s", l.PermitNo, u)
			continue
		}
		f, ok := first[l.PermitNo]
		if !ok {
			first[l.PermitNo] = l
			continue
		}
		for _, d := range []struct{ field, a, b string }{
			{"uscc", f.USCC, l.USCC}, {"class", f.Class, l.Class}, {"valid_from", f.ValidFrom, l.ValidFrom}, {"valid_to", f.ValidTo, l.ValidTo},
		} {
			if d.a != d.b {
				c.failf(i, d.field, "permit %s: %q here, %q in an earlier row", "排污许可证 %s：此行为 %q，前面的行为 %q", l.PermitNo, d.b, d.a)
			}
		}
	}
}

// checkParents keeps the tree of administrative units whole: a unit's
// parent is stored or comes earlier in the same write, one level up.
func checkParents(c *checker) {
	stored, err := c.r.Units(c.ctx)
	if err != nil {
		c.err = err
		return
	}
	level := map[string]string{}
	for _, u := range stored {
		level[u.Code] = u.Level
	}
	up := map[string]string{"county": "city", "township": "county"}
	for i, r := range c.recs {
		u, ok := r.(AdminUnit)
		if !ok {
			continue
		}
		if u.Parent != "" {
			switch pl, found := level[u.Parent]; {
			case !found:
				c.failf(i, "parent", "no unit %s (give parents before their units)", "无代码为 %s 的上级区划（上级须先于下级）", u.Parent)
			case pl != up[u.Level]:
				c.failf(i, "parent", "unit %[1]s is a %[2]s, not the %[3]s above a %[4]s", "上级 %[1]s 为 %[2]s 级，而 %[4]s 的上级应为 %[3]s 级", u.Parent, pl, up[u.Level], u.Level)
			}
		}
		level[u.Code] = u.Level
	}
}
