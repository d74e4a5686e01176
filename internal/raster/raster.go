// Package raster holds what the GEP models need to know of a raster
// whatever its file format: its grid (size, georeferencing, nodata) and
// whether two rasters line up pixel for pixel. It does no I/O.
package raster

import (
	"fmt"
	"math"
	"strings"
)

// Grid is a raster's size and georeferencing.
type Grid struct {
	Name          string // the file, for messages
	Width, Height int
	// Transform is GDAL's geotransform: a pixel's corner (col, row) is at
	// x = T[0] + col*T[1] + row*T[2], y = T[3] + col*T[4] + row*T[5].
	Transform [6]float64
	// EPSG is the code of the coordinate reference system, 0 when the file names none.
	EPSG int
	// Geographic says that the coordinates are degrees (a geographic CRS), not metres of a projection.
	Geographic bool
	NoData     float64
	HasNoData  bool
}

// IsNoData says whether v is the grid's nodata value (NaN when nodata is NaN).
func (g Grid) IsNoData(v float64) bool { return g.NoDataTest().Is(v) }

// NoDataTest is a grid's nodata test on its own, small enough to copy
// into a model's inner loop.
type NoDataTest struct {
	has, nan bool
	v        float64
}

// NoDataTest returns the grid's nodata test.
func (g Grid) NoDataTest() NoDataTest {
	return NoDataTest{has: g.HasNoData, nan: math.IsNaN(g.NoData), v: g.NoData}
}

// Is says whether v is the nodata value (NaN when nodata is NaN).
func (n NoDataTest) Is(v float64) bool { return n.has && (v == n.v || n.nan && v != v) }

// PixelArea is the area of one pixel in the units of the CRS squared
// (m² for a projection), from the geotransform's determinant.
func (g Grid) PixelArea() float64 {
	t := g.Transform
	return math.Abs(t[1]*t[5] - t[2]*t[4])
}

// transformTolerance is the relative difference below which two
// geotransforms' terms are taken as equal.
const transformTolerance = 1e-9

// Aligned returns nil if a and b cover the same pixels: the same size,
// the same geotransform (within 1e-9 relative, scaled by the larger of the
// two terms or the pixel size) and the same EPSG code. Otherwise the error
// names both rasters and every difference.
func Aligned(a, b Grid) error {
	var diffs []string
	if a.Width != b.Width || a.Height != b.Height {
		diffs = append(diffs, fmt.Sprintf("size %d×%d and %d×%d", a.Width, a.Height, b.Width, b.Height))
	}
	scale := math.Max(math.Max(math.Abs(a.Transform[1]), math.Abs(a.Transform[5])),
		math.Max(math.Abs(b.Transform[1]), math.Abs(b.Transform[5])))
	names := [6]string{"origin x", "pixel width", "row rotation", "origin y", "column rotation", "pixel height"}
	for i := range a.Transform {
		x, y := a.Transform[i], b.Transform[i]
		tol := transformTolerance * math.Max(scale, math.Max(math.Abs(x), math.Abs(y)))
		if !(math.Abs(x-y) <= tol) {
			diffs = append(diffs, fmt.Sprintf("%s %g and %g", names[i], x, y))
		}
	}
	switch {
	case a.EPSG == 0 || b.EPSG == 0:
		diffs = append(diffs, fmt.Sprintf("EPSG %s and %s (a raster without a code cannot be checked)", epsg(a.EPSG), epsg(b.EPSG)))
	case a.EPSG != b.EPSG:
		diffs = append(diffs, fmt.Sprintf("EPSG %d and %d", a.EPSG, b.EPSG))
	}
	if len(diffs) == 0 {
		return nil
	}
	return fmt.Errorf("raster: %s and %s are not aligned: %s", name(a), name(b), strings.Join(diffs, "; "))
}

func epsg(code int) string {
	if code == 0 {
		return "none"
	}
	return fmt.Sprint(code)
}

func name(g Grid) string {
	if g.Name == "" {
		return "(unnamed raster)"
	}
	return g.Name
}
