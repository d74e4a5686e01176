// Package geotiff reads and writes single-band GeoTIFF files, block by
// block, so that memory stays bounded by a few blocks whatever the size of
// the raster (decision 0021 says what is supported and why it is ours).
package geotiff

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"

	"ecoindustry/internal/raster"
)

// TIFF tags read or written.
const (
	tagImageWidth       = 256
	tagImageLength      = 257
	tagBitsPerSample    = 258
	tagCompression      = 259
	tagPhotometric      = 262
	tagImageDescription = 270
	tagStripOffsets     = 273
	tagSamplesPerPixel  = 277
	tagRowsPerStrip     = 278
	tagStripByteCounts  = 279
	tagPlanarConfig     = 284
	tagPredictor        = 317
	tagTileWidth        = 322
	tagTileLength       = 323
	tagTileOffsets      = 324
	tagTileByteCounts   = 325
	tagSampleFormat     = 339
	tagModelPixelScale  = 33550
	tagModelTiepoint    = 33922
	tagModelTransform   = 34264
	tagGeoKeyDirectory  = 34735
	tagGeoDoubleParams  = 34736
	tagGDALNoData       = 42113
	compressionNone     = 1
	compressionLZW      = 5
	compressionDeflate  = 8
	compressionDeflate2 = 32946 // Adobe's older code for Deflate
)

// TIFF field types and their sizes in bytes.
const (
	typeByte   = 1
	typeASCII  = 2
	typeShort  = 3
	typeLong   = 4
	typeDouble = 12
	typeLong8  = 16
)

var typeSize = map[uint16]int{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8}

// Limits against hostile files: no real GeoTIFF comes near them.
const (
	maxEntries    = 1024      // entries in the first IFD
	maxTagBytes   = 1 << 20   // the values of a tag other than the block tables
	maxDimension  = 1 << 24   // pixels along a side
	maxBlockBytes = 256 << 20 // one decoded strip or tile
	// maxRatio bounds what one compressed byte may decode to: Deflate
	// reaches about 1032, TIFF's LZW (12-bit codes for strings of up to
	// 4,096 bytes) about 2,731.
	maxRatio = 4096
)

// entry is one IFD entry: its type, count, and where its values are.
type entry struct {
	typ    uint16
	count  uint64
	inline []byte // the value field, when the values fit in it
	offset uint64 // otherwise
}

// sampleKind is how a pixel is stored.
type sampleKind struct {
	format int // 1 unsigned, 2 signed, 3 float
	bytes  int // 1, 2, 4 or 8
}

// Reader reads one band of a GeoTIFF by rows. It is not safe for
// concurrent use; it decodes the blocks of one call concurrently.
type Reader struct {
	name      string
	ra        io.ReaderAt
	size      int64
	closer    io.Closer
	bo        binary.ByteOrder
	big       bool // BigTIFF
	grid      raster.Grid
	sample    sampleKind
	compress  int
	predictor int
	tiled     bool
	blockW    int // a tile's width, or the image's width for strips
	blockH    int // a tile's height, or rows per strip
	across    int // blocks in a block row
	down      int // block rows
	offsets   []uint64
	counts    []uint64
	workers   int

	// The decoded block rows [spanFirst, spanFirst+spanN): one slot a
	// block, samples little-endian, allocated when a block has data.
	slots     [][]byte
	missing   []bool // by slot: sparse blocks, read as nodata
	spanFirst int
	spanN     int
	scratch   []*scratch
}

// Open opens a GeoTIFF file and reads its first image's directory.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("geotiff: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("geotiff: %w", err)
	}
	r, err := NewReader(path, f, st.Size())
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// NewReader reads the first image's directory of a GeoTIFF of size bytes
// in ra; name is for messages.
func NewReader(name string, ra io.ReaderAt, size int64) (*Reader, error) {
	r := &Reader{name: name, ra: ra, size: size, workers: min(2, runtime.GOMAXPROCS(0))}
	if err := r.readDirectory(); err != nil {
		return nil, fmt.Errorf("geotiff: %s: %w", name, err)
	}
	return r, nil
}

// Close closes the file Open opened.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

// Grid is the raster's size, georeferencing and nodata value.
func (r *Reader) Grid() raster.Grid { return r.grid }

// BlockSize is the size of the file's strips or tiles: reading bands of
// rows that are multiples of its height decodes each block once.
func (r *Reader) BlockSize() (width, height int) { return r.blockW, r.blockH }

// SetWorkers sets how many blocks are decoded at once (at least 1; the
// default is 2, the cores of the project's machines).
func (r *Reader) SetWorkers(n int) { r.workers = max(1, n) }

func (r *Reader) readAt(b []byte, off uint64) error {
	if off > uint64(r.size) || uint64(len(b)) > uint64(r.size)-off {
		return fmt.Errorf("%d bytes at offset %d are past the end of the file (%d bytes)", len(b), off, r.size)
	}
	_, err := r.ra.ReadAt(b, int64(off))
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return err
}

func (r *Reader) readDirectory() error {
	var h [16]byte
	if err := r.readAt(h[:8], 0); err != nil {
		return fmt.Errorf("not a TIFF file: %w", err)
	}
	switch string(h[:2]) {
	case "II":
		r.bo = binary.LittleEndian
	case "MM":
		r.bo = binary.BigEndian
	default:
		return errors.New("not a TIFF file: no II or MM byte order mark")
	}
	var ifd uint64
	switch r.bo.Uint16(h[2:]) {
	case 42:
		ifd = uint64(r.bo.Uint32(h[4:]))
	case 43:
		r.big = true
		if err := r.readAt(h[:16], 0); err != nil {
			return fmt.Errorf("BigTIFF header: %w", err)
		}
		if r.bo.Uint16(h[4:]) != 8 || r.bo.Uint16(h[6:]) != 0 {
			return errors.New("BigTIFF header: offsets are not 8 bytes")
		}
		ifd = r.bo.Uint64(h[8:])
	default:
		return fmt.Errorf("not a TIFF file: version %d, want 42 (TIFF) or 43 (BigTIFF)", r.bo.Uint16(h[2:]))
	}
	entries, err := r.readIFD(ifd)
	if err != nil {
		return err
	}
	return r.parse(entries)
}

// readIFD reads the entries of the directory at off.
func (r *Reader) readIFD(off uint64) (map[uint16]entry, error) {
	if off < 8 {
		return nil, fmt.Errorf("first directory at offset %d", off)
	}
	countSize, entrySize, valueSize := 2, 12, 4
	if r.big {
		countSize, entrySize, valueSize = 8, 20, 8
	}
	var cb [8]byte
	if err := r.readAt(cb[:countSize], off); err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	var n uint64
	if r.big {
		n = r.bo.Uint64(cb[:])
	} else {
		n = uint64(r.bo.Uint16(cb[:]))
	}
	if n == 0 || n > maxEntries {
		return nil, fmt.Errorf("directory has %d entries, want 1 to %d", n, maxEntries)
	}
	b := make([]byte, int(n)*entrySize)
	if err := r.readAt(b, off+uint64(countSize)); err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	entries := make(map[uint16]entry, n)
	for i := 0; i < int(n); i++ {
		e := b[i*entrySize : (i+1)*entrySize]
		tag, typ := r.bo.Uint16(e), r.bo.Uint16(e[2:])
		var count uint64
		if r.big {
			count = r.bo.Uint64(e[4:])
		} else {
			count = uint64(r.bo.Uint32(e[4:]))
		}
		size, ok := typeSize[typ]
		if !ok {
			continue // unknown types are skipped, as the specification says
		}
		v := entry{typ: typ, count: count}
		field := e[entrySize-valueSize:]
		if count <= uint64(valueSize/size) {
			v.inline = field
		} else if r.big {
			v.offset = r.bo.Uint64(field)
		} else {
			v.offset = uint64(r.bo.Uint32(field))
		}
		entries[tag] = v
	}
	return entries, nil
}

// values reads an entry's raw bytes, at most limit of them.
func (r *Reader) values(tag uint16, e entry, limit uint64) ([]byte, error) {
	size := uint64(typeSize[e.typ])
	if e.count > limit/size {
		return nil, fmt.Errorf("tag %d has %d values, more than the file can need", tag, e.count)
	}
	if e.inline != nil {
		return e.inline[:e.count*size], nil
	}
	b := make([]byte, e.count*size)
	if err := r.readAt(b, e.offset); err != nil {
		return nil, fmt.Errorf("tag %d: %w", tag, err)
	}
	return b, nil
}

// uints reads an entry of unsigned integers (BYTE, SHORT, LONG, LONG8).
func (r *Reader) uints(tag uint16, e entry, limit uint64) ([]uint64, error) {
	b, err := r.values(tag, e, limit)
	if err != nil {
		return nil, err
	}
	out := make([]uint64, e.count)
	for i := range out {
		switch e.typ {
		case typeByte:
			out[i] = uint64(b[i])
		case typeShort:
			out[i] = uint64(r.bo.Uint16(b[2*i:]))
		case typeLong, 13:
			out[i] = uint64(r.bo.Uint32(b[4*i:]))
		case typeLong8, 18:
			out[i] = r.bo.Uint64(b[8*i:])
		default:
			return nil, fmt.Errorf("tag %d has type %d, want an unsigned integer", tag, e.typ)
		}
	}
	return out, nil
}

// uint reads a tag of one unsigned integer, or def when it is absent.
func (r *Reader) uint(entries map[uint16]entry, tag uint16, def uint64) (uint64, error) {
	e, ok := entries[tag]
	if !ok {
		return def, nil
	}
	if e.count < 1 {
		return 0, fmt.Errorf("tag %d has no value", tag)
	}
	e.count = 1 // BitsPerSample and SampleFormat repeat per sample; one is read
	v, err := r.uints(tag, e, 8)
	if err != nil {
		return 0, err
	}
	return v[0], nil
}

// doubles reads an entry of DOUBLEs.
func (r *Reader) doubles(tag uint16, e entry) ([]float64, error) {
	if e.typ != typeDouble {
		return nil, fmt.Errorf("tag %d has type %d, want DOUBLE", tag, e.typ)
	}
	b, err := r.values(tag, e, maxTagBytes)
	if err != nil {
		return nil, err
	}
	out := make([]float64, e.count)
	for i := range out {
		out[i] = math.Float64frombits(r.bo.Uint64(b[8*i:]))
	}
	return out, nil
}

// parse checks the image's layout against what this package reads.
func (r *Reader) parse(entries map[uint16]entry) error {
	for _, tag := range []uint16{tagImageWidth, tagImageLength, tagSamplesPerPixel, tagPlanarConfig, tagBitsPerSample,
		tagSampleFormat, tagCompression, tagPredictor, tagRowsPerStrip, tagTileWidth, tagTileLength} {
		if _, err := r.uint(entries, tag, 0); err != nil {
			return err
		}
	}
	get := func(tag uint16, def uint64) uint64 {
		v, _ := r.uint(entries, tag, def) // read above without error
		return v
	}
	w, h := get(tagImageWidth, 0), get(tagImageLength, 0)
	if w < 1 || h < 1 || w > maxDimension || h > maxDimension {
		return fmt.Errorf("image is %d×%d pixels, want 1 to %d a side", w, h, maxDimension)
	}
	if spp := get(tagSamplesPerPixel, 1); spp != 1 {
		return fmt.Errorf("%d samples per pixel: only single-band rasters are read (one sample per pixel)", spp)
	}
	if pc := get(tagPlanarConfig, 1); pc != 1 && pc != 2 {
		return fmt.Errorf("planar configuration %d, want 1", pc)
	}
	bits, format := get(tagBitsPerSample, 1), get(tagSampleFormat, 1)
	switch {
	case format == 1 || format == 2:
		if bits != 8 && bits != 16 && bits != 32 && bits != 64 {
			return fmt.Errorf("%d-bit integer samples, want 8, 16, 32 or 64", bits)
		}
	case format == 3:
		if bits != 32 && bits != 64 {
			return fmt.Errorf("%d-bit floating-point samples, want 32 or 64", bits)
		}
	default:
		return fmt.Errorf("sample format %d, want 1 (unsigned), 2 (signed) or 3 (float)", format)
	}
	r.sample = sampleKind{format: int(format), bytes: int(bits / 8)}
	r.compress = int(get(tagCompression, compressionNone))
	switch r.compress {
	case compressionNone, compressionLZW, compressionDeflate, compressionDeflate2:
	default:
		return fmt.Errorf("compression %d, want 1 (none), 5 (LZW), 8 or 32946 (Deflate)", r.compress)
	}
	r.predictor = int(get(tagPredictor, 1))
	switch {
	case r.predictor == 1, r.predictor == 2:
	case r.predictor == 3 && format == 3:
	default:
		return fmt.Errorf("predictor %d for sample format %d, want 1, 2 or 3 (floating point only)", r.predictor, format)
	}

	offTag, countTag := uint16(tagStripOffsets), uint16(tagStripByteCounts)
	if _, ok := entries[tagTileWidth]; ok {
		r.tiled = true
		offTag, countTag = tagTileOffsets, tagTileByteCounts
		tw, th := get(tagTileWidth, 0), get(tagTileLength, 0)
		if tw < 1 || th < 1 || tw > maxDimension || th > maxDimension {
			return fmt.Errorf("tiles of %d×%d pixels", tw, th)
		}
		r.blockW, r.blockH = int(tw), int(th)
	} else {
		rps := get(tagRowsPerStrip, h)
		if rps < 1 {
			return errors.New("0 rows per strip")
		}
		r.blockW, r.blockH = int(w), int(min(rps, h))
	}
	if uint64(r.blockW)*uint64(r.blockH)*uint64(r.sample.bytes) > maxBlockBytes {
		return fmt.Errorf("blocks of %d×%d pixels exceed %d MiB decoded", r.blockW, r.blockH, maxBlockBytes>>20)
	}
	r.across = (int(w) + r.blockW - 1) / r.blockW
	r.down = (int(h) + r.blockH - 1) / r.blockH
	blocks := uint64(r.across) * uint64(r.down)
	var err error
	for _, t := range []struct {
		tag uint16
		dst *[]uint64
	}{{offTag, &r.offsets}, {countTag, &r.counts}} {
		e, ok := entries[t.tag]
		if !ok {
			return fmt.Errorf("tag %d (block offsets or byte counts) is missing", t.tag)
		}
		if e.count != blocks {
			return fmt.Errorf("tag %d has %d values for %d blocks", t.tag, e.count, blocks)
		}
		if *t.dst, err = r.uints(t.tag, e, uint64(r.size)); err != nil {
			return err
		}
	}

	r.grid = raster.Grid{Name: r.name, Width: int(w), Height: int(h), Transform: [6]float64{0, 1, 0, 0, 0, 1}}
	if err := r.checkBlocks(); err != nil {
		return err
	}
	return r.parseGeo(entries)
}
