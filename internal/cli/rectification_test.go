package cli_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/store/postgres/pgtest"
	"ecoindustry/internal/store/storetest"
)

// TestRectificationThroughTheAPI runs a campaign from screening to its
// last follow-up visit through the HTTP API of a real `ecoind serve`, on
// each store: a deficient electroplating plant is screened, surveyed,
// classified for closure, its two cuts and three clears are recorded with
// photos, three levels accept it, it is closed out and visited; then its
// data logger, simulated by `ecoind simulate`, speaks again, which reopens
// the case, and a second visit confirms the relapse. The audit log shows
// every step, and the registry the enterprise closed.
func TestRectificationThroughTheAPI(t *testing.T) {
	for _, store := range []string{"sqlite", "postgres"} {
		t.Run(store, func(t *testing.T) {
			env := []string{"ECOIND_DATA=" + t.TempDir()}
			if store == "postgres" {
				env = append(env, "ECOIND_STORE="+pgtest.URL(t))
			}
			base, hj212 := startServeAddrs(t, env...)
			rectify(t, base, hj212, env)
		})
	}
}

// The plant (electroplating, Jinyun) and a compliant neighbour.
var (
	plant     = storetest.USCC("331122", 7)
	neighbour = storetest.USCC("331122", 8)
)

func rectify(t *testing.T, base, hj212 string, env []string) {
	token := tokenFor(t, env, "inspector-li")
	api := func(method, path, body string) map[string]any {
		return call(t, method, base+path, token, body)
	}
	api("POST", "/api/v1/enterprises", `{"uscc":"`+plant+`","name":"缙云县某电镀厂","county":"331122","industry_code":"3360","size":"below","status":"operating"}`)
	api("POST", "/api/v1/outlets", `{"uscc":"`+plant+`","outlet_code":"DW001","kind":"water","name":"废水排放口","mn":"88888880331122000000DW01","pw":"123456"}`)
	api("POST", "/api/v1/enterprises", `{"uscc":"`+neighbour+`","name":"缙云县某合规电镀厂","county":"331122","industry_code":"3360","size":"above","status":"operating"}`)
	api("POST", "/api/v1/licences", `{"uscc":"`+neighbour+`","licence_no":"L1","issued":"2015-01-01","valid_to":"2035-01-01","status":"valid"}`)
	api("POST", "/api/v1/sites", `{"uscc":"`+neighbour+`","land_status":"legal","certificate_no":"C1"}`)
	api("POST", "/api/v1/safety", `{"uscc":"`+neighbour+`","assessed_on":"2026-01-10","result":"pass","valid_to":"2029-01-10"}`)
	api("POST", "/api/v1/facilities", `{"uscc":"`+neighbour+`","facility_code":"TA001","kind":"wastewater","in_service":true,"installed":"2015-03-01"}`)

	// Screening: the plant fires all four criteria, with evidence; the
	// neighbour none.
	run := api("POST", "/api/v1/screenings", `{"as_of":"2026-11-30"}`)
	got := api("GET", fmt.Sprintf("/api/v1/screenings/%v", run["id"]), "")
	cands := got["candidates"].([]any)
	if len(cands) != 1 || cands[0].(map[string]any)["uscc"] != plant {
		t.Fatalf("candidates: %v", cands)
	}
	if crit := fmt.Sprint(cands[0].(map[string]any)["criteria"]); !strings.Contains(crit, "no_licence") || !strings.Contains(crit, "no_env_facility") {
		t.Fatalf("criteria: %s", crit)
	}

	camp := api("POST", "/api/v1/campaigns", `{"name":"缙云县电镀行业专项整治","lead_unit":"缙云县生态环境分局","start":"2026-01-01","end":"2026-12-31",
		"scope":{"counties":["331122"],"industry_prefixes":["3360"]},"targets":{"survey_rate":100,"disposal_rate":100},"rules":{"criteria":["no_licence","no_legal_site","no_safety","no_env_facility"]}}`)
	cid := fmt.Sprint(camp["id"])
	if s := api("POST", "/api/v1/campaigns/"+cid+"/survey", `{"as_of":"2026-11-30"}`); s["created"] != float64(1) || s["in_scope"] != float64(2) {
		t.Fatalf("survey: %v", s)
	}
	page := api("GET", "/api/v1/cases?campaign="+cid, "")
	if page["total"] != float64(1) {
		t.Fatalf("cases: %v", page)
	}
	c := page["items"].([]any)[0].(map[string]any)
	id := fmt.Sprint(c["id"])
	version := c["version"].(float64)
	step := func(name, body string) map[string]any {
		t.Helper()
		out := api("POST", "/api/v1/cases/"+id+"/"+name, fmt.Sprintf(`{"version":%v,%s}`, version, body))
		version = out["version"].(float64)
		return out
	}

	today := time.Now().In(cst.Zone).Format("2006-01-02")
	step("classify", `"disposition":"close","unit":"缙云县经信局","person":"王五","measures":"断电断水，清理原料设备产品","deadline":"2027-03-31"`)
	photo := attach(t, base, token)
	for _, s := range []string{"power_cut", "water_cut", "materials_cleared", "equipment_cleared", "products_cleared"} {
		step("checklist", `"step":"`+s+`","date":"`+today+`","attachments":["`+photo+`"]`)
	}
	if e := api("GET", "/api/v1/enterprises/"+plant, ""); e["status"] != "closed" {
		t.Fatalf("after 两断三清 the enterprise is %v", e["status"])
	}
	// A stale version is refused and changes nothing.
	stale := httpStatus(t, token, "POST", base+"/api/v1/cases/"+id+"/acceptances", fmt.Sprintf(`{"version":%v,"level":1,"result":"pass","date":"%s","inspector":"赵六"}`, version-1, today))
	if stale != http.StatusConflict {
		t.Fatalf("stale version: %d", stale)
	}
	for level, who := range []string{"新建镇 赵六", "缙云县经信局 钱七", "督察办 孙八"} {
		step("acceptances", fmt.Sprintf(`"level":%d,"result":"pass","date":"%s","inspector":"%s","attachments":["%s"]`, level+1, today, who, photo))
	}
	step("close-out", `"date":"`+today+`","document_no":"缙整治办〔2026〕12号"`)
	step("visits", `"date":"`+today+`","inspector":"孙八","finding":"厂房空置，设备已拆除","relapsed":false`)

	// The closed plant's logger speaks: relapse evidence reopens the case.
	code, _, errOut := runEnv(t, env, "simulate", "--target", hj212, "--loggers", "1", "--interval", "1s", "--duration", "3s", "--log-level", "error")
	if code != 0 {
		t.Fatalf("simulate: %d %s", code, errOut)
	}
	// The evidence is recorded beside the frames, not before their answer.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		c = api("GET", "/api/v1/cases/"+id, "")
		if c["state"] == "reopened" && c["relapse_evidence"].(float64) >= 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the logger spoke: %v", c)
		}
	}
	version = c["version"].(float64)
	step("visits", `"date":"`+today+`","inspector":"孙八","finding":"夜间偷偷复产","relapsed":true`)

	evs := api("GET", "/api/v1/cases/"+id+"/events", "")["items"].([]any)
	var actions []string
	for i, e := range evs {
		e := e.(map[string]any)
		if e["seq"] != float64(i+1) {
			t.Fatalf("event %d has seq %v", i, e["seq"])
		}
		actions = append(actions, fmt.Sprint(e["action"]))
	}
	want := []string{"open", "classify", "checklist", "checklist", "checklist", "checklist", "checklist",
		"accept", "accept", "accept", "close_out", "visit", "relapse", "visit"}
	if !slices.Equal(actions, want) {
		t.Fatalf("audit log\n%v\nwant\n%v", actions, want)
	}
	if last := evs[len(evs)-1].(map[string]any); last["actor"] != "token:inspector-li/test" || last["from"] != "reopened" || last["to"] != "rectifying" {
		t.Fatalf("last event %v", last)
	}
	if relapse := evs[12].(map[string]any); relapse["actor"] != "system:monitoring" || !strings.Contains(fmt.Sprint(relapse["data"]), "88888880331122000000DW01") {
		t.Fatalf("relapse event %v", relapse)
	}
	st := api("GET", "/api/v1/campaigns/"+cid+"/stats", "")
	if total := st["total"].(map[string]any); total["relapsed"] != float64(1) {
		t.Fatalf("stats: %v", total)
	}
}

// attach uploads a small PNG and returns its id.
func attach(t *testing.T, base, token string) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 2, color.RGBA{200, 30, 30, 255})
	var b bytes.Buffer
	png.Encode(&b, img)
	req, _ := http.NewRequest("POST", base+"/api/v1/attachments?name=power-cut.png", &b)
	req.Header.Set("Content-Type", "image/png")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("attachment: %d", resp.StatusCode)
	}
	var a struct{ ID string }
	if err := jsonDecode(resp, &a); err != nil || len(a.ID) != 64 {
		t.Fatalf("attachment: %+v %v", a, err)
	}
	// A JPEG that is a PNG is refused.
	req, _ = http.NewRequest("POST", base+"/api/v1/attachments?name=fake.jpg", bytes.NewReader(b.Bytes()))
	req.Header.Set("Content-Type", "image/jpeg")
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a PNG claimed to be JPEG: %v %v", resp.StatusCode, err)
	}
	return a.ID
}

func httpStatus(t *testing.T, token, method, url, body string) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
