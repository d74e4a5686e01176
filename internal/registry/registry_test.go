package registry_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/auth"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/sheet"
	"ecoindustry/internal/store/sqlite"
	"ecoindustry/internal/store/storetest"
)

func TestCheckUSCC(t *testing.T) {
	for _, tc := range []struct {
		code string
		err  string // part of the message; "" for valid
	}{
		{"914403001922038216", ""}, // published codes of well-known companies
		{"9144030071526726XG", ""},
		{"91330100799655058B", ""},
		{"914403001922038217", `check digit is '7', GB 32100-2015 gives '6'`},
		{"91440300192203821", "must be 18 characters, got 17"},
		{"9144030019220382I6", "character 17 'I' is not allowed"},
		{"91440300丽水038216", "must be 18 characters"},
	} {
		err := registry.CheckUSCC(tc.code)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.code, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: got %v, want %q", tc.code, err, tc.err)
		case err != nil && apperr.As(err).Zh == "":
			t.Errorf("%s: no Chinese message", tc.code)
		}
	}
}

func newService(t *testing.T) *registry.Service {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return registry.NewService(s)
}

// table makes a sheet table from CSV-like lines, the first being the header.
func table(file string, lines ...string) *sheet.Table {
	t := &sheet.Table{File: file, Header: strings.Split(lines[0], ",")}
	for i, l := range lines[1:] {
		t.Rows = append(t.Rows, sheet.Row{Num: i + 2, Cells: strings.Split(l, ",")})
	}
	return t
}

func mustImport(t *testing.T, svc *registry.Service, kind string, tb *sheet.Table) registry.Result {
	t.Helper()
	res, err := svc.Import(context.Background(), kindOf(t, kind), tb, auth.Command("test"), false)
	if err != nil {
		t.Fatalf("import %s: %v", kind, err)
	}
	return res
}

func kindOf(t *testing.T, name string) *registry.Kind {
	k, ok := registry.KindByName(name)
	if !ok {
		t.Fatalf("no kind %s", name)
	}
	return k
}

var (
	u1 = storetest.USCC("331102", 1)
	u2 = storetest.USCC("331121", 2)
	u3 = storetest.USCC("331122", 3)
)

func parks() *sheet.Table {
	return table("parks.csv", "code,name,county,kind", "LS-ETDZ,丽水经济技术开发区,莲都区,开发区", "QT-IP01,青田县阀门产业园,331121,industrial park")
}

func enterprises() *sheet.Table {
	return table("ent.csv",
		"序号,统一社会信用代码,企业名称,所属县区,行业代码,企业规模,经营状态,所在园区,经度,纬度,用地面积(亩)",
		"1,"+u1+",丽水市甲合成革有限公司,莲都,2925,规上,在产,LS-ETDZ,119.87,28.42,56.5",
		"2,"+u2+",青田县乙阀门有限公司,青田县,3443,below,operating,QT-IP01,120.29,28.14,",
		"3,"+u3+",缙云县丙电镀有限公司,Jinyun,3360,below,closed,,,,")
}

func TestImportGoodFileWholeAndAgainUnchanged(t *testing.T) {
	svc := newService(t)
	ctx := context.Background()
	mustImport(t, svc, "parks", parks())
	res := mustImport(t, svc, "enterprises", enterprises())
	if res.Created != 3 || res.Updated+res.Unchanged != 0 {
		t.Fatalf("first import: %+v", res)
	}
	res = mustImport(t, svc, "enterprises", enterprises())
	if res.Unchanged != 3 || res.Created+res.Updated != 0 {
		t.Fatalf("second import: %+v", res)
	}
	es, _, err := svc.Enterprises(ctx, sys, registry.EnterpriseFilter{County: "青田"})
	if err != nil || len(es) != 1 || es[0].Park != "QT-IP01" || es[0].Size != "below" {
		t.Fatalf("Qingtian: %+v %v", es, err)
	}
	h, err := svc.History(ctx, sys, u1)
	if err != nil || len(h) != 1 || h[0].Op != "create" || h[0].Actor != "cli:test" || h[0].Fields["land_mu"].To != "56.5" {
		t.Fatalf("history: %+v %v", h, err)
	}
}

func TestImportBadFileListsEveryProblemAndWritesNothing(t *testing.T) {
	svc := newService(t)
	mustImport(t, svc, "parks", parks())
	bad := table("bad.csv",
		"uscc,name,county,industry_code,size,status,park,lon,lat,founded",
		u1+",甲,莲都,2925,above,operating,,,,2004-02-30",
		"914403001922038217,乙,北京,29,huge,operating,,,,",
		u3+",丙,缙云,9999,below,operating,QT-IP01,12.0,28.4,",
		u1+",甲二,莲都,2925,above,operating,,,,",
		u2+",,青田,3443,below,,,120.1,,")
	_, err := svc.Import(context.Background(), kindOf(t, "enterprises"), bad, auth.Command("test"), false)
	invalid, ok := errors.AsType[*registry.InvalidError](err)
	if !ok {
		t.Fatalf("got %v, want an InvalidError", err)
	}
	var got []string
	for _, p := range invalid.Problems {
		if p.Zh == "" || p.En == "" {
			t.Errorf("%v: missing a language", p)
		}
		got = append(got, p.File+":"+itoa(p.Row)+":"+p.Column)
	}
	want := []string{
		"bad.csv:2:founded",       // no 30 February
		"bad.csv:3:uscc",          // check digit
		"bad.csv:3:county",        // not in Lishui
		"bad.csv:3:industry_code", // a division, not a class
		"bad.csv:3:size",
		"bad.csv:4:industry_code", // no such code
		"bad.csv:4:lon",           // outside China
		"bad.csv:4:park",          // park of another county
		"bad.csv:5:uscc",          // repeats row 2
		"bad.csv:6:name",
		"bad.csv:6:status",
		"bad.csv:6:lat", // longitude without latitude
	}
	if !slices.Equal(got, want) {
		t.Fatalf("problems:\n got %v\nwant %v\n%v", got, want, invalid)
	}
	es, _, _ := svc.Enterprises(context.Background(), sys, registry.EnterpriseFilter{})
	if len(es) != 0 {
		t.Fatalf("a refused file wrote %d enterprises", len(es))
	}
}

func TestImportMissingColumns(t *testing.T) {
	svc := newService(t)
	_, err := svc.Import(context.Background(), kindOf(t, "parks"), table("p.csv", "code,name,name", "A,a,b"), auth.Command("test"), false)
	invalid, ok := errors.AsType[*registry.InvalidError](err)
	if !ok || len(invalid.Problems) != 3 {
		t.Fatalf("got %v", err)
	}
	for i, want := range []string{"p.csv:1:name: 列", "p.csv:1:county: 缺少必填列", "p.csv:1:kind: 缺少必填列"} {
		if !strings.HasPrefix(invalid.Problems[i].String(), want) {
			t.Errorf("problem %d: %s, want prefix %s", i, invalid.Problems[i], want)
		}
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	svc := newService(t)
	res, err := svc.Import(context.Background(), kindOf(t, "parks"), parks(), auth.Command("test"), true)
	if err != nil || res.Created != 2 || !res.DryRun {
		t.Fatalf("%+v %v", res, err)
	}
	ps, _ := svc.Store().Parks(context.Background())
	if len(ps) != 0 {
		t.Fatalf("dry run wrote %d parks", len(ps))
	}
}

func seedOutlets(t *testing.T, svc *registry.Service) {
	mustImport(t, svc, "parks", parks())
	mustImport(t, svc, "enterprises", enterprises())
	mustImport(t, svc, "outlets", table("outlets.csv",
		"uscc,outlet_code,kind,name,lon,lat,height_m,mn,pw",
		u1+",DA001,废气,涂层废气,119.87,28.42,25,888888800000000000000001,123456",
		u1+",DW001,water,综合废水,,,,,",
		u2+",DA001,air,熔炼废气,,,15,888888800000000000000002,654321"))
}

func TestOutletsAndPermits(t *testing.T) {
	svc := newService(t)
	ctx := context.Background()
	seedOutlets(t, svc)

	// An MN already used by another outlet, and twice in one file.
	_, err := svc.Import(ctx, kindOf(t, "outlets"), table("o2.csv",
		"uscc,outlet_code,kind,name,height_m,mn,pw",
		u3+",DA001,air,a,20,888888800000000000000001,1",
		u3+",DA002,air,b,20,888888800000000000000009,1",
		u3+",DA003,air,c,20,888888800000000000000009,1",
		u3+",DA004,air,d,,bad mn,1"), auth.Command("test"), false)
	assertProblems(t, err, "o2.csv:2:mn: MN 888888800000000000000001 已被排放口", "o2.csv:4:mn: MN 888888800000000000000009 已被排放口",
		"o2.csv:5:mn", "o2.csv:5:height_m")
	// Moving an MN from one outlet to another in one file is allowed.
	mustImport(t, svc, "outlets", table("swap.csv",
		"uscc,outlet_code,kind,name,height_m,mn,pw",
		u1+",DA001,air,涂层废气,25,888888800000000000000002,123456",
		u2+",DA001,air,熔炼废气,15,888888800000000000000001,654321"))

	header := "permit_no,uscc,class,valid_from,valid_to,outlet_code,pollutant_code,limit_concentration,limit_unit,annual_quantity_t"
	_, err = svc.Import(ctx, kindOf(t, "permits"), table("p.csv", header,
		"P1,"+u1+",key,2021-01-01,2026-01-01,DA001,a24088,60,mg/m3,12",
		"P1,"+u1+",simplified,2021-01-01,2026-01-01,DA001,a34013,20,mg/m3,",
		"P1,"+u1+",key,2021-01-01,2026-01-01,DW001,a24088,60,mg/m3,",
		"P1,"+u1+",key,2021-01-01,2026-01-01,DA009,a24088,60,mg/m3,",
		"P1,"+u1+",key,2021-01-01,2026-01-01,DA001,x99999,,,"), auth.Command("test"), false)
	assertProblems(t, err, "p.csv:3:class", "p.csv:4:pollutant_code: a24088（非甲烷总烃）属于air污染物", "p.csv:5:outlet_code",
		"p.csv:6:pollutant_code", "p.csv:6:limit_concentration")
	res := mustImport(t, svc, "permits", table("p.csv", header,
		"P1,"+u1+",重点管理,2021-01-01,2026-01-01,DA001,a24088,60,mg/m3,12",
		"P1,"+u1+",key,2021-01-01,2026-01-01,DW001,w01018,100,mg/L,3.5"))
	if res.Created != 2 {
		t.Fatalf("%+v", res)
	}
	d, err := svc.Detail(ctx, sys, u1)
	if err != nil || len(d.Permits) != 2 || len(d.Outlets) != 2 || d.Outlets[0].PW != "******" {
		t.Fatalf("detail: %+v %v", d, err)
	}
}

func assertProblems(t *testing.T, err error, prefixes ...string) {
	t.Helper()
	invalid, ok := errors.AsType[*registry.InvalidError](err)
	if !ok {
		t.Fatalf("got %v, want problems %v", err, prefixes)
	}
	if len(invalid.Problems) != len(prefixes) {
		t.Fatalf("got %d problems, want %d:\n%v", len(invalid.Problems), len(prefixes), invalid)
	}
	for i, p := range invalid.Problems {
		if !strings.HasPrefix(p.String(), prefixes[i]) {
			t.Errorf("problem %d: %s\nwant prefix %s", i, p, prefixes[i])
		}
	}
}

func TestSaveCreatePatchAndHistory(t *testing.T) {
	svc := newService(t)
	ctx := context.Background()
	seedOutlets(t, svc)
	k := kindOf(t, "outlets")
	if _, err := svc.Save(ctx, k, "", map[string]string{"uscc": u1, "outlet_code": "DA001", "kind": "air", "name": "x", "height_m": "30"}, auth.Principal{Kind: auth.API, Name: "bob"}); apperr.CodeOf(err) != apperr.Conflict {
		t.Fatalf("create existing: %v", err)
	}
	got, err := svc.Save(ctx, k, u1+"/DA001", map[string]string{"height_m": "30", "pw": "abcdef"}, auth.Principal{Kind: auth.API, Name: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if o := got.(registry.Outlet); o.HeightM != 30 || o.MN != "888888800000000000000001" || o.Name != "涂层废气" {
		t.Fatalf("patched: %+v", o)
	}
	if _, err := svc.Save(ctx, k, u1+"/DA001", map[string]string{"outlet_code": "DA777"}, auth.Principal{Kind: auth.API, Name: "bob"}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("key change: %v", err)
	}
	if _, err := svc.Save(ctx, k, u1+"/DA404", map[string]string{"name": "x"}, auth.Principal{Kind: auth.API, Name: "bob"}); apperr.CodeOf(err) != apperr.NotFound {
		t.Fatalf("unknown key: %v", err)
	}
	if _, err := svc.Save(ctx, k, u1+"/DA001", map[string]string{"colour": "red"}, auth.Principal{Kind: auth.API, Name: "bob"}); apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("unknown field: %v", err)
	}
	h, err := svc.History(ctx, sys, u1)
	if err != nil {
		t.Fatal(err)
	}
	last := h[len(h)-1]
	if last.Actor != "api:bob" || last.Op != "update" || len(last.Fields) != 2 ||
		last.Fields["height_m"] != (registry.FieldChange{From: "25", To: "30"}) || last.Fields["pw"] != (registry.FieldChange{From: "******", To: "******"}) {
		t.Fatalf("last change: %+v", last)
	}
	// The status history of an enterprise is in its changes.
	if _, err := svc.Save(ctx, kindOf(t, "enterprises"), u1, map[string]string{"status": "suspended"}, auth.Principal{Kind: auth.API, Name: "carol"}); err != nil {
		t.Fatal(err)
	}
	h, _ = svc.History(ctx, sys, u1)
	if c := h[len(h)-1]; c.Fields["status"] != (registry.FieldChange{From: "operating", To: "suspended"}) || c.Actor != "api:carol" {
		t.Fatalf("status change: %+v", c)
	}
}

func TestExportImportsAgainUnchanged(t *testing.T) {
	svc := newService(t)
	ctx := context.Background()
	seedOutlets(t, svc)
	mustImport(t, svc, "licences", table("l.csv", "uscc,licence_no,issued,valid_to,status", u1+","+u1+",2016/5/1,长期,存续"))
	mustImport(t, svc, "safety", table("s.csv", "uscc,assessed_on,result,valid_to", u1+",2024-06-01,合格,2027-05-31"))
	mustImport(t, svc, "sites", table("s.csv", "uscc,land_status,certificate_no", u1+",legal,浙(2018)丽水市不动产权第0001234号"))
	mustImport(t, svc, "facilities", table("f.csv", "uscc,facility_code,kind,outlet_code,in_service,installed",
		u1+",TA001,RTO焚烧,DA001,是,2019-08-01", u2+",TN001,降噪,,否,"))
	mustImport(t, svc, "permits", table("p.csv", "permit_no,uscc,class,valid_from,valid_to,outlet_code,pollutant_code,limit_concentration,limit_unit,annual_quantity_t",
		u1+"001P,"+u1+",key,2021-01-01,2026-01-01,DW001,w20117,100,µg/L,"))
	// The economy's kind, which the store links (decision 0024).
	mustImport(t, svc, "annual", table("a.csv", "uscc,year,tax,land_mu,source", u1+",2024,120.5,12,税务"))
	for _, k := range registry.Kinds {
		rows, err := svc.Rows(ctx, sys, k, true)
		if err != nil {
			t.Fatal(err)
		}
		tb := &sheet.Table{File: k.Name, Header: k.Header()}
		for i, r := range rows {
			tb.Rows = append(tb.Rows, sheet.Row{Num: i + 2, Cells: r})
		}
		res := mustImport(t, svc, k.Name, tb)
		if res.Unchanged != len(rows) || len(rows) == 0 {
			t.Errorf("%s: %d rows exported, re-import %+v", k.Name, len(rows), res)
		}
	}
	rows, _ := svc.Rows(ctx, sys, kindOf(t, "outlets"), false)
	for _, r := range rows {
		if pw := r[len(r)-1]; pw != "" && pw != "******" {
			t.Fatalf("export without secrets shows %q", pw)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestImportKeepsWhatAFileDoesNotShow(t *testing.T) {
	svc := newService(t)
	ctx := context.Background()
	seedOutlets(t, svc)
	// A file without the park and coordinate columns updates the status only.
	res := mustImport(t, svc, "enterprises", table("status.csv", "uscc,name,county,industry_code,size,status",
		u1+",丽水市甲合成革有限公司,莲都,2925,规上,停产"))
	if res.Updated != 1 {
		t.Fatalf("%+v", res)
	}
	d, err := svc.Detail(ctx, sys, u1)
	if err != nil || d.Status != "suspended" || d.Park != "LS-ETDZ" || d.Lon != 119.87 || d.LandMu != 56.5 {
		t.Fatalf("%+v %v", d.Enterprise, err)
	}
	// An export with masked passwords imports again without erasing them.
	k := kindOf(t, "outlets")
	rows, err := svc.Rows(ctx, sys, k, false)
	if err != nil {
		t.Fatal(err)
	}
	tb := &sheet.Table{File: "outlets.csv", Header: k.Header()}
	for i, r := range rows {
		tb.Rows = append(tb.Rows, sheet.Row{Num: i + 2, Cells: r})
	}
	if res := mustImport(t, svc, "outlets", tb); res.Unchanged != len(rows) {
		t.Fatalf("%+v", res)
	}
	os, _ := svc.Store().Outlets(ctx, u1)
	if os[0].PW != "123456" {
		t.Fatalf("password after re-import: %q", os[0].PW)
	}
	// A new outlet cannot be given a masked password.
	_, err = svc.Import(ctx, k, table("new.csv", "uscc,outlet_code,kind,name,height_m,mn,pw",
		u3+",DA001,air,a,20,888888800000000000000077,******"), auth.Command("test"), false)
	assertProblems(t, err, "new.csv:2:pw: 访问密码为掩码")
}

func TestImportUnits(t *testing.T) {
	svc := newService(t)
	header := "行政区划代码,名称,级别,上级代码,面积"
	res := mustImport(t, svc, "units", table("towns.csv", header,
		"331102001,紫金街道,街道,331102,", "331102100,碧湖镇,镇,331102,192.5"))
	if res.Created != 2 {
		t.Fatalf("%+v", res)
	}
	_, err := svc.Import(context.Background(), kindOf(t, "units"), table("bad.csv", header,
		"331199001,鹤城街道,township,331199,",
		"331122001,壶镇镇,township,331121,",
		"331100101,五云街道,township,331100,",
		"33112,新建镇,township,331122,",
		"331102,莲都区,county,,"), auth.Command("test"), false)
	assertProblems(t, err, "bad.csv:2:上级代码: 无代码为 331199", "bad.csv:3:行政区划代码: 乡镇代码 331122001 应以所属县级代码 331121 开头",
		"bad.csv:4:上级代码: 上级 331100 为 city 级", "bad.csv:5:行政区划代码", "bad.csv:6:上级代码")
	// The seeded units are what the demo exports: importing them changes nothing.
	rows, err := svc.Rows(context.Background(), sys, kindOf(t, "units"), false)
	if err != nil || len(rows) != 12 {
		t.Fatalf("%d units: %v", len(rows), err)
	}
}

// sys reads as the command line does: everything.
var sys = auth.Command("test")
