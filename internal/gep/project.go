package gep

import (
	"fmt"
	"math"
)

// transverseMercator projects longitude and latitude (degrees) to a
// transverse Mercator grid by Krüger's series to the fourth order in n
// (Karney 2011, eq. 35–36): well under a millimetre within the few degrees
// of a zone.
type transverseMercator struct {
	a, f, k0, lon0, e0, n0 float64
}

// projectionOf returns the projection of the EPSG codes the watersheds can
// be brought to from longitude and latitude: UTM on WGS 84 (326xx north,
// 327xx south) and CGCS2000 3-degree Gauss-Krüger (4513–4533 with the zone
// before the easting, 4534–4554 without), what Lishui's rasters come in.
func projectionOf(epsg int) (transverseMercator, error) {
	const wgs84, cgcs2000 = 1 / 298.257223563, 1 / 298.257222101
	switch {
	case epsg >= 32601 && epsg <= 32660:
		return transverseMercator{6378137, wgs84, 0.9996, float64(6*(epsg-32600) - 183), 500000, 0}, nil
	case epsg >= 32701 && epsg <= 32760:
		return transverseMercator{6378137, wgs84, 0.9996, float64(6*(epsg-32700) - 183), 500000, 10000000}, nil
	case epsg >= 4513 && epsg <= 4533:
		zone := 25 + epsg - 4513
		return transverseMercator{6378137, cgcs2000, 1, float64(3 * zone), float64(zone)*1e6 + 500000, 0}, nil
	case epsg >= 4534 && epsg <= 4554:
		return transverseMercator{6378137, cgcs2000, 1, float64(75 + 3*(epsg-4534)), 500000, 0}, nil
	}
	return transverseMercator{}, fmt.Errorf("projecting longitude and latitude to EPSG:%d is not supported (UTM 326xx/327xx and CGCS2000 3-degree Gauss-Krüger 4513–4554 are)", epsg)
}

// project returns the easting and northing of (lon, lat) in degrees.
func (p transverseMercator) project(lon, lat float64) (x, y float64) {
	n := p.f / (2 - p.f)
	n2, n3, n4 := n*n, n*n*n, n*n*n*n
	A := p.a / (1 + n) * (1 + n2/4 + n4/64)
	alpha := [4]float64{
		n/2 - 2*n2/3 + 5*n3/16 + 41*n4/180,
		13*n2/48 - 3*n3/5 + 557*n4/1440,
		61*n3/240 - 103*n4/140,
		49561 * n4 / 161280,
	}
	phi, dl := lat*math.Pi/180, (lon-p.lon0)*math.Pi/180
	c := 2 * math.Sqrt(n) / (1 + n)
	t := math.Sinh(math.Atanh(math.Sin(phi)) - c*math.Atanh(c*math.Sin(phi)))
	xi0 := math.Atan2(t, math.Cos(dl))
	eta0 := math.Atanh(math.Sin(dl) / math.Sqrt(1+t*t))
	xi, eta := xi0, eta0
	for j, a := range alpha {
		k := 2 * float64(j+1)
		xi += a * math.Sin(k*xi0) * math.Cosh(k*eta0)
		eta += a * math.Cos(k*xi0) * math.Sinh(k*eta0)
	}
	return p.e0 + p.k0*A*eta, p.n0 + p.k0*A*xi
}

// Projector returns the projection of longitude and latitude (degrees) to
// the grid of EPSG code epsg, one of those projectionOf knows: what the
// synthetic inputs (internal/gep/synth) and the scenarios' parcels use.
func Projector(epsg int) (func(lon, lat float64) (x, y float64), error) {
	tm, err := projectionOf(epsg)
	if err != nil {
		return nil, fmt.Errorf("gep: %w", err)
	}
	return tm.project, nil
}
