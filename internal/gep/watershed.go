package gep

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"ecoindustry/internal/geo"
	"ecoindustry/internal/raster"
)

// watershed is one feature of the watersheds file, its rings in the
// raster's pixel coordinates (column, row; fractional).
type watershed struct {
	id    int
	name  string // the name property of a zone
	rings [][]geo.Point
	area  float64 // m², from the polygons as InVEST takes it
	minY  float64
	maxY  float64
}

var epsgName = regexp.MustCompile(`EPSG:+(\d+)$`)

// readWatersheds reads a GeoJSON FeatureCollection of Polygons and
// MultiPolygons with an integer property ws_id, in the CRS of the grid g
// or in longitude and latitude when g's is one projectionOf knows.
func readWatersheds(path string, g raster.Grid) ([]watershed, error) {
	return readPolygons(path, g, "ws_id", "")
}

// readPolygons reads a GeoJSON FeatureCollection of Polygons and
// MultiPolygons, each with a distinct integer property idProp (numbered
// from 1 where idProp is "") and a string nameProp when not empty, as
// readWatersheds does.
func readPolygons(path string, g raster.Grid, idProp, nameProp string) ([]watershed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("gep: %w", err)
	}
	var fc struct {
		CRS *struct {
			Properties struct {
				Name string `json:"name"`
			} `json:"properties"`
		} `json:"crs"`
		Features []struct {
			Properties map[string]json.RawMessage `json:"properties"`
			Geometry   json.RawMessage            `json:"geometry"`
		} `json:"features"`
	}
	if err := json.Unmarshal(b, &fc); err != nil {
		return nil, fmt.Errorf("gep: %s: not GeoJSON: %v", path, err)
	}
	// GeoJSON without a crs member is longitude and latitude (RFC 7946).
	epsg, crs := 4326, "longitude and latitude (no crs member)"
	if fc.CRS != nil {
		crs = fc.CRS.Properties.Name
		m := epsgName.FindStringSubmatch(crs)
		switch {
		case strings.HasSuffix(crs, "CRS84"):
		case m == nil:
			return nil, fmt.Errorf("gep: %s: crs %q names no EPSG code", path, crs)
		default:
			epsg, _ = strconv.Atoi(m[1])
		}
	}
	// Longitude and latitude (WGS 84 or CGCS2000, the same to a few
	// centimetres) are projected vertex by vertex, as ogr2ogr -t_srs does.
	project := func(x, y float64) (float64, float64) { return x, y }
	if epsg != g.EPSG {
		if epsg != 4326 && epsg != 4490 {
			return nil, fmt.Errorf("gep: %s: watersheds in %s, the rasters in EPSG:%d: convert with ogr2ogr -t_srs EPSG:%d", path, crs, g.EPSG, g.EPSG)
		}
		tm, err := projectionOf(g.EPSG)
		if err != nil {
			return nil, fmt.Errorf("gep: %s: watersheds in %s: %v; convert with ogr2ogr -t_srs EPSG:%d", path, crs, err, g.EPSG)
		}
		project = tm.project
	}
	if len(fc.Features) == 0 {
		return nil, fmt.Errorf("gep: %s: no features", path)
	}
	t := g.Transform
	var out []watershed
	seen := map[int]bool{}
	for i, f := range fc.Features {
		id := i + 1
		if idProp != "" {
			if err := json.Unmarshal(f.Properties[idProp], &id); err != nil {
				return nil, fmt.Errorf("gep: %s: feature %d: %s is missing or not an integer", path, i+1, idProp)
			}
		}
		if seen[id] {
			return nil, fmt.Errorf("gep: %s: feature %d: %s %d appears twice", path, i+1, idProp, id)
		}
		var name string
		if nameProp != "" {
			if err := json.Unmarshal(f.Properties[nameProp], &name); err != nil {
				return nil, fmt.Errorf("gep: %s: feature %d (%s %d): %s is missing or not a string", path, i+1, idProp, id, nameProp)
			}
		}
		seen[id] = true
		sh, err := geo.ParseShape(string(f.Geometry))
		if err != nil {
			return nil, fmt.Errorf("gep: %s: feature %d (%s %d): %v", path, i+1, idProp, id, err)
		}
		ws := watershed{id: id, name: name, minY: math.Inf(1), maxY: math.Inf(-1)}
		for _, poly := range sh.Polys {
			for j, ring := range poly {
				px := make([]geo.Point, len(ring))
				for k, p := range ring {
					ring[k][0], ring[k][1] = project(p[0], p[1])
					px[k] = geo.Point{(ring[k][0] - t[0]) / t[1], (ring[k][1] - t[3]) / t[5]}
					ws.minY, ws.maxY = math.Min(ws.minY, px[k][1]), math.Max(ws.maxY, px[k][1])
				}
				a := math.Abs(ringArea(ring))
				if j > 0 {
					a = -a
				}
				ws.area += a
				ws.rings = append(ws.rings, px)
			}
		}
		out = append(out, ws)
	}
	return out, nil
}

// ringArea is the signed area of a closed ring (shoelace).
func ringArea(r []geo.Point) float64 {
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return s / 2
}

// spans returns the columns [a, b) of row y whose centres are inside the
// watershed, as GDAL rasterizes by default: the centre's row crosses an
// edge when it lies in [low end, high end) of the edge, and between a pair
// of crossings xa < xb a column counts when xa < centre ≤ xb (even-odd
// over all rings). xs is scratch, returned for reuse.
func (ws *watershed) spans(y, width int, xs []float64, dst [][2]int) ([][2]int, []float64) {
	dst = dst[:0]
	cy := float64(y) + 0.5
	if cy < ws.minY || cy >= ws.maxY {
		return dst, xs
	}
	xs = xs[:0]
	for _, r := range ws.rings {
		for i := 0; i+1 < len(r); i++ {
			a, b := r[i], r[i+1]
			if a[1] > b[1] {
				a, b = b, a
			}
			if cy >= a[1] && cy < b[1] {
				xs = append(xs, a[0]+(cy-a[1])*(b[0]-a[0])/(b[1]-a[1]))
			}
		}
	}
	slices.Sort(xs)
	for i := 0; i+1 < len(xs); i += 2 {
		// column x's centre is x+0.5: xa < x+0.5 ≤ xb
		lo := int(math.Floor(xs[i]-0.5)) + 1
		hi := int(math.Floor(xs[i+1]-0.5)) + 1
		lo, hi = max(lo, 0), min(hi, width)
		if lo < hi {
			dst = append(dst, [2]int{lo, hi})
		}
	}
	return dst, xs
}
