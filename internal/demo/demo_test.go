package demo

import (
	"context"
	"reflect"
	"testing"
	"time"

	"ecoindustry/internal/registry"
	"ecoindustry/internal/store/sqlite"
)

func TestGenerateIsDeterministic(t *testing.T) {
	a, b := Generate(1, 500), Generate(1, 500)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave different datasets")
	}
	if reflect.DeepEqual(a, Generate(2, 500)) {
		t.Fatal("different seeds gave the same dataset")
	}
	ents, _ := a.Table("enterprises")
	if !reflect.DeepEqual(Enterprises(1, 500), ents) {
		t.Fatal("Enterprises differs from Generate's enterprises table")
	}
	if len(ents.Rows) != 500 {
		t.Fatalf("%d enterprises, want 500", len(ents.Rows))
	}
}

func TestStory(t *testing.T) {
	d := Generate(1, 3000)
	for _, k := range registry.Kinds {
		tb, ok := d.Table(k.Name)
		if !ok {
			t.Fatalf("no %s table", k.Name)
		}
		if len(tb.Header) != len(k.Fields) {
			t.Errorf("%s: header %v, fields %v", k.Name, tb.Header, k.Header())
		}
		t.Logf("%-12s %6d rows", k.Name, len(tb.Rows))
	}
	ents, _ := d.Table("enterprises")
	perCounty := map[string]int{}
	names := map[string]bool{}
	valves, leather, jinyunScope := 0, 0, 0
	for _, r := range ents.Rows {
		uscc, name, county, code, park := r[0], r[1], r[2], r[3], r[6]
		// The Jinyun campaign's scope: founded before its survey of 2014,
		// and operating until its cases close them.
		if county == jinyunCounty && inIndustries(code, jinyunIndustries) {
			jinyunScope++
			if r[5] != "operating" || r[12] >= "2014" {
				t.Errorf("%s in the Jinyun campaign's scope: %s, founded %s", uscc, r[5], r[12])
			}
		}
		perCounty[county]++
		if err := registry.CheckUSCC(uscc); err != nil {
			t.Error(err)
		}
		var org [8]byte
		copy(org[:], uscc[8:16])
		if uscc[16] != gb11714Check(org) {
			t.Errorf("%s: organisation code check character", uscc)
		}
		if names[name] {
			t.Errorf("name %s twice", name)
		}
		names[name] = true
		if !registry.IsIndustryClass(code) {
			t.Errorf("%s: %s is not a class", uscc, code)
		}
		if county == "331121" && code == "3443" {
			valves++
		}
		if park == "LS-ETDZ" && code == "2925" {
			leather++
		}
		if r[13] != "true" {
			t.Errorf("%s not synthetic", uscc)
		}
	}
	for _, u := range registry.LishuiUnits {
		if u.Level == "county" && perCounty[u.Code] == 0 {
			t.Errorf("no enterprises in %s %s", u.Code, u.Name)
		}
	}
	if valves < 50 || leather < 30 || jinyunScope < 260 {
		t.Errorf("%d Qingtian valve firms, %d synthetic-leather firms in the development zone, %d in the Jinyun campaign's scope",
			valves, leather, jinyunScope)
	}
	t.Logf("per county %v; Qingtian valves %d; ETDZ synthetic leather %d; Jinyun campaign %d", perCounty, valves, leather, jinyunScope)
}

// Worked by hand: 12345678 → 3+14+27+40+25+48+28+16 = 201, 201 mod 11 = 3,
// 11−3 = 8; 00000006 → 12 mod 11 = 1 → 10 → X; 00000000 → 11 → 0;
// MA000000 → 22·3+10·7 = 136, mod 11 = 4 → 7.
func TestGB11714Check(t *testing.T) {
	for code, want := range map[string]byte{"12345678": '8', "00000006": 'X', "00000000": '0', "MA000000": '7'} {
		var b [8]byte
		copy(b[:], code)
		if c := gb11714Check(b); c != want {
			t.Errorf("check of %s = %c, want %c", code, c, want)
		}
	}
}

func TestLoad(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.OpenDir(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := registry.NewService(db)
	n := 3000
	if testing.Short() {
		n = 500
	}
	d := Generate(1, n)
	start := time.Now()
	res, err := load(ctx, svc, d)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first load of %d enterprises took %v", n, time.Since(start).Round(time.Millisecond))
	for _, r := range res {
		// The units are seeded by the store: the demo's table matches them.
		if want := map[bool]int{true: 0, false: r.Rows}[r.Kind == "units"]; r.Created != want || r.Kind == "units" && r.Unchanged != r.Rows {
			t.Errorf("%s: %+v", r.Kind, r)
		}
	}
	start = time.Now()
	if res, err = load(ctx, svc, d); err != nil {
		t.Fatal(err)
	}
	t.Logf("second load took %v", time.Since(start).Round(time.Millisecond))
	for _, r := range res {
		if r.Unchanged != r.Rows {
			t.Errorf("second load, %s: %+v, want all unchanged", r.Kind, r)
		}
	}

	rows := func(kind string) int { tb, _ := d.Table(kind); return len(tb.Rows) }
	es, total, err := svc.Enterprises(ctx, sys, registry.EnterpriseFilter{})
	if err != nil || total != n || len(es) != n {
		t.Errorf("enterprises: %d (%d), %v; want %d", len(es), total, err, n)
	}
	outlets, err := db.Outlets(ctx, "")
	if err != nil || len(outlets) != rows("outlets") {
		t.Errorf("outlets: %d, %v; want %d", len(outlets), err, rows("outlets"))
	}
	permits, err := db.Permits(ctx, "")
	if err != nil || len(permits) != rows("permits") {
		t.Errorf("permit rows: %d, %v; want %d", len(permits), err, rows("permits"))
	}
	valves, _, err := svc.Enterprises(ctx, sys, registry.EnterpriseFilter{County: "青田县", Industry: "3443"})
	if err != nil || len(valves) == 0 {
		t.Errorf("Qingtian valve firms: %d, %v", len(valves), err)
	}
	leather, _, err := svc.Enterprises(ctx, sys, registry.EnterpriseFilter{Park: "LS-ETDZ", Industry: "2925"})
	if err != nil || len(leather) == 0 {
		t.Errorf("development-zone synthetic leather firms: %d, %v", len(leather), err)
	}
}
