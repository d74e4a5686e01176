package api_test

import (
	"context"
	"testing"
	"time"

	"ecoindustry/internal/hj212"
	"ecoindustry/internal/monitoring"
	"ecoindustry/internal/store/storetest"
)

func TestReadingsRollupsAndFrames(t *testing.T) {
	e := newEnv(t)
	at := time.Date(2026, 11, 30, 10, 0, 0, 0, monitoring.CST)
	var batch []*monitoring.Received
	for i := range 4 {
		f := &hj212.Frame{Version: "2017", QN: "20261130100000000", ST: "31", CN: "2011", PW: "123456", MN: storetest.Outlet.MN, Flag: 5,
			DataTime: at.Add(time.Duration(i) * 30 * time.Second),
			Values:   []hj212.Value{{Code: "a21026", Field: "Rtd", Value: float64(10 * (i + 1)), Unit: "mg/m3", Flag: "N"}}}
		raw, err := hj212.Encode(f)
		if err != nil {
			t.Fatal(err)
		}
		batch = append(batch, &monitoring.Received{Frame: f, Raw: raw, Peer: "127.0.0.1:1", At: time.Now(), USCC: storetest.Ent.USCC, Outlet: "DA001"})
	}
	if _, err := e.store.WriteBatch(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Roll(context.Background(), 1000, 0); err != nil {
		t.Fatal(err)
	}
	base := "/api/v1/outlets/" + storetest.Ent.USCC + "/DA001/"
	var rs struct{ Items []monitoring.Reading }
	e.must(t, 200, "GET", base+"readings?from=2026-11-30&to=2026-12-01&code=a21026&limit=3", nil, &rs)
	if len(rs.Items) != 3 || *rs.Items[2].Rtd != 30 || rs.Items[0].Unit != "mg/m3" {
		t.Fatalf("readings %+v", rs.Items)
	}
	var ru struct{ Items []monitoring.Rollup }
	e.must(t, 200, "GET", base+"rollups?period=minute&from=2026-11-30T10:00&to=2026-11-30T11:00", nil, &ru)
	if len(ru.Items) != 2 || ru.Items[0].Count != 2 || ru.Items[1].Sum != 70 {
		t.Fatalf("minute rollups %+v", ru.Items)
	}
	var fs struct{ Items []monitoring.RawFrame }
	e.must(t, 200, "GET", "/api/v1/loggers/"+storetest.Outlet.MN+"/frames?limit=2", nil, &fs)
	if len(fs.Items) != 2 || fs.Items[0].Frame != string(batch[0].Raw) {
		t.Fatalf("frames %+v", fs.Items)
	}
	for _, bad := range []string{base + "readings?from=yesterday", base + "rollups?period=week", base + "readings?from=2026-12-01&to=2026-11-30"} {
		e.must(t, 400, "GET", bad, nil, nil)
	}
}
