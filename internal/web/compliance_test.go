package web

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
)

// TestCompliancePages: an enterprise's twelve quarters with the legend in
// both languages, its loads per outlet and the downloads as of now; the
// county's grid; both languages, nothing missing from the catalogue. The
// shared environment holds other tests' alarms too: the counts themselves
// are storetest's hand-computed grid's to check.
func TestCompliancePages(t *testing.T) {
	e := sharedEnv(t)
	a := raiseAlarm(t, e, time.Now().Add(-24*time.Hour).Truncate(time.Hour))
	es, _, err := e.srv.reg.Enterprises(context.Background(), auth.Command("test"), registry.EnterpriseFilter{USCC: a.USCC})
	if err != nil || len(es) != 1 {
		t.Fatalf("enterprise: %v", err)
	}
	page := "/enterprises/" + a.USCC + "/compliance"
	legend := []string{"超标 / Exceedance", "数据缺失 / Data gap", "合规 / Compliant", "Significant non-compliance"}
	for _, tc := range []struct {
		l, path string
		want    []string
	}{
		{"zh", page, append([]string{`id="grid-table"`, `class="q exceedance"`, `data-status="compliant"`, `id="grid-legend"`, `id="snc-rule"`,
			`id="dl-grid-xlsx" href="/api/v1/compliance/export?format=xlsx&amp;uscc=` + a.USCC, `id="dl-exceedances-csv"`, `id="loads-` + a.Outlet + `"`,
			`id="dl-loads-` + a.Outlet + `-xlsx"`, "近十二个季度", `<div class="q-count">超标 `}, legend...)},
		{"en", page, append([]string{`id="grid-table"`, "The last twelve quarters", "Loads against the permits", `<div class="q-count">exceedance `}, legend...)},
		{"zh", "/enterprises/" + a.USCC, []string{`id="compliance-link" href="` + page + `"`}},
		{"en", "/compliance?county=" + es[0].County, append([]string{`id="grids-table"`, `id="grid-` + a.USCC + `"`, `id="dl-grids-csv"`, "Compliance by quarter"}, legend...)},
		{"en", "/alarms", []string{`id="dl-alarms-csv" href="/api/v1/alarms/export?format=csv"`, `id="dl-exceedances-xlsx" href="/api/v1/alarms/export?format=xlsx&amp;kind=exceedance"`}},
	} {
		status, body := e.get(t, tc.l, tc.path)
		if status != 200 {
			t.Errorf("%s %s: status %d", tc.l, tc.path, status)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s %s: no %s", tc.l, tc.path, w)
			}
		}
		if m := regexp.MustCompile(`\[[a-z_]+\.[a-z_.-]+\]`).FindString(body); m != "" {
			t.Errorf("%s %s: message missing from the catalogue: %s", tc.l, tc.path, m)
		}
	}
	if status, _ := e.get(t, "en", "/enterprises/91331100MA9999999X/compliance"); status != 404 {
		t.Errorf("an unknown enterprise's compliance: status %d", status)
	}
}
