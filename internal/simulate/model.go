package simulate

import (
	"math"
	"strings"
	"time"

	"ecoindustry/internal/cst"
)

// The values a logger reports are a pure function of the logger, the
// pollutant and the second: noise and fault episodes come from a hash, not
// from state. So real-time values and the minute, hour and day aggregates
// agree, and a logger can answer a back-fill request for any past period.

// reading is one pollutant's value at one second.
type reading struct {
	v    float64 // as measured
	zs   float64 // converted to the reference O2 (flue gas with RefO2 only)
	flag string  // data flag, HJ 212-2017 Table 8
}

// shift is when an industry produces, as the load on its outlet: 1 in full
// production, idle outside it.
type shift struct {
	continuous bool    // runs day and night, a little lower at night
	idle       float64 // load outside production hours (treatment, boilers on standby)
}

// shiftOf gives continuous processes (GB/T 4754-2017: textiles 17, chemicals
// 26, pharmaceuticals 27, synthetic leather 2925, ferrous metals 31) a
// shallow night dip, and the rest a day shift with nights and Sundays idle.
func shiftOf(industry string) shift {
	for _, p := range []string{"17", "26", "27", "2925", "31"} {
		if strings.HasPrefix(industry, p) {
			return shift{continuous: true, idle: 0.85}
		}
	}
	return shift{idle: 0.2}
}

// load is the production load at t (Unix seconds), between idle and 1.
func (sh shift) load(t int64) float64 {
	h := float64((t+cst.Offset)%86400) / 3600
	if sh.continuous {
		// Lowest at 02:00, highest at 14:00.
		return sh.idle + (1-sh.idle)*(0.5-0.5*math.Cos((h-2)/24*2*math.Pi))
	}
	// Day 0 of Unix time, 1970-01-01, was a Thursday: days ≡ 3 (mod 7) are Sundays.
	if (t+cst.Offset)/86400%7 == 3 {
		return sh.idle
	}
	on := ramp(h, 7, 8) * (1 - ramp(h, 18, 19)) // day shift 08:00–18:00
	if h >= 12 && h < 13 {
		on *= 0.7 // lunch
	}
	return sh.idle + (1-sh.idle)*on
}

// ramp rises from 0 at a to 1 at b.
func ramp(x, a, b float64) float64 { return min(max((x-a)/(b-a), 0), 1) }

// mix is the SplitMix64 finaliser: a cheap, well-spread hash.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// Streams of random numbers, so that noise and each fault draw independently.
const (
	streamWhite = iota + 1
	streamSlow
	streamPick
	streamLevel
	streamEpisode // + the episode kind
)

// u returns a number in [0, 1) fixed by the logger, a stream and two integers.
func (s *sim) u(stream, a uint64, b int64) float64 {
	return float64(mix(s.id^mix(stream<<56^a)^mix(uint64(b)))>>11) / (1 << 53)
}

// white is second-to-second noise in [-1, 1).
func (s *sim) white(i int, t int64) float64 { return 2*s.u(streamWhite, uint64(i), t) - 1 }

// slow is a smooth wander in [-1, 1): random values every 20 minutes,
// joined by cosine interpolation.
func (s *sim) slow(i int, t int64) float64 {
	const knot = 20 * 60
	k := floorDiv(t, knot)
	a, b := s.u(streamSlow, uint64(i), k), s.u(streamSlow, uint64(i), k+1)
	w := 0.5 - 0.5*math.Cos(float64(t-k*knot)/knot*math.Pi)
	return 2*(a+(b-a)*w) - 1
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// level is pollutant i's normal value at t under the given load.
func (s *sim) level(i int, t int64, load float64) float64 {
	p := s.Pollutants[i]
	slow, white := s.slow(i, t), s.white(i, t)
	switch p.Code {
	case "a00000", "w00000": // flows follow production
		return p.Typical * load * (1 + 0.1*slow) * (1 + 0.03*white)
	case "a19001": // O2: more excess air when the burner runs low
		return min(p.Typical+3*(1-load)+0.5*slow+0.2*white, 20.5)
	case "w01001": // pH is buffered and does not follow production
		return p.Typical + 0.4*slow + 0.1*white
	}
	v := max(p.Typical*(0.5+0.5*load)*(1+0.2*slow)*(1+0.05*white), 0)
	if p.Limit > 0 {
		// Typical levels sit well below the limit; this only trims a rare peak.
		v = min(v, 0.95*p.Limit)
	}
	return v
}

// Fault episodes: each slot of the simulated clock (aligned on local
// midnight) holds, with some chance, one episode of the given length at a
// random offset.
const (
	epExceed = iota
	epFlatline
	epGap
	epCalibration // daily zero check of the analysers: flag C
	epMaintenance // flag M
)

var episodes = [...]struct {
	slot, length int64 // seconds
	chance       float64
}{
	epExceed:      {3600, 20 * 60, 1.0 / 6},
	epFlatline:    {6 * 3600, 90 * 60, 1.0 / 4},
	epGap:         {86400, 2 * 3600, 1.0 / 3},
	epCalibration: {86400, 15 * 60, 1},
	epMaintenance: {86400, 2 * 3600, 1.0 / 7},
}

// episode reports whether an episode of kind k is on at t, when it started,
// and its slot (to draw more numbers for it).
func (s *sim) episode(k int, t int64) (start, slot int64, on bool) {
	e := episodes[k]
	slot = floorDiv(t+cst.Offset, e.slot)
	if s.u(streamEpisode+uint64(k), 0, slot) >= e.chance {
		return 0, slot, false
	}
	start = slot*e.slot - cst.Offset + int64(s.u(streamEpisode+uint64(k), 1, slot)*float64(e.slot-e.length))
	return start, slot, t >= start && t < start+e.length
}

// silent reports whether the logger is in a gap at t.
func (s *sim) silent(t int64) bool {
	if a := s.Act; a != nil && a.Silent[1] > 0 {
		from := s.start + int64(a.Silent[0]/time.Second)
		if t >= from && t < from+int64(a.Silent[1]/time.Second) {
			return true
		}
	}
	if s.faults&gap == 0 {
		return false
	}
	_, _, on := s.episode(epGap, t)
	return on
}

// readAt returns every pollutant's reading at t, in a slice reused by the next call.
func (s *sim) readAt(t int64) []reading {
	load := s.shift.load(t)
	r := s.readings
	for i := range r {
		r[i] = reading{v: s.level(i, t, load), flag: "N"}
	}
	if s.faults&flatline != 0 {
		if start, slot, on := s.episode(epFlatline, t); on {
			i := int(s.u(streamPick, epFlatline, slot) * float64(len(r)))
			r[i].v = s.level(i, start, s.shift.load(start))
		}
	}
	if s.faults&exceed != 0 && len(s.limited) > 0 {
		if _, slot, on := s.episode(epExceed, t); on {
			i := s.limited[int(s.u(streamPick, epExceed, slot)*float64(len(s.limited)))]
			r[i].v = s.Pollutants[i].Limit * (1.1 + 0.6*s.u(streamLevel, epExceed, slot)) * (1 + 0.03*s.white(i, t))
		}
	}
	if s.faults&calibration != 0 {
		if _, _, on := s.episode(epCalibration, t); on {
			for i := range r {
				if i != s.flow {
					r[i] = reading{v: calibrationValue(s.Pollutants[i]), flag: "C"}
				}
			}
		} else if _, _, on := s.episode(epMaintenance, t); on {
			for i := range r {
				r[i].flag = "M"
			}
		}
	}
	act := s.Act
	if act != nil && act.Exceed && len(s.limited) > 0 {
		i := s.limited[0]
		r[i].v = 1.6 * s.Pollutants[i].Limit * (1 + 0.03*s.white(i, t))
	}
	if act != nil && act.Flag != "" {
		for i := range r {
			r[i].flag = act.Flag
		}
	}
	if s.o2 >= 0 && s.RefO2 > 0 {
		// The levels above are the converted values the limit applies to;
		// the measured ones follow from HJ 212-2017 App. D.2,
		// C_zs = C × (21 − O2_ref) / (21 − O2).
		k := (21 - r[s.o2].v) / (21 - s.RefO2)
		for i := range r {
			if s.zs[i] {
				r[i].zs, r[i].v = r[i].v, r[i].v*k
			}
		}
	}
	if act != nil && act.Stuck && len(s.limited) > 0 {
		// The analyser's reading is frozen; the converted value follows O2.
		i := s.limited[0]
		r[i].v = round(s.Pollutants[i].Typical)
		if s.zs[i] {
			r[i].zs = r[i].v * (21 - s.RefO2) / (21 - r[s.o2].v)
		}
	}
	return r
}

// calibrationValue is what an analyser reads during its check: the standard
// it is checked against.
func calibrationValue(p Pollutant) float64 {
	switch p.Code {
	case "a19001":
		return 20.9 // instrument air
	case "w01001":
		return 6.86 // the phosphate pH buffer
	}
	return 0.02 * p.Typical // zero gas or zero water
}

// agg accumulates one pollutant's readings over a period.
type agg struct {
	n, bad           int
	min, max, sum    float64
	zmin, zmax, zsum float64
	mass             float64 // Σ value × volume
	flag             string  // the first abnormal flag
}

// aggregate fills s.aggs with the period [t0, t1) sampled every step
// seconds, and returns the volume discharged (m³; 0 without a flow meter).
func (s *sim) aggregate(t0, t1, step int64) (volume float64) {
	for i := range s.aggs {
		s.aggs[i] = agg{min: math.Inf(1), max: math.Inf(-1), zmin: math.Inf(1), zmax: math.Inf(-1), flag: "N"}
	}
	for t := t0; t < t1; t += step {
		r := s.readAt(t)
		dv := 0.0
		if s.flow >= 0 {
			dv = r[s.flow].v * float64(step)
			if s.Kind == "water" {
				dv /= 1000 // L/s
			}
		}
		volume += dv
		for i, x := range r {
			a := &s.aggs[i]
			a.n++
			a.sum += x.v
			a.min, a.max = min(a.min, x.v), max(a.max, x.v)
			a.zsum += x.zs
			a.zmin, a.zmax = min(a.zmin, x.zs), max(a.zmax, x.zs)
			a.mass += x.v * dv
			if x.flag != "N" {
				if a.bad == 0 {
					a.flag = x.flag
				}
				a.bad++
			}
		}
	}
	return volume
}

// flag is an aggregate's data flag (notes to HJ 212-2017 Tables C.16–C.18):
// for wastewater one abnormal value makes it abnormal; for flue gas it is N
// when at least 75 % of the values are normal, otherwise D.
func (a *agg) aggFlag(kind string) string {
	switch {
	case kind == "water":
		return a.flag
	case a.bad*4 > a.n:
		return "D"
	}
	return "N"
}
