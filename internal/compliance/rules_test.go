package compliance

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/registry"
)

const u = "91331121MA0000001X" // screening does not check USCCs

func TestEvaluate(t *testing.T) {
	e := registry.Enterprise{USCC: u, Name: "测试", County: "331121", IndustryCode: "3443", Size: "below", Status: "operating"}
	lic := registry.Licence{USCC: u, LicenceNo: "L1", Status: "valid"}
	site := registry.Site{USCC: u, LandStatus: "legal"}
	saf := registry.Safety{USCC: u, AssessedOn: "2024-01-01", Result: "pass", ValidTo: "2027-01-01"}
	out := registry.Outlet{USCC: u, OutletCode: "DA001"}
	fac := func(outlet string, in bool) registry.Facility {
		return registry.Facility{USCC: u, FacilityCode: "T" + outlet, OutletCode: outlet, InService: in}
	}
	for _, tc := range []struct {
		name string
		edit func(r *Records)
		want []string
	}{
		{"clean", func(r *Records) {}, nil},
		{"licence long-term", func(r *Records) { r.Licences[0].ValidTo = "" }, nil},
		{"licence valid to the day", func(r *Records) { r.Licences[0].ValidTo = "2026-06-30" }, nil},
		{"licence expired the day before", func(r *Records) { r.Licences[0].ValidTo = "2026-06-29" }, []string{NoLicence}},
		{"licence revoked", func(r *Records) { r.Licences[0].Status = "revoked" }, []string{NoLicence}},
		{"one valid licence of two", func(r *Records) {
			r.Licences = append([]registry.Licence{{USCC: u, LicenceNo: "L0", Status: "cancelled"}}, r.Licences...)
		}, nil},
		{"no licence", func(r *Records) { r.Licences = nil }, []string{NoLicence}},
		{"site pending", func(r *Records) { r.Sites[0].LandStatus = "pending" }, []string{NoLegalSite}},
		{"no site", func(r *Records) { r.Sites = nil }, []string{NoLegalSite}},
		{"latest safety failed", func(r *Records) {
			r.Safety = append(r.Safety, registry.Safety{USCC: u, AssessedOn: "2025-01-01", Result: "fail"})
		}, []string{NoSafety}},
		{"a failure, then a pass", func(r *Records) {
			r.Safety = append([]registry.Safety{{USCC: u, AssessedOn: "2020-01-01", Result: "fail"}}, r.Safety...)
		}, nil},
		{"safety long-term", func(r *Records) { r.Safety[0].ValidTo = "" }, nil},
		{"safety expired", func(r *Records) { r.Safety[0].ValidTo = "2026-01-01" }, []string{NoSafety}},
		{"no safety", func(r *Records) { r.Safety = nil }, []string{NoSafety}},
		{"outlet without facility", func(r *Records) { r.Outlets = []registry.Outlet{out} }, []string{NoEnvFacility}},
		{"outlet treated by a facility out of service", func(r *Records) {
			r.Outlets, r.Facilities = []registry.Outlet{out}, []registry.Facility{fac("DA001", false)}
		}, []string{NoEnvFacility}},
		{"outlet treated", func(r *Records) {
			r.Outlets, r.Facilities = []registry.Outlet{out}, []registry.Facility{fac("DA001", true)}
		}, nil},
		{"electroplater without facilities", func(r *Records) { r.Enterprises[0].IndustryCode = "3360" }, []string{NoEnvFacility}},
		{"electroplater with one in service", func(r *Records) {
			r.Enterprises[0].IndustryCode, r.Facilities = "3360", []registry.Facility{fac("", true)}
		}, nil},
		{"dyer with one out of service", func(r *Records) {
			r.Enterprises[0].IndustryCode, r.Facilities = "1713", []registry.Facility{fac("", false)}
		}, []string{NoEnvFacility}},
		{"everything", func(r *Records) {
			r.Licences, r.Sites, r.Safety, r.Enterprises[0].IndustryCode = nil, nil, nil, "2925"
		}, FourNos},
		{"closed: not screened", func(r *Records) { r.Licences, r.Enterprises[0].Status = nil, "closed" }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Records{Enterprises: []registry.Enterprise{e}, Licences: []registry.Licence{lic}, Sites: []registry.Site{site}, Safety: []registry.Safety{saf}}
			tc.edit(r)
			rs, err := RuleSet{}.check(registry.LishuiUnits)
			if err != nil {
				t.Fatal(err)
			}
			cands, _ := Evaluate(r, rs, "2026-06-30", nil)
			var got []string
			if len(cands) == 1 {
				got = cands[0].Criteria
				for _, f := range cands[0].Findings {
					for _, ev := range f.Evidence {
						if en, zh := ev.Explain(); en == "" || zh == "" || en == ev.Why || ev.Kind == "" {
							t.Errorf("evidence without its explanation: %+v", ev)
						}
					}
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// TestEvaluateWalksUSCCOrder screens several enterprises whose records
// come sorted by USCC and the enterprises in another order.
func TestEvaluateWalksUSCCOrder(t *testing.T) {
	r := &Records{}
	usccs := []string{"A3", "A1", "A2", "A5", "A4"}
	for _, x := range usccs {
		r.Enterprises = append(r.Enterprises, registry.Enterprise{USCC: x, Status: "operating", IndustryCode: "3443", Size: "above"})
	}
	for _, x := range []string{"A1", "A2", "A4"} { // A3 and A5 have no licence
		r.Licences = append(r.Licences, registry.Licence{USCC: x, Status: "valid"})
	}
	rs := RuleSet{Criteria: []string{NoLicence}, Extra: []Rule{{Code: "in_a2", NameZh: "甲", NameEn: "a", When: Conditions{Statuses: []string{"operating"}, AnyOf: []string{NoLicence}}}}}
	cands, screened := Evaluate(r, rs, "2026-06-30", func(e *registry.Enterprise) bool { return e.USCC != "A5" })
	if screened != 4 || len(cands) != 1 || cands[0].USCC != "A3" || !slices.Equal(cands[0].Criteria, []string{NoLicence, "in_a2"}) {
		t.Fatalf("screened %d: %+v", screened, cands)
	}
}

func TestRuleCheck(t *testing.T) {
	ok := Rule{Code: "valves", NameZh: "阀门", NameEn: "valves", When: Conditions{IndustryPrefixes: []string{"3443", "339", "336"}, Counties: []string{"331121"}}}
	if _, err := (RuleSet{Extra: []Rule{ok, RuleSan, RuleLuan}}).check(registry.LishuiUnits); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		rs   RuleSet
		word string
	}{
		"unknown criterion":   {RuleSet{Criteria: []string{"no_permit"}}, "no_permit"},
		"criterion twice":     {RuleSet{Criteria: []string{NoLicence, NoLicence}}, "twice"},
		"bad code":            {RuleSet{Extra: []Rule{{Code: "San", NameZh: "散", NameEn: "s", When: Conditions{Size: "below"}}}}, "San"},
		"built-in code":       {RuleSet{Extra: []Rule{{Code: NoSafety, NameZh: "x", NameEn: "x", When: Conditions{Size: "below"}}}}, "taken"},
		"code twice":          {RuleSet{Extra: []Rule{ok, ok}}, "taken"},
		"no names":            {RuleSet{Extra: []Rule{{Code: "x", When: Conditions{Size: "below"}}}}, "name"},
		"no condition":        {RuleSet{Extra: []Rule{{Code: "x", NameZh: "x", NameEn: "x"}}}, "condition"},
		"bad prefix":          {RuleSet{Extra: []Rule{{Code: "x", NameZh: "x", NameEn: "x", When: Conditions{IndustryPrefixes: []string{"C33"}}}}}, "C33"},
		"unknown prefix":      {RuleSet{Extra: []Rule{{Code: "x", NameZh: "x", NameEn: "x", When: Conditions{IndustryPrefixes: []string{"3368"}}}}}, "3368"},
		"bad size":            {RuleSet{Extra: []Rule{{Code: "x", NameZh: "x", NameEn: "x", When: Conditions{Size: "small"}}}}, "small"},
		"unknown county":      {RuleSet{Extra: []Rule{{Code: "x", NameZh: "x", NameEn: "x", When: Conditions{Counties: []string{"110101"}}}}}, "110101"},
		"a city, no county":   {RuleSet{Extra: []Rule{{Code: "x", NameZh: "x", NameEn: "x", When: Conditions{Counties: []string{"331100"}}}}}, "331100"},
		"closed status":       {RuleSet{Extra: []Rule{{Code: "x", NameZh: "x", NameEn: "x", When: Conditions{Statuses: []string{"closed"}}}}}, "closed"},
		"any_of a later rule": {RuleSet{Extra: []Rule{{Code: "x", NameZh: "x", NameEn: "x", When: Conditions{AnyOf: []string{"y"}}}, {Code: "y", NameZh: "y", NameEn: "y", When: Conditions{Size: "below"}}}}, "any_of"},
		"any_of unused":       {RuleSet{Criteria: []string{NoLicence}, Extra: []Rule{RuleLuan}}, "any_of"},
	} {
		_, err := tc.rs.check(registry.LishuiUnits)
		e := apperr.As(err)
		if e == nil || e.Code != apperr.Invalid || e.Zh == "" || !strings.Contains(e.Message+e.Zh, tc.word) {
			t.Errorf("%s: got %v, want an invalid error saying %q", name, err, tc.word)
		}
	}
}

// TestRuleJSON reads a rule as written in the documentation.
func TestRuleJSON(t *testing.T) {
	var r Rule
	err := json.Unmarshal([]byte(`{"code": "san", "name_zh": "散", "name_en": "scattered", "when": {"size": "below", "in_park": false}}`), &r)
	if err != nil || r.When.InPark == nil || *r.When.InPark || r.When.Size != "below" {
		t.Fatalf("%+v %v", r, err)
	}
	b, _ := json.Marshal(RuleSan)
	if string(b) != `{"code":"san","name_zh":"散","name_en":"scattered: below designated size and outside any park","when":{"size":"below","in_park":false}}` {
		t.Fatalf("%s", b)
	}
}

// TestPollutingIndustries checks the table against the GB/T 4754-2017 catalogue.
func TestPollutingIndustries(t *testing.T) {
	for _, p := range pollutingIndustries {
		if !validPrefix(p.prefix) {
			t.Errorf("%s (%s) is not a GB/T 4754-2017 code", p.prefix, p.en)
		}
	}
	for code, want := range map[string]bool{"3360": true, "1713": true, "2221": true, "2231": false, "2614": true, "1910": true,
		"1952": false, "2925": true, "3391": true, "3393": false, "3032": true, "3130": true, "3443": false, "3982": true} {
		if got := pollutingPrefix(code) != ""; got != want {
			t.Errorf("%s: polluting %v, want %v", code, got, want)
		}
	}
}

func TestTransitions(t *testing.T) {
	seen := map[Transition]bool{}
	for _, tr := range Transitions {
		if seen[tr] {
			t.Errorf("%+v listed twice", tr)
		}
		seen[tr] = true
		if _, ok := actionNames[tr.Action]; !ok {
			t.Errorf("%+v: action without names", tr)
		}
		for _, s := range []State{tr.From, tr.To} {
			if s != "" && !slices.Contains(States, s) {
				t.Errorf("%+v: unknown state %q", tr, s)
			}
		}
	}
	// Only the survey opens a case; dismissal is final.
	for _, tr := range Transitions {
		if (tr.From == "") != (tr.Action == ActOpen) || tr.From == Dismissed {
			t.Errorf("%+v", tr)
		}
	}
	c := &Case{Summary: Summary{ID: 7, State: Surveyed}}
	e := apperr.As(refuse(c, ActCloseOut))
	if e.Code != apperr.Conflict || !strings.Contains(e.Message, "case 7 is surveyed") || !strings.Contains(e.Message, "accepted") ||
		!strings.Contains(e.Zh, "案件 7 当前状态为“已排查”") || !strings.Contains(e.Zh, "销号") {
		t.Fatalf("%q / %q", e.Message, e.Zh)
	}
}

func TestIntake(t *testing.T) {
	for _, tc := range []struct {
		name, claim, content, want string
	}{
		{"a.jpg", "image/jpeg", "\xff\xd8\xff\xe0rest", ""},
		{"a.jpg", "image/jpg", "\xff\xd8\xff\xe0rest", ""},
		{"a.png", "image/png", "\x89PNG\r\n\x1a\nrest", ""},
		{"a.pdf", "application/pdf", "%PDF-1.7 rest", ""},
		{"a.png", "image/png", "\xff\xd8\xff\xe0rest", "claims to be image/png"},
		{"a.gif", "image/gif", "GIF89a", "not accepted"},
		{"a.png", "image/png", "", "empty"},
		{"../a.png", "image/png", "\x89PNG\r\n\x1a\n", "file name"},
	} {
		in, err := NewIntake(tc.name, tc.claim, strings.NewReader(tc.content))
		if err == nil {
			buf := make([]byte, 3) // small reads: the head is gathered across them
			for err == nil {
				_, err = in.Read(buf)
			}
			_, err = in.Done()
		}
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %s: got %v, want %q", tc.name, tc.claim, err, tc.want)
		}
	}
}
