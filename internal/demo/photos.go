package demo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"sync"

	"ecoindustry/internal/compliance"
)

// photo is a case's synthetic site photo, attached to every step that
// needs evidence: one per case, since each stored attachment costs a
// commit of its own. Its pixels encode the campaign and the case, so that
// every case's photo is its own attachment.
type photo struct {
	campaign string // its key
	serial   int
}

// photo returns the case's photo, and notes that its steps need it.
func (t *timeline) photo() photo {
	p := photo{campaign: t.cr.def.key, serial: t.k.serial}
	t.k.photo = true
	return p
}

func (p photo) name() string { return fmt.Sprintf("%s-%04d-现场照片.png", p.campaign, p.serial) }

// palette: the code's ink and plate, and a sky and a ground for each of
// eight tints.
var palette = func() color.Palette {
	pl := color.Palette{color.RGBA{0x20, 0x20, 0x20, 0xff}, color.RGBA{0xf0, 0xf0, 0xe8, 0xff}}
	for s := range 8 {
		pl = append(pl, color.RGBA{uint8(0x70 + 0x12*s), 0xa8, uint8(0xe0 - 0x10*s), 0xff}, color.RGBA{0x8a, uint8(0x70 + 0x0c*s), 0x50, 0xff})
	}
	return pl
}()

// png draws the photo, 64×48: sky over ground, tinted by the case, and 32
// bits (campaign, case serial) as 6-pixel squares on a light plate, each
// set bit dark.
func (p photo) png() []byte {
	img := image.NewPaletted(image.Rect(0, 0, 64, 48), palette)
	tint := p.serial % 8
	sky, ground := uint8(2+2*tint), uint8(3+2*tint)
	for y := range 48 {
		for x := range 64 {
			img.SetColorIndex(x, y, sky)
			if y >= 30+(x/8)%3 {
				img.SetColorIndex(x, y, ground)
			}
		}
	}
	code := uint32(p.campaign[0])<<24 | uint32(p.serial&0xffffff)
	for bit := range 32 {
		x0, y0 := 4+(bit%8)*7, 6+(bit/8)*7
		ink := uint8(1)
		if code>>(31-bit)&1 == 1 {
			ink = 0
		}
		for y := y0; y < y0+6; y++ {
			for x := x0; x < x0+6; x++ {
				img.SetColorIndex(x, y, ink)
			}
		}
	}
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, img); err != nil {
		panic("demo: encode photo: " + err.Error()) // a paletted image in memory: cannot fail
	}
	return b.Bytes()
}

// storePhotos stores the photos that the unfinished cases of a campaign
// need, eight at a time: each is a file synced and a row committed, and
// the syncs overlap.
func (r *replay) storePhotos(cr *campaignRun) error {
	var todo []photo
	for _, k := range cr.cases {
		if p := (photo{cr.def.key, k.serial}); k.photo && k.done() < len(k.acts) {
			todo = append(todo, p)
		}
	}
	ids, errs := make([]string, len(todo)), make([]error, len(todo))
	var wg sync.WaitGroup
	const workers = 8
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(todo); i += workers {
				var a compliance.Attachment
				a, errs[i] = r.svc.PutAttachment(r.ctx, actor, todo[i].name(), "image/png", bytes.NewReader(todo[i].png()))
				ids[i] = a.ID
			}
		})
	}
	wg.Wait()
	for i, p := range todo {
		if errs[i] != nil {
			return fmt.Errorf("demo: store photo %s: %w", p.name(), errs[i])
		}
		r.photos[p] = ids[i]
	}
	r.stored += len(todo)
	return nil
}

// ids are the attachment ids of photos.
func (r *replay) ids(ps ...photo) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if id := r.photos[p]; id != "" {
			out = append(out, id)
		}
	}
	return out
}
