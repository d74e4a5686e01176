package geotiff

import (
	"bytes"
	"compress/zlib"
	"math"
	"os"
	"path/filepath"
	"testing"

	"ecoindustry/internal/raster"
	"ecoindustry/internal/raster/gdaltest"
)

// seeds are small valid files: ours, and GDAL's of several layouts.
func seeds(f *testing.F) [][]byte {
	needGDAL(f)
	dir := f.TempDir()
	g := raster.Grid{Width: 9, Height: 7, EPSG: 32650, NoData: -1, HasNoData: true, Transform: [6]float64{0, 30, 0, 210, 0, -30}}
	var files []string
	for i, opt := range []Options{{RowsPerStrip: 2}, {Deflate: true, Predictor: true, RowsPerStrip: 3}, {BigTIFF: true}} {
		path := filepath.Join(dir, "w"+string(rune('0'+i))+".tif")
		w, err := Create(path, g, opt)
		if err != nil {
			f.Fatal(err)
		}
		v := make([]float64, g.Width*g.Height)
		for i := range v {
			v[i] = math.Sin(float64(i))
		}
		w.WriteRows(v)
		if err := w.Close(); err != nil {
			f.Fatal(err)
		}
		files = append(files, path)
	}
	src := files[0]
	for i, co := range [][]string{
		{"-ot", "Int16", "-co", "TILED=YES", "-co", "BLOCKXSIZE=16", "-co", "BLOCKYSIZE=16", "-co", "COMPRESS=LZW", "-co", "PREDICTOR=2"},
		{"-ot", "Byte", "-co", "COMPRESS=DEFLATE", "-co", "PREDICTOR=2", "-co", "ENDIANNESS=BIG"},
		{"-ot", "Float64", "-co", "COMPRESS=LZW", "-co", "PREDICTOR=3", "-co", "BIGTIFF=YES", "-co", "ENDIANNESS=BIG"},
		{"-ot", "UInt32", "-co", "BLOCKYSIZE=3"},
	} {
		path := filepath.Join(dir, "g"+string(rune('0'+i))+".tif")
		gdaltest.Run(f, "gdal_translate", append(append([]string{"-q", "-scale", "-1", "1", "0", "200"}, co...), src, path)...)
		files = append(files, path)
	}
	var out [][]byte
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// FuzzOpen feeds the header and directory parser, then the block
// decoders, with mutated files: they must fail cleanly, never panic, and
// never allocate much beyond the file's size.
func FuzzOpen(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader("fuzz.tif", bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		g := r.Grid()
		if g.Width > 1<<12 {
			return // dst is the caller's memory, not the parser's
		}
		dst := make([]float64, 8*g.Width)
		for y := 0; y < min(g.Height, 64); y += 8 {
			if err := r.Rows(y, min(8, g.Height-y), dst); err != nil {
				return
			}
		}
	})
}

// FuzzDecode feeds the codecs and predictors one block's bytes.
func FuzzDecode(f *testing.F) {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(bytes.Repeat([]byte{1, 2, 3, 250}, 64))
	zw.Close()
	f.Add(uint8(compressionDeflate), uint8(2), uint8(4), uint8(16), z.Bytes())
	f.Add(uint8(compressionDeflate), uint8(3), uint8(8), uint8(4), z.Bytes())
	// TIFF LZW: Clear, 'A', 'B', 258 ("AB"), EOI in 9-bit codes, MSB first
	f.Add(uint8(compressionLZW), uint8(1), uint8(1), uint8(5), []byte{0x80, 0x10, 0x60, 0x90, 0x20, 0x20, 0x20})
	f.Add(uint8(compressionLZW), uint8(2), uint8(2), uint8(8), []byte{0x80, 0x00, 0x20, 0x30, 0x38, 0x20, 0x0c, 0x0e, 0x06})
	f.Fuzz(func(t *testing.T, method, predictor, bps, width uint8, data []byte) {
		sizes := []int{1, 2, 4, 8}
		b := sizes[int(bps)%4]
		w := int(width)%64 + 1
		out := make([]byte, w*3*b)
		var s scratch
		m := compressionDeflate
		if method%2 == 1 {
			m = compressionLZW
		}
		if err := s.decompress(m, data, out); err != nil {
			return
		}
		for y := 0; y < 3; y++ {
			line := out[y*w*b : (y+1)*w*b]
			switch predictor % 3 {
			case 1:
				undoHorizontal(line, b)
			case 2:
				s.tmp = undoFloat(line, b, s.tmp)
			}
		}
	})
}
