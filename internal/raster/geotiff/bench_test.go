package geotiff

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"ecoindustry/internal/raster"
	"ecoindustry/internal/raster/gdaltest"
)

const benchSize = 4400 // Lishui's 17,300 km² at 30 m

// benchFile makes (once, cached under os.TempDir() by size) a 4400×4400
// raster with GDAL: "float32" a smooth field with noise (precipitation),
// "byte" land-cover classes in patches; layout "tiled" (256×256) or
// "striped" (GDAL's default strips); Deflate.
func benchFile(b *testing.B, kind, layout string) string {
	needGDAL(b)
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("ecoind-geotiff-bench-%d", benchSize))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, kind+"-deflate-"+layout+".tif")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	src := filepath.Join(dir, kind+"-src.tif")
	if _, err := os.Stat(src); err != nil {
		writeBenchSource(b, src, kind)
	}
	args := []string{"-q", "-of", "GTiff", "-co", "COMPRESS=DEFLATE"}
	if kind == "byte" {
		args = append(args, "-ot", "Byte")
	}
	if layout == "tiled" {
		args = append(args, "-co", "TILED=YES")
	}
	gdaltest.Run(b, "gdal_translate", append(args, src, path+".part")...)
	if err := os.Rename(path+".part", path); err != nil {
		b.Fatal(err)
	}
	return path
}

func writeBenchSource(b *testing.B, path, kind string) {
	g := raster.Grid{Width: benchSize, Height: benchSize, EPSG: 32650, Transform: [6]float64{400000, 30, 0, 3250000, 0, -30}}
	w, err := Create(path+".part", g, Options{})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(16, 4400))
	row := make([]float64, benchSize)
	classes := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 4, 5} // mostly forest
	for y := range benchSize {
		for x := range row {
			fx, fy := float64(x), float64(y)
			if kind == "byte" {
				patch := math.Sin(fx/97)*math.Cos(fy/61) + 0.3*math.Sin((fx+fy)/23)
				row[x] = classes[int((patch+1.3)*7.7)%len(classes)]
				if rng.IntN(50) == 0 {
					row[x] = classes[rng.IntN(len(classes))]
				}
			} else {
				row[x] = 1700 + 200*math.Sin(fx/300)*math.Cos(fy/500) + rng.NormFloat64()*5
			}
		}
		if err := w.WriteRows(row); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(path+".part", path); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRead reads each raster whole in bands of 256 rows, with one
// and two decoding workers; MB/s are of decoded samples, peak-heap-MB is
// the largest live heap seen between bands (the band itself, 256×4400
// float64s, is 9 MB of it).
func BenchmarkRead(b *testing.B) {
	for _, kind := range []string{"float32", "byte"} {
		for _, layout := range []string{"tiled", "striped"} {
			path := benchFile(b, kind, layout)
			for _, workers := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%s/workers=%d", kind, layout, workers), func(b *testing.B) {
					sample := int64(4)
					if kind == "byte" {
						sample = 1
					}
					b.SetBytes(benchSize * benchSize * sample)
					b.ReportAllocs()
					const band = 256
					dst := make([]float64, band*benchSize)
					var ms runtime.MemStats
					runtime.GC()
					runtime.ReadMemStats(&ms)
					base, peak := ms.HeapAlloc, uint64(0)
					var sum float64
					for b.Loop() {
						r, err := Open(path)
						if err != nil {
							b.Fatal(err)
						}
						r.SetWorkers(workers)
						for y := 0; y < benchSize; y += band {
							n := min(band, benchSize-y)
							if err := r.Rows(y, n, dst); err != nil {
								b.Fatal(err)
							}
							sum += dst[0]
							runtime.ReadMemStats(&ms)
							peak = max(peak, ms.HeapAlloc)
						}
						r.Close()
					}
					b.ReportMetric(float64(peak-base+uint64(8*len(dst)))/(1<<20), "peak-heap-MB")
					if math.IsNaN(sum) {
						b.Fatal("NaN")
					}
				})
			}
		}
	}
}

// BenchmarkWrite writes a 4400×4400 float32 raster, uncompressed and
// Deflate with predictor 3.
func BenchmarkWrite(b *testing.B) {
	for _, opt := range []Options{{}, {Deflate: true, Predictor: true}} {
		b.Run(fmt.Sprintf("deflate=%v", opt.Deflate), func(b *testing.B) {
			b.SetBytes(benchSize * benchSize * 4)
			b.ReportAllocs()
			g := raster.Grid{Width: benchSize, Height: benchSize, EPSG: 32650, Transform: [6]float64{400000, 30, 0, 3250000, 0, -30}}
			row := make([]float64, benchSize)
			for x := range row {
				row[x] = 1700 + 200*math.Sin(float64(x)/300)
			}
			path := filepath.Join(b.TempDir(), "w.tif")
			for b.Loop() {
				w, err := Create(path, g, opt)
				if err != nil {
					b.Fatal(err)
				}
				for range benchSize {
					if err := w.WriteRows(row); err != nil {
						b.Fatal(err)
					}
				}
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
