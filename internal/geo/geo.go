// Package geo is the little geometry the registry needs on WGS84
// longitude/latitude: great-circle distance and the bounding box of a
// circle. PostGIS answers the same questions on PostgreSQL; these answer
// them on SQLite, with the same sphere, so that both stores agree.
package geo

import "math"

// EarthRadius is the mean radius in metres of the sphere PostGIS uses for
// geography calculations with use_spheroid = false.
const EarthRadius = 6371008.7714

func rad(d float64) float64 { return d * math.Pi / 180 }

// Distance is the great-circle distance in metres between two points
// given as longitude and latitude in degrees (haversine).
func Distance(lon1, lat1, lon2, lat2 float64) float64 {
	dLat, dLon := rad(lat2-lat1), rad(lon2-lon1)
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(rad(lat1))*math.Cos(rad(lat2))*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * EarthRadius * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Box is a longitude/latitude rectangle in degrees.
type Box struct{ MinLon, MinLat, MaxLon, MaxLat float64 }

// Around returns a box that holds every point within r metres of (lon, lat),
// for an index to narrow the search before Distance decides. It is not
// tight; near the poles it spans all longitudes.
func Around(lon, lat, r float64) Box {
	dLat := r / EarthRadius * 180 / math.Pi
	b := Box{MinLon: -180, MaxLon: 180, MinLat: math.Max(-90, lat-dLat), MaxLat: math.Min(90, lat+dLat)}
	if c := math.Cos(rad(math.Max(math.Abs(b.MinLat), math.Abs(b.MaxLat)))); c > 1e-9 {
		dLon := dLat / c
		if dLon < 180 {
			b.MinLon, b.MaxLon = lon-dLon, lon+dLon
		}
	}
	return b
}
