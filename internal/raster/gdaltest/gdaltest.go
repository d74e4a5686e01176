// Package gdaltest gives the raster tests Debian's GDAL (gdal-bin, which
// scripts/gdal.sh installs for make test): fixtures written with it, and
// pixels read with it, to check ours against.
package gdaltest

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Run runs GDAL's tool name with args and returns its standard output; a
// failure ends the test with the command and what it said.
func Run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s is not installed: apt-get install -y gdal-bin (scripts/test.sh does it as root)", name)
	}
	var stderr strings.Builder
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// WriteENVI writes values, w by h, as a raw float64 ENVI file (path, with
// its .hdr beside it) that GDAL reads.
func WriteENVI(t testing.TB, path string, w, h int, values []float64) {
	t.Helper()
	b := make([]byte, 0, 8*len(values))
	for _, v := range values {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	hdr := fmt.Sprintf("ENVI\nsamples = %d\nlines = %d\nbands = 1\nheader offset = 0\nfile type = ENVI Standard\ndata type = 5\ninterleave = bsq\nbyte order = 0\n", w, h)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(strings.TrimSuffix(path, filepath.Ext(path))+".hdr", []byte(hdr), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Pixels is every pixel of path as GDAL reads it, as float64.
func Pixels(t testing.TB, path string) []float64 {
	t.Helper()
	out := filepath.Join(t.TempDir(), "px.bin")
	Run(t, "gdal_translate", "-q", "-of", "ENVI", "-ot", "Float64", path, out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	v := make([]float64, len(b)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return v
}
