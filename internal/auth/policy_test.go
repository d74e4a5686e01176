package auth

import (
	"testing"

	"ecoindustry/internal/apperr"
)

var (
	cityEco  = Principal{Kind: User, Name: "c", Role: City, Bureau: Ecology}
	countyA  = Principal{Kind: User, Name: "k", Role: County, Bureau: Ecology, Scope: Scope{County: "A"}}
	inspA    = Principal{Kind: User, Name: "i", Role: Inspector, Bureau: Ecology, Scope: Scope{County: "A"}}
	parkP    = Principal{Kind: User, Name: "p", Role: Park, Scope: Scope{Park: "P"}}
	entE     = Principal{Kind: Token, Name: "e", Role: Enterprise, Scope: Scope{USCC: "E"}}
	noRole   = Principal{Kind: User, Name: "n"}
	inA      = Object{What: Records, Bureau: Ecology, County: "A", Park: "P", USCC: "E"}
	inB      = Object{What: Records, Bureau: Ecology, County: "B", USCC: "F"}
	caseMine = Object{What: Cases, Bureau: Ecology, County: "A", USCC: "E", Assignee: "i"}
	caseLeft = Object{What: Cases, Bureau: Ecology, County: "A", USCC: "G"}
)

func TestPolicy(t *testing.T) {
	const ok, forbidden, missing = "", apperr.Forbidden, apperr.NotFound
	for _, c := range []struct {
		name        string
		p           Principal
		o           Object
		read, write apperr.Code
	}{
		{"the command line", Command("wang"), inB, ok, ok},
		{"a user without a role", noRole, inA, forbidden, forbidden},
		{"city ecology", cityEco, inB, ok, ok},
		{"city economy writes no environmental record", Principal{Kind: User, Role: City, Bureau: Economy}, inB, ok, forbidden},
		{"city statistics", Principal{Kind: User, Role: City, Bureau: Statistics}, inB, ok, forbidden},
		{"county, its county", countyA, inA, ok, ok},
		{"county, another county", countyA, inB, missing, missing},
		{"county, a campaign", countyA, Object{What: Campaigns, Bureau: Ecology}, ok, forbidden},
		{"county, screenings", countyA, Object{What: Screenings, Bureau: Ecology}, forbidden, forbidden},
		{"inspector, an assigned case", inspA, caseMine, ok, ok},
		{"inspector, another case of the county", inspA, caseLeft, ok, forbidden},
		{"inspector, a record", inspA, inA, ok, forbidden},
		{"park, its enterprise", parkP, inA, ok, forbidden},
		{"park, another", parkP, inB, missing, forbidden},
		{"park, its own record", parkP, Object{What: Parks, Bureau: Ecology, County: "A", Park: "P"}, ok, ok},
		{"park, another park", parkP, Object{What: Parks, Bureau: Ecology, County: "A", Park: "Q"}, ok, forbidden},
		{"park, cases", parkP, caseMine, forbidden, forbidden},
		{"enterprise, its own", entE, inA, ok, forbidden},
		{"enterprise, another", entE, inB, missing, forbidden},
		{"enterprise, its case", entE, caseMine, ok, forbidden},
		{"enterprise, another's case", entE, caseLeft, missing, forbidden},
		{"enterprise, campaigns", entE, Object{What: Campaigns}, forbidden, forbidden},
		{"units: read by all, written by administrators", countyA, Object{What: Units}, ok, forbidden},
		{"accounts", cityEco, Object{What: Accounts}, forbidden, forbidden},
		{"administrators", Principal{Kind: User, Role: Admin}, Object{What: Accounts}, ok, ok},
	} {
		code := func(err error) apperr.Code {
			if err == nil {
				return ok
			}
			return apperr.CodeOf(err)
		}
		if got := code(CanRead(c.p, c.o)); got != c.read {
			t.Errorf("%s: read %q, want %q", c.name, got, c.read)
		}
		if got := code(CanWrite(c.p, c.o)); got != c.write {
			t.Errorf("%s: write %q, want %q", c.name, got, c.write)
		}
	}
}

func TestVisible(t *testing.T) {
	for _, c := range []struct {
		p Principal
		f Filter
	}{
		{Command("x"), Filter{}}, {cityEco, Filter{}}, {countyA, Filter{County: "A"}}, {inspA, Filter{County: "A"}},
		{parkP, Filter{Park: "P"}}, {entE, Filter{USCC: "E"}},
	} {
		if got := Visible(c.p); got != c.f {
			t.Errorf("%s: %+v, want %+v", c.p.Name, got, c.f)
		}
	}
	if !Visible(countyA).Allows("A", "", "X") || Visible(countyA).Allows("B", "", "X") {
		t.Error("county A's filter")
	}
}

// BenchmarkPolicy is the check every API call makes: well under the
// 50 µs issue 13 allows.
func BenchmarkPolicy(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if CanWrite(inspA, caseMine) != nil || CanRead(countyA, inA) != nil || CanList(entE, Records) != nil {
			b.Fatal("refused")
		}
	}
}

// BenchmarkPolicyRefused includes building the bilingual error.
func BenchmarkPolicyRefused(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if CanWrite(parkP, inB) == nil {
			b.Fatal("allowed")
		}
	}
}
