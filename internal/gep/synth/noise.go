package synth

import "math"

// hash is a pseudo-random number in [0, 1) for a lattice point of an
// octave, from the seed: splitmix64's finaliser, so that every pixel's
// value depends on its place only, not on the order of computation.
func hash(seed uint64, ix, iy int64, octave uint64) float64 {
	h := seed*0x9E3779B97F4A7C15 ^ uint64(ix)*0xC2B2AE3D27D4EB4F ^ uint64(iy)*0x165667B19E3779F9 ^ octave*0xD6E8FEB86659FD93
	h ^= h >> 30
	h *= 0xBF58476D1CE4E5B9
	h ^= h >> 27
	h *= 0x94D049BB133111EB
	h ^= h >> 31
	return float64(h>>11) / (1 << 53)
}

// valueNoise is smooth noise in [-1, 1] at lattice coordinates (x, y).
func valueNoise(seed uint64, x, y float64, octave uint64) float64 {
	fx, fy := math.Floor(x), math.Floor(y)
	ix, iy := int64(fx), int64(fy)
	tx, ty := x-fx, y-fy
	tx, ty = tx*tx*(3-2*tx), ty*ty*(3-2*ty)
	a := hash(seed, ix, iy, octave)
	b := hash(seed, ix+1, iy, octave)
	c := hash(seed, ix, iy+1, octave)
	d := hash(seed, ix+1, iy+1, octave)
	top, bottom := a+(b-a)*tx, c+(d-c)*tx
	return 2*(top+(bottom-top)*ty) - 1
}

// fbm is fractal noise (fractional Brownian motion) at map coordinates
// (x, y) in metres: octaves of value noise from wavelength metres down,
// each half the wavelength and gain times the amplitude of the one
// before, about -1 to 1. field tells independent fields apart.
func fbm(seed uint64, x, y, wavelength float64, octaves int, gain float64, field uint64) float64 {
	sum, amp, norm := 0.0, 1.0, 0.0
	for o := range octaves {
		sum += amp * valueNoise(seed, x/wavelength, y/wavelength, field<<8|uint64(o))
		norm += amp
		amp *= gain
		wavelength /= 2
	}
	return sum / norm
}

// ridged is ridged fractal noise in [0, 1]: sharp crests where the noise
// crosses zero, as mountain ridges.
func ridged(seed uint64, x, y, wavelength float64, octaves int, gain float64, field uint64) float64 {
	sum, amp, norm := 0.0, 1.0, 0.0
	for o := range octaves {
		r := 1 - math.Abs(valueNoise(seed, x/wavelength, y/wavelength, field<<8|uint64(o)))
		sum += amp * r * r
		norm += amp
		amp *= gain
		wavelength /= 2
	}
	return sum / norm
}
