package geotiff

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"ecoindustry/internal/raster/gdaltest"
)

// The tests make their fixtures with Debian's gdal-bin and check every
// pixel against what GDAL reads. scripts/test.sh installs it.
func needGDAL(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("gdal_translate"); err != nil {
		t.Fatal("gdal-bin is not installed (gdal_translate, gdalinfo): apt-get install -y gdal-bin; scripts/test.sh installs it when run as root")
	}
}

// gdalInfo is what gdalinfo -json says of path's grid and, with stats, its band.
type gdalInfo struct {
	Size             [2]int     `json:"size"`
	GeoTransform     [6]float64 `json:"geoTransform"`
	CoordinateSystem struct {
		WKT string `json:"wkt"`
	} `json:"coordinateSystem"`
	Bands []struct {
		NoData any     `json:"noDataValue"`
		Min    float64 `json:"minimum"`
		Max    float64 `json:"maximum"`
		Mean   float64 `json:"mean"`
		StdDev float64 `json:"stdDev"`
	} `json:"bands"`
}

var lastEPSG = regexp.MustCompile(`ID\["EPSG",(\d+)\]\]\s*$`)

func info(t testing.TB, path string, stats bool) (gdalInfo, int) {
	t.Helper()
	args := []string{"-json", path}
	if stats {
		args = append([]string{"-stats"}, args...)
	}
	var gi gdalInfo
	if err := json.Unmarshal(gdaltest.Run(t, "gdalinfo", args...), &gi); err != nil {
		t.Fatal(err)
	}
	epsg := 0
	if m := lastEPSG.FindStringSubmatch(gi.CoordinateSystem.WKT); m != nil {
		epsg, _ = strconv.Atoi(m[1])
	}
	return gi, epsg
}

func nodataOf(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string: // "nan"
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	}
	return 0, false
}

func same(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

// pixelType is a GDAL data type and values that fit it exactly.
type pixelType struct {
	ot     string
	co     []string
	nodata string
	gen    func(r *rand.Rand) float64
}

func ints(lo, hi float64) func(r *rand.Rand) float64 {
	return func(r *rand.Rand) float64 {
		switch r.IntN(8) {
		case 0:
			return lo
		case 1:
			return hi
		}
		// smooth-ish values, as real rasters are, so predictors matter
		return math.Round(lo + (hi-lo)*r.Float64())
	}
}

var pixelTypes = []pixelType{
	{"Byte", nil, "255", ints(0, 255)},
	{"Byte", []string{"PIXELTYPE=SIGNEDBYTE"}, "-128", ints(-128, 127)},
	{"UInt16", nil, "65535", ints(0, 65535)},
	{"Int16", nil, "-32768", ints(-32768, 32767)},
	{"UInt32", nil, "4294967295", ints(0, 4294967295)},
	{"Int32", nil, "-2147483648", ints(-2147483648, 2147483647)},
	{"UInt64", nil, "0", ints(0, 1<<52)},
	{"Int64", nil, "-1", ints(-(1 << 52), 1<<52)},
	{"Float32", nil, "-3.4028234663852886e+38", func(r *rand.Rand) float64 {
		return float64(float32((r.Float64() - 0.3) * math.Pow(10, float64(r.IntN(12)-6))))
	}},
	{"Float64", nil, "nan", func(r *rand.Rand) float64 {
		return (r.Float64() - 0.3) * math.Pow(10, float64(r.IntN(40)-20))
	}},
}

// TestReadMatchesGDAL makes rasters of every sample type, in strips and
// tiles, uncompressed, LZW and Deflate, with predictors 2 and 3, classic
// and BigTIFF, little- and big-endian, and reads every pixel as GDAL does.
func TestReadMatchesGDAL(t *testing.T) {
	needGDAL(t)
	const w, h = 37, 23 // edge tiles and a short last strip
	compressions := [][]string{
		{"COMPRESS=NONE"}, {"COMPRESS=LZW"}, {"COMPRESS=DEFLATE"},
		{"COMPRESS=LZW", "PREDICTOR=2"}, {"COMPRESS=DEFLATE", "PREDICTOR=2"},
	}
	floatCompressions := [][]string{{"COMPRESS=DEFLATE", "PREDICTOR=3"}, {"COMPRESS=LZW", "PREDICTOR=3"}}
	layouts := [][]string{{"BLOCKYSIZE=5"}, {"TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"}}
	srs := []string{"EPSG:32650", "EPSG:4490", "EPSG:4547"}
	n := 0
	for ti, pt := range pixelTypes {
		values := make([]float64, w*h)
		rng := rand.New(rand.NewPCG(uint64(ti), 16))
		for i := range values {
			values[i] = pt.gen(rng)
		}
		src := filepath.Join(t.TempDir(), "src.bin")
		gdaltest.WriteENVI(t, src, w, h, values)
		comps := compressions
		if strings.HasPrefix(pt.ot, "Float") {
			comps = append(comps, floatCompressions...)
		}
		for li, layout := range layouts {
			for ci, comp := range comps {
				// Each case a different mix of the options that are independent of the codec.
				k := n
				n++
				co := append(append(append([]string{}, pt.co...), layout...), comp...)
				if k%2 == 1 {
					co = append(co, "BIGTIFF=YES")
				}
				if k/2%2 == 1 {
					co = append(co, "ENDIANNESS=BIG")
				}
				name := fmt.Sprintf("%s%s/%d/%d", pt.ot, strings.Join(pt.co, ""), li, ci)
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					path := filepath.Join(t.TempDir(), "r.tif")
					args := []string{"-q", "-ot", pt.ot, "-a_srs", srs[k%len(srs)],
						"-a_ullr", "500000", "3150000", "501110", "3149310", "-a_nodata", pt.nodata}
					if k%len(srs) != 0 {
						args[6], args[7], args[8], args[9] = "119.5", "28.5", "119.537", "28.477"
					}
					if k%7 == 3 {
						args = append(args, "-mo", "AREA_OR_POINT=Point")
					}
					for _, c := range co {
						args = append(args, "-co", c)
					}
					gdaltest.Run(t, "gdal_translate", append(args, src, path)...)
					checkAgainstGDAL(t, path, k%5 == 0)
				})
			}
		}
	}
}

// checkAgainstGDAL reads path whole, in bands of one row and of seven,
// and compares every pixel and, when grid is set, the grid with GDAL's.
func checkAgainstGDAL(t *testing.T, path string, grid bool) {
	t.Helper()
	want := gdaltest.Pixels(t, path)
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	g := r.Grid()
	if len(want) != g.Width*g.Height {
		t.Fatalf("GDAL reads %d pixels, we %d×%d", len(want), g.Width, g.Height)
	}
	for _, band := range []int{g.Height, 1, 7} {
		got := make([]float64, band*g.Width)
		for y := 0; y < g.Height; y += band {
			n := min(band, g.Height-y)
			if err := r.Rows(y, n, got); err != nil {
				t.Fatal(err)
			}
			for i, v := range got[:n*g.Width] {
				if !same(v, want[y*g.Width+i]) {
					t.Fatalf("bands of %d rows: pixel (%d, %d) = %v, GDAL reads %v", band, i%g.Width, y+i/g.Width, v, want[y*g.Width+i])
				}
			}
		}
	}
	if !grid {
		return
	}
	gi, epsg := info(t, path, false)
	nd, ok := nodataOf(gi.Bands[0].NoData)
	// gdalinfo prints a float32 raster's nodata rounded to float32's digits
	if ok != g.HasNoData || ok && !same(nd, g.NoData) && float32(nd) != float32(g.NoData) {
		t.Errorf("nodata %v %v, GDAL %v", g.NoData, g.HasNoData, gi.Bands[0].NoData)
	}
	if epsg != g.EPSG {
		t.Errorf("EPSG %d, GDAL %d", g.EPSG, epsg)
	}
	for i := range gi.GeoTransform {
		if math.Abs(gi.GeoTransform[i]-g.Transform[i]) > 1e-9*math.Max(1, math.Abs(g.Transform[i])) {
			t.Errorf("geotransform %v, GDAL %v", g.Transform, gi.GeoTransform)
			break
		}
	}
}

// TestSparse reads a tiled file whose blocks GDAL never wrote (offset and
// byte count 0): nodata everywhere, as GDAL reads it.
func TestSparse(t *testing.T) {
	needGDAL(t)
	path := filepath.Join(t.TempDir(), "sparse.tif")
	gdaltest.Run(t, "gdal_create", "-of", "GTiff", "-outsize", "40", "33", "-ot", "Float32", "-a_nodata", "-9999",
		"-a_srs", "EPSG:32650", "-a_ullr", "0", "33", "40", "0",
		"-co", "SPARSE_OK=TRUE", "-co", "TILED=YES", "-co", "BLOCKXSIZE=16", "-co", "BLOCKYSIZE=16", path)
	checkAgainstGDAL(t, path, true)
}

// TestRefused checks that what is not read is refused with the file's
// name and the reason.
func TestRefused(t *testing.T) {
	needGDAL(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src.bin")
	gdaltest.WriteENVI(t, src, 8, 8, make([]float64, 64))
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"rgb", []string{"-ot", "Byte", "-b", "1", "-b", "1", "-b", "1"}, "3 samples per pixel"},
		{"packbits", []string{"-co", "COMPRESS=PACKBITS"}, "compression 32773"},
		{"complex", []string{"-ot", "CFloat32"}, "sample format 6"},
	} {
		path := filepath.Join(dir, c.name+".tif")
		gdaltest.Run(t, "gdal_translate", append(append([]string{"-q", "-of", "GTiff"}, c.args...), src, path)...)
		_, err := Open(path)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error naming the file and %q", c.name, err, c.want)
		}
	}
	path := filepath.Join(dir, "ok.tif")
	gdaltest.Run(t, "gdal_translate", "-q", "-of", "GTiff", src, path)
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Rows(5, 4, make([]float64, 32)); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("rows 5 to 8 of 8: %v", err)
	}
}
