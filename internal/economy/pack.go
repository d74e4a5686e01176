package economy

import (
	"bytes"
	"compress/gzip"
	"encoding/gob"
)

// A run keeps its inputs and outcome as columns, gob-encoded and gzipped:
// gob writes a slice of numbers in one tight loop, where a slice of
// structs (or JSON) costs a reflection step or a formatting per field,
// and a 100,000-enterprise run must be kept well within a second
// (docs/benchmarks.md: JSON took 0.9 s, gob of structs 0.45 s).

type inputColumns struct {
	USCC, Name, Industry, Size, Source, Parcel, Items, Founded       []string
	Year, Employees                                                  []int
	Tax, ValueAdded, Revenue, EnergyTce, Kwh, EmissionsT, RD, LandMu []float64
}

func packInputs(ins []Input) ([]byte, error) {
	n := len(ins)
	c := inputColumns{USCC: make([]string, 0, n), Name: make([]string, 0, n), Industry: make([]string, 0, n), Size: make([]string, 0, n),
		Source: make([]string, 0, n), Year: make([]int, 0, n), Employees: make([]int, 0, n), Tax: make([]float64, 0, n),
		ValueAdded: make([]float64, 0, n), Revenue: make([]float64, 0, n), EnergyTce: make([]float64, 0, n), Kwh: make([]float64, 0, n),
		EmissionsT: make([]float64, 0, n), RD: make([]float64, 0, n), LandMu: make([]float64, 0, n)}
	for _, in := range ins {
		c.USCC, c.Name, c.Industry, c.Size, c.Source = append(c.USCC, in.USCC), append(c.Name, in.Name), append(c.Industry, in.Industry), append(c.Size, in.Size), append(c.Source, in.Source)
		c.Parcel, c.Items, c.Founded = append(c.Parcel, in.Parcel), append(c.Items, itemsText(in.Counts)), append(c.Founded, in.Founded)
		c.Year, c.Employees = append(c.Year, in.Year), append(c.Employees, in.Employees)
		c.Tax, c.ValueAdded, c.Revenue, c.EnergyTce = append(c.Tax, in.Tax), append(c.ValueAdded, in.ValueAdded), append(c.Revenue, in.Revenue), append(c.EnergyTce, in.EnergyTce)
		c.Kwh, c.EmissionsT, c.RD, c.LandMu = append(c.Kwh, in.Kwh), append(c.EmissionsT, in.EmissionsT), append(c.RD, in.RD), append(c.LandMu, in.LandMu)
	}
	return pack(c)
}

func unpackInputs(b []byte) ([]Input, error) {
	var c inputColumns
	if err := unpack(b, &c); err != nil {
		return nil, err
	}
	ins := make([]Input, len(c.USCC))
	at := func(s []string, i int) string { // columns added later (0014) are absent from older runs
		if i < len(s) {
			return s[i]
		}
		return ""
	}
	for i := range ins {
		ins[i] = Input{Annual: Annual{USCC: c.USCC[i], Year: c.Year[i], Tax: c.Tax[i], ValueAdded: c.ValueAdded[i], Revenue: c.Revenue[i],
			EnergyTce: c.EnergyTce[i], Kwh: c.Kwh[i], EmissionsT: c.EmissionsT[i], RD: c.RD[i], Employees: c.Employees[i], LandMu: c.LandMu[i],
			Source: c.Source[i], Parcel: at(c.Parcel, i), Items: at(c.Items, i)}, Name: c.Name[i], Industry: c.Industry[i], Size: c.Size[i], Founded: at(c.Founded, i)}
	}
	return ins, nil
}

type outcomeColumns struct {
	Benchmarks               map[string]map[string]float64
	OutOfScope               int
	USCC, Name, Group, Class []string
	Score                    []float64
	Rank, Of, NPoints        []int
	// The points of every result, one after another; PID indexes IDs.
	IDs                                  []string
	PID                                  []uint8
	PValue, PBenchmark, PWeight, PPoints []float64
	PFlags                               []byte // 1 missing, 2 capped, 4 floored
	// The few results with these, by index.
	Parcel, Forced, LastClass map[int]string
	Adj                       map[int][]Adjust
}

func packOutcome(o Outcome) ([]byte, error) {
	n, np := len(o.Results), 0
	for _, r := range o.Results {
		np += len(r.Points)
	}
	c := outcomeColumns{Benchmarks: o.Benchmarks, OutOfScope: o.OutOfScope,
		USCC: make([]string, 0, n), Name: make([]string, 0, n), Group: make([]string, 0, n), Class: make([]string, 0, n),
		Score: make([]float64, 0, n), Rank: make([]int, 0, n), Of: make([]int, 0, n), NPoints: make([]int, 0, n),
		PID: make([]uint8, 0, np), PValue: make([]float64, 0, np), PBenchmark: make([]float64, 0, np), PWeight: make([]float64, 0, np),
		PPoints: make([]float64, 0, np), PFlags: make([]byte, 0, np)}
	ids := map[string]uint8{}
	sparse := func(m *map[int]string, i int, v string) {
		if v != "" {
			if *m == nil {
				*m = map[int]string{}
			}
			(*m)[i] = v
		}
	}
	for i, r := range o.Results {
		sparse(&c.Parcel, i, r.Parcel)
		sparse(&c.Forced, i, r.Forced)
		sparse(&c.LastClass, i, r.LastClass)
		if len(r.Adjustments) > 0 {
			if c.Adj == nil {
				c.Adj = map[int][]Adjust{}
			}
			c.Adj[i] = r.Adjustments
		}
		c.USCC, c.Name, c.Group, c.Class = append(c.USCC, r.USCC), append(c.Name, r.Name), append(c.Group, r.Group), append(c.Class, r.Class)
		c.Score, c.Rank, c.Of, c.NPoints = append(c.Score, r.Score), append(c.Rank, r.Rank), append(c.Of, r.Of), append(c.NPoints, len(r.Points))
		for _, p := range r.Points {
			id, ok := ids[p.ID]
			if !ok {
				id = uint8(len(c.IDs))
				ids[p.ID] = id
				c.IDs = append(c.IDs, p.ID)
			}
			c.PID, c.PValue, c.PBenchmark = append(c.PID, id), append(c.PValue, p.Value), append(c.PBenchmark, p.Benchmark)
			c.PWeight, c.PPoints = append(c.PWeight, p.Weight), append(c.PPoints, p.Points)
			c.PFlags = append(c.PFlags, flag(p.Missing, 1)|flag(p.Capped, 2)|flag(p.Floored, 4))
		}
	}
	return pack(c)
}

func flag(b bool, f byte) byte {
	if b {
		return f
	}
	return 0
}

func unpackOutcome(b []byte) (Outcome, error) {
	var c outcomeColumns
	if err := unpack(b, &c); err != nil {
		return Outcome{}, err
	}
	o := Outcome{Benchmarks: c.Benchmarks, OutOfScope: c.OutOfScope, Results: make([]Result, len(c.USCC))}
	j := 0
	for i := range o.Results {
		r := Result{USCC: c.USCC[i], Name: c.Name[i], Group: c.Group[i], Class: c.Class[i], Score: c.Score[i], Rank: c.Rank[i], Of: c.Of[i],
			Points: make([]Points, c.NPoints[i]), Parcel: c.Parcel[i], Forced: c.Forced[i], LastClass: c.LastClass[i], Adjustments: c.Adj[i]}
		for k := range r.Points {
			r.Points[k] = Points{ID: c.IDs[c.PID[j]], Value: c.PValue[j], Benchmark: c.PBenchmark[j], Weight: c.PWeight[j], Points: c.PPoints[j],
				Missing: c.PFlags[j]&1 != 0, Capped: c.PFlags[j]&2 != 0, Floored: c.PFlags[j]&4 != 0}
			j++
		}
		o.Results[i] = r
	}
	return o, nil
}

func pack(v any) ([]byte, error) {
	var b bytes.Buffer
	z, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	if err := gob.NewEncoder(z).Encode(v); err != nil {
		return nil, err
	}
	err := z.Close()
	return b.Bytes(), err
}

func unpack(b []byte, v any) error {
	z, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return gob.NewDecoder(z).Decode(v)
}
