package api

import (
	"context"
	"fmt"
	"testing"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store/storetest"
)

// BenchmarkRoles is what the roles' policy adds to an API call: each
// request as the administrator (no check, no filter) and as county A's
// officer (the check, and the scope's look-ups and filters), over the
// roles' fixture and 2,000 more enterprises with an outlet each, half in
// each county.
func BenchmarkRoles(b *testing.B) {
	st := stores["sqlite"](b)
	f := newFixture(b, st)
	ctx := context.Background()
	err := st.Update(ctx, func(tx registry.Tx) error {
		for i := range 2000 {
			e, o := storetest.Ent, storetest.Outlet
			e.USCC = storetest.USCC([]string{countyA, countyB}[i%2], 1000+i)
			e.County, e.Park = []string{countyA, countyB}[i%2], ""
			o.USCC, o.MN = e.USCC, fmt.Sprintf("8888889%017d", i)
			if err := tx.PutEnterprise(ctx, e); err != nil {
				return err
			}
			if err := tx.PutOutlet(ctx, o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, path := range []string{"/api/v1/enterprises/" + entA, "/api/v1/enterprises?limit=50", "/api/v1/cases/1", "/api/v1/outlets?uscc=" + entA, "/api/v1/outlets"} {
		for _, p := range []auth.Principal{roles[0], roles[4]} {
			b.Run(path+"/"+p.Name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if code, body := f.call(p, "GET", path, ""); code != 200 {
						b.Fatalf("%d %s", code, body)
					}
				}
			})
		}
	}
}
