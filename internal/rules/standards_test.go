package rules

import "testing"

// TestBuiltIn: the catalogue the binary carries reads without a problem.
func TestBuiltIn(t *testing.T) {
	if n := len(BuiltIn()); n < 90 {
		t.Fatalf("%d rows", n)
	}
}

func TestConvert(t *testing.T) {
	for _, c := range []struct {
		v        float64
		from, to string
		want     float64
		ok       bool
	}{{500, "µg/L", "mg/L", 0.5, true}, {0.5, "mg/L", "µg/L", 500, true}, {3, "mg/m³", "mg/m3", 3, true}, {1, "mg/L", "mg/m3", 0, false}, {1, "", "", 0, false}} {
		got, ok := convert(c.v, c.from, c.to)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("%g %s in %s: %g %v", c.v, c.from, c.to, got, ok)
		}
	}
}
