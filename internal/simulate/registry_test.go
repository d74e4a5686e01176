package simulate

import (
	"context"
	"strconv"
	"testing"

	"ecoindustry/internal/demo"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store/sqlite"
)

func TestLoggersFromDemo(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.OpenDir(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := demo.Generate(1, 600)
	if err := demo.Load(ctx, registry.NewService(db), d); err != nil {
		t.Fatal(err)
	}
	ls, err := LoggersFrom(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	// What the demo says each outlet with an MN should be.
	outlets, _ := d.Table("outlets")
	want := map[string][]string{} // MN → uscc, outlet, kind, pw
	for _, r := range outlets.Rows {
		if r[7] != "" {
			want[r[7]] = []string{r[0], r[1], r[2], r[8]}
		}
	}
	permits, _ := d.Table("permits")
	limits := map[string]float64{} // uscc/outlet/code → limit
	for _, r := range permits.Rows {
		v, _ := strconv.ParseFloat(r[7], 64)
		limits[r[1]+"/"+r[5]+"/"+r[6]] = v
	}
	if len(ls) != len(want) || len(ls) == 0 {
		t.Fatalf("%d loggers, %d outlets with an MN", len(ls), len(want))
	}
	kinds := map[string]int{}
	for i, l := range ls {
		w := want[l.MN]
		if w == nil || l.Kind != w[2] || l.PW != w[3] || l.Industry == "" || i > 0 && ls[i-1].MN >= l.MN {
			t.Fatalf("logger %+v, outlet %v", l, w)
		}
		kinds[l.Kind]++
		if l.RefO2 > 0 {
			kinds["combustion"]++
		}
		n := 0
		for _, p := range l.Pollutants {
			if p.Limit == 0 {
				continue
			}
			n++
			if lim := limits[w[0]+"/"+w[1]+"/"+p.Code]; p.Limit != lim || p.Typical <= 0 || p.Typical > 0.6*p.Limit {
				t.Errorf("%s %s: typical %v, limit %v, permit %v", l.MN, p.Code, p.Typical, p.Limit, lim)
			}
		}
		for k := range limits {
			if k[:len(w[0])+len(w[1])+2] == w[0]+"/"+w[1]+"/" {
				n--
			}
		}
		if n != 0 {
			t.Errorf("%s: %d pollutants more than its permit", l.MN, n)
		}
		// Every frame fits a standard data segment (1024 bytes, Table 2).
		s, err := newSim(l, Config{Version: "2017", Start: morning}, 0)
		if err != nil {
			t.Fatal(err)
		}
		b, _, _ := s.aggregated("2061", morning.Unix(), morning, true)
		if f, err := hj212.Decode(b, hj212.Options{Strict: true}); err != nil || f.DataLen > 1024 {
			t.Fatalf("%s: %v", l.MN, err)
		}
	}
	if kinds["air"] == 0 || kinds["water"] == 0 || kinds["combustion"] == 0 {
		t.Errorf("loggers by kind: %v", kinds)
	}
	t.Logf("%d loggers: %v", len(ls), kinds)
}
