package geotiff

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"

	"golang.org/x/image/tiff/lzw"
)

// scratch is one worker's reusable buffers.
type scratch struct {
	compressed []byte
	src        bytes.Reader
	zr         io.ReadCloser
	tmp        []byte // the floating-point predictor's row
}

// Rows decodes rows y0 to y0+n-1 into dst (n*width values, row after row).
// It decodes the strips or tiles covering them, several at once, and keeps
// the last block row for the next call, so that reading a raster band by
// band in order decodes each block once whatever n is; memory is about n
// rows plus one block row of samples.
func (r *Reader) Rows(y0, n int, dst []float64) error {
	g := r.grid
	if y0 < 0 || n < 1 || y0+n > g.Height {
		return fmt.Errorf("geotiff: %s: rows %d to %d of a raster of %d rows", r.name, y0, y0+n-1, g.Height)
	}
	if len(dst) < n*g.Width {
		return fmt.Errorf("geotiff: %s: %d values for %d rows of %d", r.name, len(dst), n, g.Width)
	}
	br0, br1 := y0/r.blockH, (y0+n-1)/r.blockH
	if r.spanN == 0 || br0 < r.spanFirst || br1 >= r.spanFirst+r.spanN {
		if err := r.decodeSpan(br0, br1); err != nil {
			r.spanN = 0
			return fmt.Errorf("geotiff: %s: %w", r.name, err)
		}
	}
	bps := r.sample.bytes
	for y := y0; y < y0+n; y++ {
		row := dst[(y-y0)*g.Width : (y-y0+1)*g.Width]
		br, line := y/r.blockH-r.spanFirst, y%r.blockH
		for bc := 0; bc < r.across; bc++ {
			x0 := bc * r.blockW
			x1 := min(g.Width, x0+r.blockW)
			i := br*r.across + bc
			if r.missing[i] {
				fill(row[x0:x1], g.NoData)
				continue
			}
			off := line * r.blockW * bps
			r.convert(r.slots[i][off:off+(x1-x0)*bps], row[x0:x1])
		}
	}
	return nil
}

func fill(dst []float64, v float64) {
	for i := range dst {
		dst[i] = v
	}
}

// decodeSpan decodes block rows br0 to br1 into r.slots, taking br0 from
// the previous span when it was that span's last.
func (r *Reader) decodeSpan(br0, br1 int) error {
	k := br1 - br0 + 1
	reuse := r.spanN > 0 && br0 == r.spanFirst+r.spanN-1
	if len(r.slots) < k*r.across {
		r.slots = append(r.slots, make([][]byte, k*r.across-len(r.slots))...)
		r.missing = append(r.missing, make([]bool, k*r.across-len(r.missing))...)
	}
	first := 0
	if reuse {
		first = 1
		last := (r.spanN - 1) * r.across
		for c := 0; c < r.across; c++ {
			r.slots[c], r.slots[last+c] = r.slots[last+c], r.slots[c]
			r.missing[c] = r.missing[last+c]
		}
	}
	jobs := (k - first) * r.across
	workers := min(r.workers, jobs)
	for len(r.scratch) < workers {
		r.scratch = append(r.scratch, &scratch{})
	}
	var next atomic.Int64
	var once sync.Once
	var firstErr error
	work := func(s *scratch) {
		for {
			j := int(next.Add(1)) - 1
			if j >= jobs {
				return
			}
			slot := first*r.across + j
			block := (br0+first+j/r.across)*r.across + j%r.across
			missing, err := r.decodeBlock(s, block, &r.slots[slot])
			r.missing[slot] = missing
			if err != nil {
				once.Do(func() { firstErr = err })
				next.Store(int64(jobs)) // stop the others early
				return
			}
		}
	}
	if workers <= 1 {
		work(r.scratch[0])
	} else {
		var wg sync.WaitGroup
		for _, s := range r.scratch[:workers] {
			wg.Go(func() { work(s) })
		}
		wg.Wait()
	}
	if firstErr != nil {
		return firstErr
	}
	r.spanFirst, r.spanN = br0, k
	return nil
}

// decodeBlock decodes block i into *out (grown to the block's bytes),
// leaving its samples little-endian. It reports a sparse block (offset and
// byte count 0, as GDAL writes blocks of nodata) as missing. Open checked
// the block's bytes against its decoded size.
func (r *Reader) decodeBlock(s *scratch, i int, out *[]byte) (missing bool, err error) {
	off, count := r.offsets[i], r.counts[i]
	if off == 0 && count == 0 {
		return true, nil
	}
	bps := r.sample.bytes
	rows := r.blockRows(i)
	size := rows * r.blockW * bps
	if cap(*out) < size {
		*out = make([]byte, r.blockW*r.blockH*bps)
	}
	want := (*out)[:size]
	if r.compress == compressionNone {
		if err := r.readAt(want, off); err != nil {
			return false, fmt.Errorf("block %d: %w", i, err)
		}
	} else {
		if uint64(cap(s.compressed)) < count {
			s.compressed = make([]byte, count)
		}
		c := s.compressed[:count]
		if err := r.readAt(c, off); err != nil {
			return false, fmt.Errorf("block %d: %w", i, err)
		}
		if err := s.decompress(r.compress, c, want); err != nil {
			return false, fmt.Errorf("block %d: %w", i, err)
		}
	}
	if r.bo == binary.BigEndian && r.predictor != 3 {
		swap(want, bps)
	}
	rowBytes := r.blockW * bps
	for y := 0; y < rows; y++ {
		line := want[y*rowBytes : (y+1)*rowBytes]
		switch r.predictor {
		case 2:
			undoHorizontal(line, bps)
		case 3:
			s.tmp = undoFloat(line, bps, s.tmp)
		}
	}
	return false, nil
}

// decompress fills out from the compressed bytes c, or fails.
func (s *scratch) decompress(method int, c, out []byte) error {
	s.src.Reset(c)
	var dec io.Reader
	switch method {
	case compressionLZW:
		lr := lzw.NewReader(&s.src, lzw.MSB, 8)
		defer lr.Close()
		dec = lr
	default:
		var err error
		if s.zr == nil {
			s.zr, err = zlib.NewReader(&s.src)
		} else {
			err = s.zr.(zlib.Resetter).Reset(&s.src, nil)
		}
		if err != nil {
			return fmt.Errorf("deflate: %w", err)
		}
		dec = s.zr
	}
	n, err := io.ReadFull(dec, out)
	if err != nil {
		return fmt.Errorf("decompressed %d bytes of %d: %w", n, len(out), err)
	}
	return nil
}

// swap reverses the bytes of each sample of size bps.
func swap(b []byte, bps int) {
	switch bps {
	case 2:
		for i := 0; i+1 < len(b); i += 2 {
			b[i], b[i+1] = b[i+1], b[i]
		}
	case 4:
		for i := 0; i+3 < len(b); i += 4 {
			binary.LittleEndian.PutUint32(b[i:], binary.BigEndian.Uint32(b[i:]))
		}
	case 8:
		for i := 0; i+7 < len(b); i += 8 {
			binary.LittleEndian.PutUint64(b[i:], binary.BigEndian.Uint64(b[i:]))
		}
	}
}

// undoHorizontal undoes predictor 2 on one row of little-endian samples:
// each sample was stored as its difference from the one before (modulo
// the sample's width).
func undoHorizontal(b []byte, bps int) {
	le := binary.LittleEndian
	switch bps {
	case 1:
		for i := 1; i < len(b); i++ {
			b[i] += b[i-1]
		}
	case 2:
		for i := 2; i+1 < len(b); i += 2 {
			le.PutUint16(b[i:], le.Uint16(b[i:])+le.Uint16(b[i-2:]))
		}
	case 4:
		for i := 4; i+3 < len(b); i += 4 {
			le.PutUint32(b[i:], le.Uint32(b[i:])+le.Uint32(b[i-4:]))
		}
	case 8:
		for i := 8; i+7 < len(b); i += 8 {
			le.PutUint64(b[i:], le.Uint64(b[i:])+le.Uint64(b[i-8:]))
		}
	}
}

// undoFloat undoes predictor 3 on one row: the row's bytes are the
// samples' most significant bytes, then the next ones, and so on (whatever
// the file's byte order), each byte stored as its difference from the one
// before. It leaves the samples little-endian; tmp is reused.
func undoFloat(b []byte, bps int, tmp []byte) []byte {
	for i := 1; i < len(b); i++ {
		b[i] += b[i-1]
	}
	if cap(tmp) < len(b) {
		tmp = make([]byte, len(b))
	}
	tmp = tmp[:len(b)]
	copy(tmp, b)
	n := len(b) / bps
	for k := 0; k < bps; k++ {
		plane := tmp[(bps-1-k)*n : (bps-k)*n]
		for i, v := range plane {
			b[i*bps+k] = v
		}
	}
	return tmp
}

// convert turns little-endian samples into float64s.
func (r *Reader) convert(src []byte, dst []float64) {
	le := binary.LittleEndian
	switch r.sample {
	case sampleKind{1, 1}:
		for i := range dst {
			dst[i] = float64(src[i])
		}
	case sampleKind{2, 1}:
		for i := range dst {
			dst[i] = float64(int8(src[i]))
		}
	case sampleKind{1, 2}:
		for i := range dst {
			dst[i] = float64(le.Uint16(src[2*i:]))
		}
	case sampleKind{2, 2}:
		for i := range dst {
			dst[i] = float64(int16(le.Uint16(src[2*i:])))
		}
	case sampleKind{1, 4}:
		for i := range dst {
			dst[i] = float64(le.Uint32(src[4*i:]))
		}
	case sampleKind{2, 4}:
		for i := range dst {
			dst[i] = float64(int32(le.Uint32(src[4*i:])))
		}
	case sampleKind{1, 8}:
		for i := range dst {
			dst[i] = float64(le.Uint64(src[8*i:]))
		}
	case sampleKind{2, 8}:
		for i := range dst {
			dst[i] = float64(int64(le.Uint64(src[8*i:])))
		}
	case sampleKind{3, 4}:
		for i := range dst {
			dst[i] = float64(math.Float32frombits(le.Uint32(src[4*i:])))
		}
	case sampleKind{3, 8}:
		for i := range dst {
			dst[i] = math.Float64frombits(le.Uint64(src[8*i:]))
		}
	}
}

// blockRows is the rows of block i: a block's height, less for the last strip.
func (r *Reader) blockRows(i int) int {
	if r.tiled {
		return r.blockH
	}
	return min(r.blockH, r.grid.Height-i*r.blockH)
}

// checkBlocks refuses, before anything is decoded, a block that lies past
// the end of the file or whose bytes cannot hold its decoded size: so a
// hostile file cannot make the reader allocate much more than its own size.
func (r *Reader) checkBlocks() error {
	for i, off := range r.offsets {
		count := r.counts[i]
		if off == 0 && count == 0 {
			continue
		}
		if off > uint64(r.size) || count > uint64(r.size)-off {
			return fmt.Errorf("block %d (%d bytes at %d) is past the end of the file (%d bytes)", i, count, off, r.size)
		}
		size := uint64(r.blockRows(i) * r.blockW * r.sample.bytes)
		if r.compress == compressionNone && count < size {
			return fmt.Errorf("block %d has %d bytes, want %d", i, count, size)
		}
		if count*maxRatio+maxRatio < size {
			return fmt.Errorf("block %d: %d compressed bytes cannot hold %d", i, count, size)
		}
	}
	return nil
}
