package geotiff

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ecoindustry/internal/raster"
)

// The description is written as TIFF's ImageDescription: ASCII, NUL-ended,
// and the file still reads as before.
func TestDescription(t *testing.T) {
	g := raster.Grid{Width: 3, Height: 2, EPSG: 4549, Transform: [6]float64{500000, 100, 0, 3100000, 0, -100}}
	path := filepath.Join(t.TempDir(), "d.tif")
	if _, err := Create(path, g, Options{Description: "合成"}); err == nil || !strings.Contains(err.Error(), "ASCII") {
		t.Errorf("a non-ASCII description: %v", err)
	}
	w, err := Create(path, g, Options{Description: "SYNTHETIC demo data"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteRows([]float64{1, 2, 3, 4, 5, 6}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), "SYNTHETIC demo data\x00") {
		t.Fatalf("no description in the file: %v", err)
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	v := make([]float64, 6)
	if err := r.Rows(0, 2, v); err != nil || v[5] != 6 {
		t.Errorf("read back %v %v", v, err)
	}
}
