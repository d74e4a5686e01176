package geo

import (
	"encoding/json"
	"fmt"
	"math"
)

// Shape is a GeoJSON Polygon or MultiPolygon in WGS84 degrees.
type Shape struct {
	Type  string      // "Polygon" or "MultiPolygon"
	Polys [][][]Point // polygons, each an outer ring then holes
	box   Box
}

// Point is a longitude and latitude in degrees.
type Point [2]float64

// ParseShape reads a GeoJSON geometry of type Polygon or MultiPolygon
// (RFC 7946 §3.1.6, §3.1.7): every ring closed, with four points or more.
func ParseShape(s string) (*Shape, error) {
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal([]byte(s), &g); err != nil {
		return nil, fmt.Errorf("not GeoJSON: %v", err)
	}
	sh := &Shape{Type: g.Type}
	switch g.Type {
	case "Polygon":
		var p [][]Point
		if err := json.Unmarshal(g.Coordinates, &p); err != nil {
			return nil, fmt.Errorf("coordinates of the Polygon: %v", err)
		}
		sh.Polys = [][][]Point{p}
	case "MultiPolygon":
		if err := json.Unmarshal(g.Coordinates, &sh.Polys); err != nil {
			return nil, fmt.Errorf("coordinates of the MultiPolygon: %v", err)
		}
	default:
		return nil, fmt.Errorf("type %q: want Polygon or MultiPolygon", g.Type)
	}
	sh.box = Box{MinLon: math.Inf(1), MinLat: math.Inf(1), MaxLon: math.Inf(-1), MaxLat: math.Inf(-1)}
	if len(sh.Polys) == 0 {
		return nil, fmt.Errorf("no polygon")
	}
	for i, poly := range sh.Polys {
		if len(poly) == 0 {
			return nil, fmt.Errorf("polygon %d has no ring", i+1)
		}
		for j, ring := range poly {
			if len(ring) < 4 || ring[0] != ring[len(ring)-1] {
				return nil, fmt.Errorf("polygon %d ring %d: a ring needs four points or more, the last equal to the first", i+1, j+1)
			}
			for _, p := range ring {
				sh.box.MinLon, sh.box.MaxLon = math.Min(sh.box.MinLon, p[0]), math.Max(sh.box.MaxLon, p[0])
				sh.box.MinLat, sh.box.MaxLat = math.Min(sh.box.MinLat, p[1]), math.Max(sh.box.MaxLat, p[1])
			}
		}
	}
	return sh, nil
}

// Bounds is the smallest box holding the shape.
func (s *Shape) Bounds() Box { return s.box }

// String is the shape as compact GeoJSON.
func (s *Shape) String() string {
	var coords any = s.Polys
	if s.Type == "Polygon" {
		coords = s.Polys[0]
	}
	b, _ := json.Marshal(struct {
		Type        string `json:"type"`
		Coordinates any    `json:"coordinates"`
	}{s.Type, coords})
	return string(b)
}

// Contains reports whether (lon, lat) is inside the shape: inside an outer
// ring and not inside one of its holes (even-odd rule), on the plane of
// longitude and latitude as PostGIS geometry is.
func (s *Shape) Contains(lon, lat float64) bool {
	if lon < s.box.MinLon || lon > s.box.MaxLon || lat < s.box.MinLat || lat > s.box.MaxLat {
		return false
	}
	for _, poly := range s.Polys {
		in := false
		for _, ring := range poly {
			for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
				a, b := ring[i], ring[j]
				if (a[1] > lat) != (b[1] > lat) && lon < (b[0]-a[0])*(lat-a[1])/(b[1]-a[1])+a[0] {
					in = !in
				}
			}
		}
		if in {
			return true
		}
	}
	return false
}
