package geotiff

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// GeoKeys read and written (GeoTIFF 1.0/1.1).
const (
	keyModelType      = 1024 // GTModelTypeGeoKey: 1 projected, 2 geographic
	keyRasterType     = 1025 // GTRasterTypeGeoKey: 1 PixelIsArea, 2 PixelIsPoint
	keyGeographicType = 2048 // GeographicTypeGeoKey
	keyProjectedType  = 3072 // ProjectedCSTypeGeoKey
	userDefined       = 32767
	rasterPixelIsArea = 1
	rasterPixelPoint  = 2
	modelProjected    = 1
	modelGeographic   = 2
)

// parseGeo reads the geotransform, the EPSG code and GDAL's nodata value.
func (r *Reader) parseGeo(entries map[uint16]entry) error {
	g := &r.grid
	keys := map[uint64]uint64{}
	if e, ok := entries[tagGeoKeyDirectory]; ok {
		d, err := r.uints(tagGeoKeyDirectory, e, maxTagBytes)
		if err != nil {
			return err
		}
		if len(d) < 4 || uint64(len(d)) < 4+4*d[3] {
			return fmt.Errorf("GeoKeyDirectory of %d values is shorter than its %d keys", len(d), safeIndex(d, 3))
		}
		for i := uint64(0); i < d[3]; i++ {
			k := d[4+4*i : 8+4*i]
			if k[1] == 0 && k[2] == 1 { // a SHORT value held in the directory
				keys[k[0]] = k[3]
			}
		}
	}
	if code, ok := keys[keyProjectedType]; ok && code != userDefined && code != 0 {
		g.EPSG = int(code)
	} else if code, ok := keys[keyGeographicType]; ok && code != userDefined && code != 0 {
		g.EPSG, g.Geographic = int(code), true
	}
	if keys[keyModelType] == modelGeographic {
		g.Geographic = true
	}

	if e, ok := entries[tagModelTransform]; ok {
		m, err := r.doubles(tagModelTransform, e)
		if err != nil {
			return err
		}
		if len(m) != 16 {
			return fmt.Errorf("ModelTransformation has %d values, want 16", len(m))
		}
		g.Transform = [6]float64{m[3], m[0], m[1], m[7], m[4], m[5]}
	} else if e, ok := entries[tagModelPixelScale]; ok {
		s, err := r.doubles(tagModelPixelScale, e)
		if err != nil {
			return err
		}
		te, ok := entries[tagModelTiepoint]
		if !ok {
			return errors.New("ModelPixelScale without ModelTiepoint")
		}
		tp, err := r.doubles(tagModelTiepoint, te)
		if err != nil {
			return err
		}
		if len(s) < 2 || len(tp) < 6 {
			return fmt.Errorf("ModelPixelScale of %d values or ModelTiepoint of %d, want 3 and 6", len(s), len(tp))
		}
		g.Transform = [6]float64{tp[3] - tp[0]*s[0], s[0], 0, tp[4] + tp[1]*s[1], 0, -s[1]}
	} else if _, ok := entries[tagModelTiepoint]; ok {
		return errors.New("ModelTiepoint without ModelPixelScale (ground control points) is not read")
	}
	if keys[keyRasterType] == rasterPixelPoint {
		// The tiepoint is a pixel's centre: GDAL moves the origin to its corner.
		t := &g.Transform
		t[0] -= 0.5*t[1] + 0.5*t[2]
		t[3] -= 0.5*t[4] + 0.5*t[5]
	}
	for _, v := range g.Transform {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("geotransform %v is not finite", g.Transform)
		}
	}

	if e, ok := entries[tagGDALNoData]; ok {
		if e.typ != typeASCII {
			return fmt.Errorf("GDAL_NODATA has type %d, want ASCII", e.typ)
		}
		b, err := r.values(tagGDALNoData, e, 256)
		if err != nil {
			return err
		}
		s := strings.TrimSpace(strings.TrimRight(string(b), "\x00"))
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("GDAL_NODATA %q is not a number", s)
		}
		g.NoData, g.HasNoData = v, true
	}
	return nil
}

func safeIndex(d []uint64, i int) uint64 {
	if i < len(d) {
		return d[i]
	}
	return 0
}

// geoKeys is the GeoKeyDirectory the writer stores: model type, PixelIsArea
// and the EPSG code, which GDAL resolves from its own database.
func geoKeys(epsg int, geographic bool) []uint16 {
	model, key := uint16(modelProjected), uint16(keyProjectedType)
	if geographic {
		model, key = modelGeographic, keyGeographicType
	}
	keys := [][4]uint16{{keyModelType, 0, 1, model}, {keyRasterType, 0, 1, rasterPixelIsArea}}
	if epsg > 0 && epsg < userDefined {
		keys = append(keys, [4]uint16{key, 0, 1, uint16(epsg)})
	}
	d := []uint16{1, 1, 0, uint16(len(keys))}
	for _, k := range keys {
		d = append(d, k[:]...)
	}
	return d
}
