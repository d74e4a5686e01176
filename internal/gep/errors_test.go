package gep

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ecoindustry/internal/raster/gdaltest"
)

func TestTableErrors(t *testing.T) {
	for _, c := range []struct{ csv, want string }{
		{"lucode,c_above,c_below,c_soil\n1,1,2,3\n", "pools.csv:1: no column c_dead"},
		{"lucode,c_above,c_below,c_soil,c_dead\n1,1,2,3,4\n2,1,x,3,4\n", "pools.csv:3:c_below: \"x\" is not a finite number"},
		{"lucode,c_above,c_below,c_soil,c_dead\n1,1,2,Inf,4\n", "pools.csv:2:c_soil: \"Inf\" is not a finite number"},
		{"lucode,c_above,c_below,c_soil,c_dead\n1,1,2,NaN,4\n", "pools.csv:2:c_soil: \"NaN\" is not a finite number"},
		{"lucode,c_above,c_below,c_soil,c_dead\n1,1,2,3,4\n1,1,2,3,4\n", "pools.csv:3:lucode: 1 appears twice"},
		{"lucode,c_above,c_below,c_soil,c_dead\n1.5,1,2,3,4\n", "pools.csv:2:lucode: 1.5 is not an integer"},
		{"lucode,c_above,c_below,c_soil,c_dead\n1,1,2,3\n", "pools.csv:2:c_dead: missing"},
	} {
		p := writeFile(t, t.TempDir(), "pools.csv", c.csv)
		_, err := readTable(p, []string{"c_above", "c_below", "c_soil", "c_dead"})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.csv, err, c.want)
		}
	}
	p := writeFile(t, t.TempDir(), "bio.csv", "\ufeffLUCODE, kc ,Root_Depth,lulc_veg,name\n70000,1,2,1,far\n-3,1,2,0,below\n")
	tb, err := readTable(p, []string{"Kc", "root_depth", "LULC_veg"})
	if err != nil || tb.lookup(70000)[1] != 2 || tb.lookup(-3)[2] != 0 || tb.lookup(5) != nil || tb.lookup(0.5) != nil {
		t.Fatalf("case and codes outside 0–65535: %v", err)
	}
}

func TestModelErrors(t *testing.T) {
	dir := t.TempDir()
	lulc := tif(t, dir, "lulc", fw, fh, landCover(newRand()), "Byte", "255")
	other := filepath.Join(dir, "shifted.tif")
	gdaltest.Run(t, "gdal_translate", "-q", "-a_ullr", "500030", "3150000", "501140", "3149130", lulc, other)
	p := writeFile(t, dir, "pools.csv", pools) // no code 4
	out := t.TempDir()
	_, err := Carbon(context.Background(), CarbonOptions{LULCCur: lulc, Pools: p, Out: out, BandRows: 5})
	if err == nil || !strings.Contains(err.Error(), "lulc.tif: land-cover code 4 at column") || !strings.Contains(err.Error(), "is not in "+p) {
		t.Errorf("missing code: %v", err)
	}
	if left, _ := os.ReadDir(out); len(left) != 0 {
		t.Errorf("a failed run left %d files", len(left))
	}
	_, err = Carbon(context.Background(), CarbonOptions{LULCCur: lulc, LULCFut: other, Pools: p, Out: out})
	if err == nil || !strings.Contains(err.Error(), "lulc.tif and "+other+" are not aligned: origin x") {
		t.Errorf("misaligned: %v", err)
	}
	for _, v := range []Valuation{{Price: 43, Discount: -100, YearCur: 2020, YearFut: 2030}, {Price: 43, RateChange: -150, YearCur: 2020, YearFut: 2030},
		{Price: math.Inf(1), YearCur: 2020, YearFut: 2030}} {
		_, err = Carbon(context.Background(), CarbonOptions{LULCCur: lulc, LULCFut: lulc, Pools: p, Out: out, Valuation: &v})
		if err == nil || !strings.Contains(err.Error(), "give a finite price and rates above -100 %") {
			t.Errorf("valuation %+v: %v", v, err)
		}
	}
	for _, c := range []struct{ geojson, want string }{
		{`{"type":"FeatureCollection","features":[]}`, "ws.geojson: no features"},
		{`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},"features":[]}`, "watersheds in urn:ogc:def:crs:EPSG::3857, the rasters in EPSG:32650: convert with ogr2ogr -t_srs EPSG:32650"},
		{`{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::32650"}},"features":[{"type":"Feature","properties":{"name":"a"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}`, "feature 1: ws_id is missing"},
	} {
		_, err := readWatersheds(writeFile(t, dir, "ws.geojson", c.geojson), gridOf(t, lulc))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("watersheds: %v, want %q", err, c.want)
		}
	}
}
