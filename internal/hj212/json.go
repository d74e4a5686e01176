package hj212

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ecoindustry/internal/cst"
)

// The JSON of a frame, as `ecoind hj212 decode` writes it and
// `ecoind hj212 encode` reads it:
//
//	{"ok":true,"version":"2017","qn":"…","st":"31","cn":"2061","pw":"…","mn":"…",
//	 "flag":5,"pnum":0,"pno":0,"data_time":"2026-11-30T10:00:00+08:00",
//	 "values":[{"code":"a21026","field":"ZsAvg","value":12.5,"unit":"mg/m3","flag":"N"}],
//	 "cp":{"BeginTime":"…"},"extra":{"RF":"1"},"warnings":[{"code":"…","message":"…"}]}
//
// "ok" is always true for a frame: a rejected one is
// {"ok":false,"error":{"code":…,"message":…}}. A 2005 code is in
// "code_2005"; a text value has "text" instead of "value". "cp" and "extra"
// are objects in frame order. qn, pw, flag, data_time and the lists are
// left out when the frame has none.
//
// Reading, "version" and "flag" must agree; without "flag", a 2017 or 2025
// frame gets the version's bits (D set when pnum is) and a 2005 one none. A
// value's "unit", when given, must be its code's 2017 unit, since values
// are taken to be in it. "warnings" is read back as it is.
type jsonFrame struct {
	OK       *bool       `json:"ok"`
	Version  string      `json:"version"`
	QN       string      `json:"qn,omitempty"`
	ST       string      `json:"st"`
	CN       string      `json:"cn"`
	PW       string      `json:"pw,omitempty"`
	MN       string      `json:"mn"`
	Flag     *int        `json:"flag,omitempty"`
	PNUM     int         `json:"pnum"`
	PNO      int         `json:"pno"`
	DataTime string      `json:"data_time,omitempty"`
	Values   []jsonValue `json:"values,omitempty"`
	CP       fields      `json:"cp,omitempty"`
	Extra    fields      `json:"extra,omitempty"`
	Warnings []Warning   `json:"warnings,omitempty"`
}

type jsonValue struct {
	Code     string   `json:"code"`
	Code2005 string   `json:"code_2005,omitempty"`
	Field    string   `json:"field"`
	Value    *float64 `json:"value,omitempty"`
	Text     *string  `json:"text,omitempty"`
	Unit     string   `json:"unit,omitempty"`
	Flag     string   `json:"flag,omitempty"`
}

// MarshalJSON writes f as above.
func (f *Frame) MarshalJSON() ([]byte, error) {
	ok := true
	j := jsonFrame{OK: &ok, Version: f.Version, QN: f.QN, ST: f.ST, CN: f.CN, PW: f.PW, MN: f.MN,
		PNUM: f.PNUM, PNO: f.PNO, CP: f.CP, Extra: f.Extra, Warnings: f.Warnings}
	if f.Flag >= 0 {
		j.Flag = &f.Flag
	}
	if !f.DataTime.IsZero() {
		j.DataTime = f.DataTime.In(cst.Zone).Format(time.RFC3339Nano)
	}
	for _, v := range f.Values {
		jv := jsonValue{Code: v.Code, Code2005: v.Code2005, Field: v.Field, Unit: v.Unit, Flag: v.Flag}
		if v.IsText {
			jv.Text = &v.Text
		} else {
			jv.Value = &v.Value
		}
		j.Values = append(j.Values, jv)
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads f as above.
func (f *Frame) UnmarshalJSON(b []byte) error {
	var j jsonFrame
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if j.OK != nil && !*j.OK {
		return errors.New(`"ok" is false: not a frame`)
	}
	*f = Frame{QN: j.QN, ST: j.ST, CN: j.CN, PW: j.PW, MN: j.MN, PNUM: j.PNUM, PNO: j.PNO,
		CP: j.CP, Extra: j.Extra, Warnings: j.Warnings, Flag: -1}
	switch bits, known := versionBits[j.Version]; {
	case j.Version != "" && !known:
		return fmt.Errorf("version %q: want 2005, 2017 or 2025", j.Version)
	case j.Flag != nil:
		f.Flag = *j.Flag
		if j.Version != "" && version(f.Flag) != j.Version {
			return fmt.Errorf("flag %d is version %q, not %q", f.Flag, version(f.Flag), j.Version)
		}
	case j.Version != "" && j.Version != "2005":
		f.Flag = bits
		if f.PNUM > 0 {
			f.Flag |= 2
		}
	}
	f.Version = "2005"
	if f.Flag >= 0 {
		f.Version = version(f.Flag)
	}
	if j.DataTime != "" {
		t, err := time.Parse(time.RFC3339Nano, j.DataTime)
		if err != nil {
			return fmt.Errorf("data_time: %w", err)
		}
		f.DataTime = t.In(cst.Zone)
	}
	for i, jv := range j.Values {
		v := Value{Code: jv.Code, Code2005: jv.Code2005, Field: jv.Field, Flag: jv.Flag}
		switch {
		case (jv.Value == nil) == (jv.Text == nil):
			return fmt.Errorf("values[%d] %s-%s: give one of value and text", i, jv.Code, jv.Field)
		case jv.Text != nil:
			v.Text, v.IsText = *jv.Text, true
		default:
			v.Value = *jv.Value
			if p, ok := byCode[v.Code]; ok {
				v.Unit = unitOf(p, v.Field)
			}
			if jv.Unit != "" && jv.Unit != v.Unit {
				return fmt.Errorf("values[%d] %s-%s: unit %q, but its values are in %q", i, jv.Code, jv.Field, jv.Unit, v.Unit)
			}
		}
		f.Values = append(f.Values, v)
	}
	return nil
}

// fields is a list of key=value that JSON writes as an object in order.
type fields []Field

func (fs fields) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, x := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		k, _ := json.Marshal(x.Key)
		v, _ := json.Marshal(x.Value)
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}

func (fs *fields) UnmarshalJSON(b []byte) error {
	d := json.NewDecoder(bytes.NewReader(b))
	if t, err := d.Token(); err != nil || t != json.Delim('{') {
		return errors.New("want an object of strings")
	}
	for d.More() {
		k, err := d.Token()
		if err != nil {
			return err
		}
		var v string
		if err := d.Decode(&v); err != nil {
			return fmt.Errorf("%v: %w", k, err)
		}
		*fs = append(*fs, Field{k.(string), v})
	}
	return nil
}
