// Package storetest is the conformance suite that every store must pass:
// store/sqlite and store/postgres run the same tests, so that the domain
// code sees one behaviour whichever database is behind it.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"ecoindustry/internal/registry"
)

// Open returns a new, empty, migrated store that lives as long as the test.
type Open func(t *testing.T) registry.Store

// Run runs the whole suite.
func Run(t *testing.T, open Open) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, registry.Store)
	}{
		{"SeededUnits", testSeededUnits},
		{"PutAndReadEveryKind", testPutAndRead},
		{"Upsert", testUpsert},
		{"EnterpriseFilters", testEnterpriseFilters},
		{"RollbackWritesNothing", testRollback},
		{"ReferencesEnforced", testReferences},
		{"MNUnique", testMNUnique},
		{"ChangesAppendOnly", testChanges},
		{"BulkWrites", testBulk},
		{"Near", testNear},
		{"WithinPark", testWithinPark},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

// Fixture records, valid against the seeded Lishui units.
var (
	Park = registry.Park{Code: "LS-ETDZ", Name: "丽水经济技术开发区", County: "331102", Kind: "development_zone"}
	Ent  = registry.Enterprise{USCC: USCC("331102", 1), Name: "丽水市测试合成革有限公司", County: "331102", IndustryCode: "2925",
		Size: "above", Status: "operating", Park: "LS-ETDZ", Address: "水阁工业区1号", Lon: 119.87, Lat: 28.42,
		LandMu: 56.5, Employees: 230, Founded: "2004-03-18", Synthetic: true}
	Outlet = registry.Outlet{USCC: Ent.USCC, OutletCode: "DA001", Kind: "air", Name: "涂层废气排放口", Lon: 119.871, Lat: 28.421,
		HeightM: 25, MN: "888888800000000000000001", PW: "123456"}
	Permit = registry.PermitLimit{PermitNo: Ent.USCC + "001P", USCC: Ent.USCC, Class: "key", ValidFrom: "2021-01-01", ValidTo: "2025-12-31",
		OutletCode: "DA001", PollutantCode: "a24088", LimitConcentration: 60, LimitUnit: "mg/m3", AnnualQuantityT: 12.5}
)

// USCC makes a valid unified social credit code in county from n.
func USCC(county string, n int) string {
	first := fmt.Sprintf("91%sMA%07d", county, n)
	return first + string(registry.USCCCheckDigit(first))
}

func put(t *testing.T, s registry.Store, fn func(ctx context.Context, tx registry.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), func(tx registry.Tx) error { return fn(context.Background(), tx) }); err != nil {
		t.Fatal(err)
	}
}

func seed(t *testing.T, s registry.Store) {
	t.Helper()
	put(t, s, func(ctx context.Context, tx registry.Tx) error {
		return errors.Join(tx.PutPark(ctx, Park), tx.PutEnterprise(ctx, Ent), tx.PutOutlet(ctx, Outlet))
	})
}

func testSeededUnits(t *testing.T, s registry.Store) {
	units, err := s.Units(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != len(registry.LishuiUnits) {
		t.Fatalf("got %d units, want the %d of Lishui", len(units), len(registry.LishuiUnits))
	}
	if u, ok := registry.FindUnit(units, "景宁"); !ok || u.Code != "331127" || u.Population != 111011 {
		t.Fatalf("Jingning: got %+v", u)
	}
}

func testPutAndRead(t *testing.T, s registry.Store) {
	ctx := context.Background()
	seed(t, s)
	lic := registry.Licence{USCC: Ent.USCC, LicenceNo: Ent.USCC, Issued: "2016-05-01", Status: "valid"}
	site := registry.Site{USCC: Ent.USCC, LandStatus: "legal", CertificateNo: "浙(2018)丽水市不动产权第0001234号"}
	saf := registry.Safety{USCC: Ent.USCC, AssessedOn: "2024-06-01", Result: "pass", ValidTo: "2027-05-31"}
	fac := registry.Facility{USCC: Ent.USCC, FacilityCode: "TA001", Kind: "RTO焚烧", OutletCode: "DA001", InService: true, Installed: "2019-08-01"}
	put(t, s, func(ctx context.Context, tx registry.Tx) error {
		return errors.Join(tx.PutLicence(ctx, lic), tx.PutSite(ctx, site), tx.PutSafety(ctx, saf), tx.PutFacility(ctx, fac), tx.PutPermit(ctx, Permit))
	})
	es, total, err := s.Enterprises(ctx, registry.EnterpriseFilter{USCC: Ent.USCC})
	check(t, err)
	if total != 1 || len(es) != 1 || es[0] != Ent {
		t.Fatalf("enterprise: got %+v (total %d), want %+v", es, total, Ent)
	}
	parks, err := s.Parks(ctx)
	check(t, err)
	equal(t, "parks", parks, []registry.Park{Park})
	ls, err := s.Licences(ctx, Ent.USCC)
	check(t, err)
	equal(t, "licences", ls, []registry.Licence{lic})
	ss, err := s.Sites(ctx, "")
	check(t, err)
	equal(t, "sites", ss, []registry.Site{site})
	sa, err := s.Safety(ctx, Ent.USCC)
	check(t, err)
	equal(t, "safety", sa, []registry.Safety{saf})
	fs, err := s.Facilities(ctx, Ent.USCC)
	check(t, err)
	equal(t, "facilities", fs, []registry.Facility{fac})
	os, err := s.Outlets(ctx, Ent.USCC)
	check(t, err)
	equal(t, "outlets", os, []registry.Outlet{Outlet})
	ps, err := s.Permits(ctx, Ent.USCC)
	check(t, err)
	equal(t, "permits", ps, []registry.PermitLimit{Permit})
	other, err := s.Outlets(ctx, USCC("331102", 2))
	check(t, err)
	if len(other) != 0 {
		t.Fatalf("outlets of another enterprise: %+v", other)
	}
}

func testUpsert(t *testing.T, s registry.Store) {
	ctx := context.Background()
	seed(t, s)
	e := Ent
	e.Status, e.Park, e.Name = "closed", "", "丽水市测试合成革有限公司（已关停）"
	o := Outlet
	o.MN, o.PW = "", ""
	p := Permit
	p.LimitConcentration = 40
	p2 := Permit
	p2.PollutantCode, p2.LimitConcentration = "a34013", 10
	put(t, s, func(ctx context.Context, tx registry.Tx) error {
		return errors.Join(tx.PutEnterprise(ctx, e), tx.PutOutlet(ctx, o), tx.PutPermit(ctx, Permit), tx.PutPermit(ctx, p), tx.PutPermit(ctx, p2))
	})
	es, _, err := s.Enterprises(ctx, registry.EnterpriseFilter{})
	check(t, err)
	equal(t, "enterprises", es, []registry.Enterprise{e})
	// The renamed enterprise is found by its new name only.
	for q, want := range map[string]int{"已关停": 1, "测试合成革": 1, "不存在的名字": 0} {
		_, n, err := s.Enterprises(ctx, registry.EnterpriseFilter{Q: q})
		check(t, err)
		if n != want {
			t.Errorf("q=%s: %d, want %d", q, n, want)
		}
	}
	os, err := s.Outlets(ctx, "")
	check(t, err)
	equal(t, "outlets", os, []registry.Outlet{o})
	ps, err := s.Permits(ctx, "")
	check(t, err)
	equal(t, "permits", ps, []registry.PermitLimit{p, p2})
}

func testEnterpriseFilters(t *testing.T, s registry.Store) {
	ctx := context.Background()
	seed(t, s)
	counties := []string{"331102", "331121", "331122"}
	industries := []string{"2925", "3443", "3360", "3312"}
	put(t, s, func(ctx context.Context, tx registry.Tx) error {
		for i := 2; i <= 60; i++ {
			e := registry.Enterprise{USCC: USCC(counties[i%3], i), Name: "企业" + string(rune('甲'+i)) + "阀门_100%有限公司", County: counties[i%3],
				IndustryCode: industries[i%4], Size: []string{"above", "below"}[i%2], Status: "operating"}
			if err := tx.PutEnterprise(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	for _, tc := range []struct {
		name  string
		f     registry.EnterpriseFilter
		total int
		page  int
	}{
		{"all", registry.EnterpriseFilter{}, 60, 60},
		{"county", registry.EnterpriseFilter{County: "331121"}, 19, 19},
		{"county and size", registry.EnterpriseFilter{County: "331121", Size: "above"}, 10, 10},
		{"park", registry.EnterpriseFilter{Park: "LS-ETDZ"}, 1, 1},
		{"industry class", registry.EnterpriseFilter{Industry: "3443"}, 14, 14},
		{"industry division", registry.EnterpriseFilter{Industry: "33"}, 30, 30},
		{"industry section-less prefix", registry.EnterpriseFilter{Industry: "2"}, 16, 16},
		{"text", registry.EnterpriseFilter{Q: "阀门"}, 59, 59},
		{"text with LIKE characters", registry.EnterpriseFilter{Q: "_100%"}, 59, 59},
		{"text is literal", registry.EnterpriseFilter{Q: "%"}, 59, 59},
		{"text and county", registry.EnterpriseFilter{Q: "阀门", County: "331102"}, 20, 20},
		{"first page", registry.EnterpriseFilter{Limit: 25}, 60, 25},
		{"last page", registry.EnterpriseFilter{Limit: 25, Offset: 50}, 60, 10},
		{"past the end", registry.EnterpriseFilter{Limit: 25, Offset: 100}, 60, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es, total, err := s.Enterprises(ctx, tc.f)
			check(t, err)
			if total != tc.total || len(es) != tc.page {
				t.Fatalf("total %d, page %d; want %d, %d", total, len(es), tc.total, tc.page)
			}
		})
	}
	// Pages are in a stable order and do not overlap.
	seen := map[string]bool{}
	for off := 0; off < 60; off += 7 {
		es, _, err := s.Enterprises(ctx, registry.EnterpriseFilter{Limit: 7, Offset: off})
		check(t, err)
		for _, e := range es {
			if seen[e.USCC] {
				t.Fatalf("%s on two pages", e.USCC)
			}
			seen[e.USCC] = true
		}
	}
	if len(seen) != 60 {
		t.Fatalf("pages covered %d enterprises, want 60", len(seen))
	}
}

func testRollback(t *testing.T, s registry.Store) {
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx registry.Tx) error {
		if err := tx.PutPark(ctx, Park); err != nil {
			return err
		}
		if err := tx.PutEnterprise(ctx, Ent); err != nil {
			return err
		}
		// Reads in the transaction see its own writes.
		es, _, err := tx.Enterprises(ctx, registry.EnterpriseFilter{USCC: Ent.USCC})
		if err != nil || len(es) != 1 {
			t.Errorf("read own write: %v %v", es, err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the function's error", err)
	}
	es, _, err := s.Enterprises(ctx, registry.EnterpriseFilter{})
	check(t, err)
	ps, err := s.Parks(ctx)
	check(t, err)
	if len(es)+len(ps) != 0 {
		t.Fatalf("rolled-back writes are visible: %v %v", es, ps)
	}
}

func testReferences(t *testing.T, s registry.Store) {
	ctx := context.Background()
	for name, fn := range map[string]func(registry.Tx) error{
		"enterprise in unknown county": func(tx registry.Tx) error {
			e := Ent
			e.County, e.Park = "110101", ""
			return tx.PutEnterprise(ctx, e)
		},
		"enterprise in unknown park":   func(tx registry.Tx) error { return tx.PutEnterprise(ctx, Ent) },
		"outlet of unknown enterprise": func(tx registry.Tx) error { return tx.PutOutlet(ctx, Outlet) },
	} {
		if err := s.Update(ctx, fn); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func testMNUnique(t *testing.T, s registry.Store) {
	ctx := context.Background()
	seed(t, s)
	o := Outlet
	o.OutletCode = "DA002"
	if err := s.Update(ctx, func(tx registry.Tx) error { return tx.PutOutlet(ctx, o) }); err == nil {
		t.Fatal("a second outlet with the same MN was accepted")
	}
	o.MN, o.PW = "", ""
	o2 := o
	o2.OutletCode = "DA003"
	put(t, s, func(ctx context.Context, tx registry.Tx) error {
		return errors.Join(tx.PutOutlet(ctx, o), tx.PutOutlet(ctx, o2))
	})
}

func testChanges(t *testing.T, s registry.Store) {
	ctx := context.Background()
	// Now: a store may keep the history in monthly partitions made from now on.
	at := time.Now().UTC().Truncate(time.Microsecond)
	c1 := registry.Change{At: at, Actor: "cli:alice", Kind: "enterprises", Key: Ent.USCC, USCC: Ent.USCC, Op: "create",
		Fields: map[string]registry.FieldChange{"name": {To: "甲"}}}
	c2 := registry.Change{At: at.Add(time.Second), Actor: "api:bob", Kind: "outlets", Key: Ent.USCC + "/DA001", USCC: Ent.USCC, Op: "update",
		Fields: map[string]registry.FieldChange{"height_m": {From: "25", To: "30"}}}
	c3 := registry.Change{At: at, Actor: "cli:alice", Kind: "parks", Key: "LS-ETDZ", Op: "create", Fields: map[string]registry.FieldChange{}}
	put(t, s, func(ctx context.Context, tx registry.Tx) error {
		return errors.Join(tx.AddChange(ctx, c1), tx.AddChange(ctx, c2), tx.AddChange(ctx, c3))
	})
	got, err := s.Changes(ctx, registry.ChangeFilter{USCC: Ent.USCC})
	check(t, err)
	if len(got) != 2 || got[0].ID >= got[1].ID {
		t.Fatalf("got %+v", got)
	}
	for i, want := range []registry.Change{c1, c2} {
		want.ID = got[i].ID
		if !got[i].At.Equal(want.At) {
			t.Errorf("change %d at %v, want %v", i, got[i].At, want.At)
		}
		got[i].At = want.At
		equal(t, "change", got[i], want)
	}
	got, err = s.Changes(ctx, registry.ChangeFilter{Kind: "outlets", Key: Ent.USCC + "/DA001"})
	check(t, err)
	if len(got) != 1 || got[0].Actor != "api:bob" {
		t.Fatalf("by key: %+v", got)
	}
	all, err := s.Changes(ctx, registry.ChangeFilter{})
	check(t, err)
	if len(all) != 3 {
		t.Fatalf("all changes: %d", len(all))
	}
}

// testBulk writes enough rows in one transaction for a store's bulk path
// (COPY on PostgreSQL), updates them all again, and writes one key twice
// in a row, which a bulk batch must not do at once.
func testBulk(t *testing.T, s registry.Store) {
	ctx := context.Background()
	seed(t, s)
	const n = 300
	for round, name := range []string{"甲", "乙"} {
		put(t, s, func(ctx context.Context, tx registry.Tx) error {
			var es []registry.Enterprise
			for i := range n {
				e := Ent
				e.USCC, e.County, e.Park, e.Name = USCC("331121", 1000+i), "331121", "", fmt.Sprintf("%s企业%03d", name, i)
				if err := tx.PutEnterprise(ctx, e); err != nil {
					return err
				}
				es = append(es, e)
			}
			for _, e := range es {
				if err := tx.AddChange(ctx, registry.Change{At: time.Now(), Actor: "bulk", Kind: "enterprises", Key: e.USCC, USCC: e.USCC,
					Op: "create", Fields: map[string]registry.FieldChange{"name": {To: e.Name}}}); err != nil {
					return err
				}
			}
			// The same outlet twice, its MN moving to a second outlet between.
			o2 := Outlet
			o2.OutletCode, o2.MN = "DA002", ""
			o1 := Outlet
			o1.MN = ""
			o2b := o2
			o2b.MN = Outlet.MN
			return errors.Join(tx.PutOutlet(ctx, o1), tx.PutOutlet(ctx, o2), tx.PutOutlet(ctx, o2b))
		})
		es, total, err := s.Enterprises(ctx, registry.EnterpriseFilter{County: "331121", Limit: 10})
		check(t, err)
		if total != n || es[0].Name != name+"企业000" {
			t.Fatalf("round %d: total %d, first %+v", round, total, es[0])
		}
	}
	cs, err := s.Changes(ctx, registry.ChangeFilter{Kind: "enterprises"})
	check(t, err)
	if len(cs) != 2*n {
		t.Fatalf("%d changes, want %d", len(cs), 2*n)
	}
	os, err := s.Outlets(ctx, Ent.USCC)
	check(t, err)
	if len(os) != 2 || os[0].MN != "" || os[1].MN != Outlet.MN {
		t.Fatalf("outlets: %+v", os)
	}
}

// testNear checks the distance filter on points clearly inside or outside
// the circle, so that the sphere's rounding cannot decide.
func testNear(t *testing.T, s registry.Store) {
	ctx := context.Background()
	seed(t, s) // Ent at (119.87, 28.42)
	put(t, s, func(ctx context.Context, tx registry.Tx) error {
		for i, p := range [][2]float64{{119.88, 28.42}, {119.92, 28.45}, {120.29, 28.14}, {0, 0}} {
			e := Ent
			e.USCC, e.Park, e.Lon, e.Lat = USCC("331102", 500+i), "", p[0], p[1]
			if err := tx.PutEnterprise(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	for _, tc := range []struct {
		r    float64
		want int
	}{{100, 1}, {2_000, 2}, {7_000, 3}, {60_000, 4}, {1_000_000, 4}} {
		_, total, err := s.Enterprises(ctx, registry.EnterpriseFilter{Near: &registry.Circle{Lon: 119.87, Lat: 28.42, RadiusM: tc.r}})
		check(t, err)
		if total != tc.want {
			t.Errorf("within %g m: %d, want %d", tc.r, total, tc.want)
		}
	}
}

// testWithinPark checks containment in a park's boundary: a square around
// (119.87, 28.42) with a hole, and a second square apart.
func testWithinPark(t *testing.T, s registry.Store) {
	ctx := context.Background()
	seed(t, s) // Ent at (119.87, 28.42), registered to LS-ETDZ
	p := Park
	p.Code, p.Lon, p.Lat = "LS-ZONE", 119.87, 28.42
	p.Boundary = `{"type":"MultiPolygon","coordinates":[[[[119.85,28.40],[119.89,28.40],[119.89,28.44],[119.85,28.44],[119.85,28.40]],` +
		`[[119.875,28.425],[119.885,28.425],[119.885,28.435],[119.875,28.435],[119.875,28.425]]],` +
		`[[[119.95,28.50],[119.96,28.50],[119.96,28.51],[119.95,28.51],[119.95,28.50]]]]}`
	put(t, s, func(ctx context.Context, tx registry.Tx) error {
		if err := tx.PutPark(ctx, p); err != nil {
			return err
		}
		for i, pt := range [][2]float64{{119.86, 28.41}, {119.88, 28.43}, {119.90, 28.42}, {119.955, 28.505}, {0, 0}} {
			e := Ent
			e.USCC, e.Park, e.Lon, e.Lat = USCC("331102", 700+i), "", pt[0], pt[1]
			if err := tx.PutEnterprise(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	parks, err := s.Parks(ctx)
	check(t, err)
	equal(t, "parks", parks, []registry.Park{Park, p})
	es, total, err := s.Enterprises(ctx, registry.EnterpriseFilter{WithinPark: "LS-ZONE"})
	check(t, err)
	// Ent itself, the first point and the one in the second square; not
	// the one in the hole, the one east, nor the one without a location.
	if total != 3 || len(es) != 3 {
		t.Fatalf("within the park: %d", total)
	}
	_, total, err = s.Enterprises(ctx, registry.EnterpriseFilter{WithinPark: "LS-ZONE", County: "331121"})
	check(t, err)
	if total != 0 {
		t.Fatalf("within the park in Qingtian: %d", total)
	}
}
