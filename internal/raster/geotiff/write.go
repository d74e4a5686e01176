package geotiff

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"

	"ecoindustry/internal/raster"
)

// Options says how a raster is written. The zero value writes
// uncompressed strips of about 256 KB.
type Options struct {
	Deflate      bool // compression 8 (zlib, level 6 as GDAL's default)
	Level        int  // with Deflate, zlib's level 1 (fastest) to 9; 0 is 6
	Predictor    bool // with Deflate, the floating-point predictor (3)
	RowsPerStrip int  // 0: as many rows as make about 256 KB
	BigTIFF      bool // forced; chosen anyway when the file could pass 4 GB
	// Description is written as the ImageDescription tag (270), which
	// gdalinfo shows as TIFFTAG_IMAGEDESCRIPTION: what the raster is,
	// for instance that it is synthetic. ASCII; empty: no tag.
	Description string
}

const stripTarget = 256 << 10

// Writer writes a float32 GeoTIFF row by row: strips go to the file as
// they fill, and the directory with the strip table is written last, so
// memory is one strip whatever the raster's size.
type Writer struct {
	name    string
	f       *os.File
	bw      *bufio.Writer
	grid    raster.Grid
	opt     Options
	big     bool
	pos     uint64 // bytes written so far
	rows    int    // rows received
	strip   []byte // the strip being filled, little-endian float32
	inStrip int    // its rows
	zbuf    bytes.Buffer
	zw      *zlib.Writer
	tmp     []byte // the predictor's row
	offsets []uint64
	counts  []uint64
	err     error
}

// Create starts a float32 GeoTIFF of the grid g at path (g.Name is ignored).
func Create(path string, g raster.Grid, opt Options) (*Writer, error) {
	if g.Width < 1 || g.Height < 1 || g.Width > maxDimension || g.Height > maxDimension {
		return nil, fmt.Errorf("geotiff: %s: size %d×%d", path, g.Width, g.Height)
	}
	if g.HasNoData && !math.IsNaN(g.NoData) && float64(float32(g.NoData)) != g.NoData {
		return nil, fmt.Errorf("geotiff: %s: nodata %v is not a float32", path, g.NoData)
	}
	if opt.Level < 0 || opt.Level > 9 {
		return nil, fmt.Errorf("geotiff: %s: Deflate level %d, want 1 to 9", path, opt.Level)
	}
	if strings.ContainsFunc(opt.Description, func(r rune) bool { return r == 0 || r > 126 }) {
		return nil, fmt.Errorf("geotiff: %s: the description must be ASCII without NUL", path)
	}
	if opt.Predictor && !opt.Deflate {
		return nil, fmt.Errorf("geotiff: %s: the predictor goes with Deflate", path)
	}
	rps := opt.RowsPerStrip
	if rps <= 0 {
		rps = max(1, stripTarget/(4*g.Width))
	}
	rps = min(rps, g.Height)
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("geotiff: %w", err)
	}
	w := &Writer{name: path, f: f, bw: bufio.NewWriterSize(f, 1<<16), grid: g, opt: opt,
		strip: make([]byte, 0, rps*g.Width*4)}
	w.opt.RowsPerStrip = rps
	// Strips, directory and tables of a classic TIFF must lie below 4 GB;
	// Deflate can grow incompressible data by a little.
	w.big = opt.BigTIFF || uint64(g.Width)*uint64(g.Height)*4*101/100+(1<<20) >= 1<<32
	if opt.Deflate {
		w.zw, _ = zlib.NewWriterLevel(&w.zbuf, cmp.Or(opt.Level, 6))
	}
	header := []byte{'I', 'I', 42, 0, 0, 0, 0, 0}
	if w.big {
		header = []byte{'I', 'I', 43, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	}
	w.write(header) // the directory's offset is patched in by Close
	return w, w.fail()
}

func (w *Writer) write(b []byte) {
	if w.err != nil {
		return
	}
	_, w.err = w.bw.Write(b)
	w.pos += uint64(len(b))
}

func (w *Writer) fail() error {
	if w.err != nil {
		return fmt.Errorf("geotiff: %s: %w", w.name, w.err)
	}
	return nil
}

// WriteRows appends whole rows (a multiple of the width of values), in
// order from the top; values are stored as float32.
func (w *Writer) WriteRows(src []float64) error {
	width := w.grid.Width
	if len(src)%width != 0 {
		return fmt.Errorf("geotiff: %s: %d values are not whole rows of %d", w.name, len(src), width)
	}
	if w.rows+len(src)/width > w.grid.Height {
		return fmt.Errorf("geotiff: %s: more than %d rows", w.name, w.grid.Height)
	}
	for y := 0; y < len(src)/width; y++ {
		for _, v := range src[y*width : (y+1)*width] {
			w.strip = binary.LittleEndian.AppendUint32(w.strip, math.Float32bits(float32(v)))
		}
		w.rows++
		w.inStrip++
		if w.inStrip == w.opt.RowsPerStrip || w.rows == w.grid.Height {
			w.flushStrip()
		}
	}
	return w.fail()
}

func (w *Writer) flushStrip() {
	data := w.strip
	if w.opt.Deflate {
		if w.opt.Predictor {
			rowBytes := w.grid.Width * 4
			for y := 0; y < w.inStrip; y++ {
				w.tmp = encodeFloat(data[y*rowBytes:(y+1)*rowBytes], 4, w.tmp)
			}
		}
		w.zbuf.Reset()
		w.zw.Reset(&w.zbuf)
		w.zw.Write(data)
		if err := w.zw.Close(); err != nil && w.err == nil {
			w.err = err
		}
		data = w.zbuf.Bytes()
	}
	w.offsets = append(w.offsets, w.pos)
	w.counts = append(w.counts, uint64(len(data)))
	w.write(data)
	w.strip, w.inStrip = w.strip[:0], 0
}

// encodeFloat applies predictor 3 to one row of little-endian samples:
// bytes regrouped most significant first, then differenced; tmp is reused.
func encodeFloat(b []byte, bps int, tmp []byte) []byte {
	if cap(tmp) < len(b) {
		tmp = make([]byte, len(b))
	}
	tmp = tmp[:len(b)]
	n := len(b) / bps
	for i := 0; i < n; i++ {
		for k := 0; k < bps; k++ {
			tmp[(bps-1-k)*n+i] = b[i*bps+k]
		}
	}
	for i := len(tmp) - 1; i > 0; i-- {
		tmp[i] -= tmp[i-1]
	}
	copy(b, tmp)
	return tmp
}

// Close writes the directory after the strips and closes the file. It is
// an error to close before every row was written; the file is then left
// without a directory, which readers refuse.
func (w *Writer) Close() error {
	if w.f == nil {
		return errors.New("geotiff: writer closed twice")
	}
	defer func() { w.f = nil }()
	if w.rows != w.grid.Height {
		w.f.Close()
		return fmt.Errorf("geotiff: %s: closed after %d of %d rows", w.name, w.rows, w.grid.Height)
	}
	w.writeDirectory()
	if w.err == nil {
		w.err = w.bw.Flush()
	}
	if err := w.f.Close(); err != nil && w.err == nil {
		w.err = err
	}
	return w.fail()
}

// field is one directory entry to write.
type field struct {
	tag, typ uint16
	count    uint64
	data     []byte // little-endian values
}

func shorts(v ...uint16) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint16(b, x)
	}
	return b
}

func doubles(v ...float64) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
	}
	return b
}

func (w *Writer) writeDirectory() {
	g := w.grid
	offType, offs := uint16(typeLong), []byte{}
	if w.big {
		offType = typeLong8
	}
	counts := []byte{}
	for i := range w.offsets {
		if w.big {
			offs = binary.LittleEndian.AppendUint64(offs, w.offsets[i])
			counts = binary.LittleEndian.AppendUint64(counts, w.counts[i])
		} else {
			offs = binary.LittleEndian.AppendUint32(offs, uint32(w.offsets[i]))
			counts = binary.LittleEndian.AppendUint32(counts, uint32(w.counts[i]))
		}
	}
	long := func(v int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }
	compression, predictor := uint16(compressionNone), uint16(1)
	if w.opt.Deflate {
		compression = compressionDeflate
		if w.opt.Predictor {
			predictor = 3
		}
	}
	fields := []field{
		{tagImageWidth, typeLong, 1, long(g.Width)},
		{tagImageLength, typeLong, 1, long(g.Height)},
		{tagBitsPerSample, typeShort, 1, shorts(32)},
		{tagCompression, typeShort, 1, shorts(compression)},
		{tagPhotometric, typeShort, 1, shorts(1)},
		{tagStripOffsets, offType, uint64(len(w.offsets)), offs},
		{tagSamplesPerPixel, typeShort, 1, shorts(1)},
		{tagRowsPerStrip, typeLong, 1, long(w.opt.RowsPerStrip)},
		{tagStripByteCounts, offType, uint64(len(w.counts)), counts},
		{tagPlanarConfig, typeShort, 1, shorts(1)},
		{tagSampleFormat, typeShort, 1, shorts(3)},
		{tagGeoKeyDirectory, typeShort, 0, shorts(geoKeys(g.EPSG, g.Geographic)...)},
	}
	if predictor != 1 {
		fields = append(fields, field{tagPredictor, typeShort, 1, shorts(predictor)})
	}
	if d := w.opt.Description; d != "" {
		fields = append(fields, field{tagImageDescription, typeASCII, uint64(len(d) + 1), append([]byte(d), 0)})
	}
	t := g.Transform
	if t[2] == 0 && t[4] == 0 && t[5] < 0 {
		fields = append(fields,
			field{tagModelPixelScale, typeDouble, 3, doubles(t[1], -t[5], 0)},
			field{tagModelTiepoint, typeDouble, 6, doubles(0, 0, 0, t[0], t[3], 0)})
	} else {
		fields = append(fields, field{tagModelTransform, typeDouble, 16,
			doubles(t[1], t[2], 0, t[0], t[4], t[5], 0, t[3], 0, 0, 0, 0, 0, 0, 0, 1)})
	}
	if g.HasNoData {
		s := strconv.FormatFloat(g.NoData, 'g', -1, 64)
		if math.IsNaN(g.NoData) {
			s = "nan"
		}
		fields = append(fields, field{tagGDALNoData, typeASCII, uint64(len(s) + 1), append([]byte(s), 0)})
	}
	for i := range fields {
		if fields[i].count == 0 {
			fields[i].count = uint64(len(fields[i].data) / 2)
		}
	}
	sort.Slice(fields, func(i, j int) bool { return fields[i].tag < fields[j].tag })

	// Values too long for their entry go first, then the directory.
	inline := 4
	if w.big {
		inline = 8
	}
	valueOff := make([]uint64, len(fields))
	for i, f := range fields {
		if len(f.data) > inline {
			w.align()
			valueOff[i] = w.pos
			w.write(f.data)
		}
	}
	w.align()
	dir := w.pos
	var b []byte
	if w.big {
		b = binary.LittleEndian.AppendUint64(b, uint64(len(fields)))
	} else {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(fields)))
	}
	for i, f := range fields {
		b = binary.LittleEndian.AppendUint16(b, f.tag)
		b = binary.LittleEndian.AppendUint16(b, f.typ)
		value := make([]byte, inline)
		if len(f.data) > inline {
			if w.big {
				binary.LittleEndian.PutUint64(value, valueOff[i])
			} else {
				binary.LittleEndian.PutUint32(value, uint32(valueOff[i]))
			}
		} else {
			copy(value, f.data)
		}
		if w.big {
			b = binary.LittleEndian.AppendUint64(b, f.count)
		} else {
			b = binary.LittleEndian.AppendUint32(b, uint32(f.count))
		}
		b = append(b, value...)
	}
	b = append(b, make([]byte, inline)...) // no next directory
	w.write(b)
	if w.err != nil {
		return
	}
	if w.err = w.bw.Flush(); w.err != nil {
		return
	}
	patch := binary.LittleEndian.AppendUint32(nil, uint32(dir))
	at := int64(4)
	if w.big {
		patch, at = binary.LittleEndian.AppendUint64(nil, dir), 8
	}
	_, w.err = w.f.WriteAt(patch, at)
}

func (w *Writer) align() {
	if w.pos%2 == 1 {
		w.write([]byte{0})
	}
}
