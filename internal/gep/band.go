package gep

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"

	"ecoindustry/internal/apperr"
	"ecoindustry/internal/raster"
	"ecoindustry/internal/raster/geotiff"
)

// NoData is the nodata value of every raster the models write: the lowest
// float32, since carbon's differences and values can take any other.
const NoData = -math.MaxFloat32

// BandRows is the default number of rows read, computed and written at once.
const BandRows = 256

// inputs are rasters read together, checked to line up pixel for pixel.
type inputs struct {
	readers []*geotiff.Reader
	grid    raster.Grid
}

// openInputs opens the rasters at paths and checks that they are aligned
// with the first.
func openInputs(paths ...string) (*inputs, error) {
	in := &inputs{}
	for _, p := range paths {
		r, err := geotiff.Open(p)
		if err != nil {
			in.close()
			return nil, fmt.Errorf("gep: %w", err)
		}
		in.readers = append(in.readers, r)
		if len(in.readers) > 1 {
			if err := raster.Aligned(in.readers[0].Grid(), r.Grid()); err != nil {
				in.close()
				return nil, fmt.Errorf("gep: %w", err)
			}
		}
	}
	in.grid = in.readers[0].Grid()
	if t := in.grid.Transform; t[2] != 0 || t[4] != 0 {
		in.close()
		return nil, fmt.Errorf("gep: %s: a rotated grid (geotransform %v) is not supported", in.grid.Name, t)
	}
	return in, nil
}

func (in *inputs) close() {
	for _, r := range in.readers {
		r.Close()
	}
}

// pixel says where pixel (x, y) is, for messages: its column and row and
// its centre's coordinates.
func pixel(g raster.Grid, x, y int) string {
	t := g.Transform
	return fmt.Sprintf("column %d row %d (x %.3f, y %.3f)", x, y,
		t[0]+(float64(x)+0.5)*t[1], t[3]+(float64(y)+0.5)*t[5])
}

// computeFunc fills the output rows of a part of a band from its input
// rows: in[i] and out[j] hold rows y0 to y0+n-1 of input i and output j.
// Two parts run at once (part is 0 or 1), so anything it adds up it keeps
// per part.
type computeFunc func(part, y0, n int, in, out [][]float64) error

// run reads the inputs band by band, computes each band in two halves at
// once and writes the outputs (float32; Deflate at zlib's fastest level
// with the floating-point predictor if deflate) named in outNames under
// dir. While band k is written, band k+1 is read and computed, so memory is
// one band of each input and two of each output. On error the outputs are
// removed. progress, when not nil, is told the rows done after each band.
func run(ctx context.Context, in *inputs, dir string, outNames []string, deflate bool, bandRows int, compute computeFunc, progress func(rows int)) (err error) {
	if bandRows < 1 {
		bandRows = BandRows
	}
	g := in.grid
	og := g
	og.NoData, og.HasNoData = NoData, true
	writers := make([]*geotiff.Writer, len(outNames))
	defer func() {
		for i, w := range writers {
			if w == nil {
				continue
			}
			if cerr := w.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("gep: %w", cerr)
			}
			if err != nil {
				os.Remove(filepath.Join(dir, outNames[i]))
			}
		}
	}()
	for i, name := range outNames {
		w, err := geotiff.Create(filepath.Join(dir, name), og, geotiff.Options{Deflate: deflate, Predictor: deflate, Level: 1})
		if err != nil {
			return fmt.Errorf("gep: %w", err)
		}
		writers[i] = w
	}
	// Two bands of each input: band k+1 is read while band k is computed.
	var inBufs [2][][]float64
	for s := range inBufs {
		inBufs[s] = make([][]float64, len(in.readers))
		for i := range inBufs[s] {
			inBufs[s][i] = make([]float64, bandRows*g.Width)
		}
	}
	read := func(y0 int, dst [][]float64) error {
		for i, r := range in.readers {
			if err := r.Rows(y0, min(bandRows, g.Height-y0), dst[i]); err != nil {
				// A block that does not decode: the file's problem.
				return &apperr.Error{Code: apperr.Invalid, Message: "gep: " + err.Error(), Zh: "gep：栅格数据无法解码：" + err.Error()}
			}
		}
		return nil
	}
	var reading sync.WaitGroup
	var readErr error
	defer reading.Wait()
	if g.Height > 0 {
		readErr = read(0, inBufs[0])
	}
	var outBuf [2][][]float64
	for s := range outBuf {
		outBuf[s] = make([][]float64, len(writers))
		for j := range writers {
			outBuf[s][j] = make([]float64, bandRows*g.Width)
		}
	}
	var writing sync.WaitGroup
	writeErrs := make([]error, len(writers))
	defer writing.Wait()
	for band, y0 := 0, 0; y0 < g.Height; band, y0 = band+1, y0+bandRows {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(bandRows, g.Height-y0)
		cells := n * g.Width
		reading.Wait()
		if readErr != nil {
			return readErr
		}
		inBuf := inBufs[band%2]
		if next := y0 + bandRows; next < g.Height {
			reading.Add(1)
			go func() {
				defer reading.Done()
				readErr = read(next, inBufs[(band+1)%2])
			}()
		}
		out := outBuf[band%2]
		half := n / 2
		var parts sync.WaitGroup
		var partErr [2]error
		for part := range 2 {
			a, b := 0, half
			if part == 1 {
				a, b = half, n
			}
			if a == b {
				continue
			}
			parts.Add(1)
			go func() {
				defer parts.Done()
				partErr[part] = compute(part, y0+a, b-a, rows(inBuf, a, b, g.Width), rows(out, a, b, g.Width))
			}()
		}
		parts.Wait()
		writing.Wait() // the previous band's writes, before this band's
		for _, e := range append(partErr[:], writeErrs...) {
			if e != nil {
				return e
			}
		}
		if progress != nil {
			progress(y0 + n)
		}
		for j, w := range writers {
			writing.Add(1)
			go func() {
				defer writing.Done()
				if err := w.WriteRows(out[j][:cells]); err != nil {
					writeErrs[j] = fmt.Errorf("gep: %w", err)
				}
			}()
		}
	}
	writing.Wait()
	for _, e := range writeErrs {
		if e != nil {
			return e
		}
	}
	return nil
}

// rows returns rows a to b-1 of each band buffer.
func rows(bufs [][]float64, a, b, width int) [][]float64 {
	s := make([][]float64, len(bufs))
	for i, buf := range bufs {
		s[i] = buf[a*width : b*width]
	}
	return s
}
