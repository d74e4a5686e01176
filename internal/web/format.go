package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/auth"
	"ecoindustry/internal/compliance"
	"ecoindustry/internal/cst"
	"ecoindustry/internal/hj212"
	"ecoindustry/internal/web/i18n"
)

// bilingual is what names itself in both languages (compliance's states,
// dispositions, steps and actions).
type bilingual interface {
	En() string
	Zh() string
}

// funcs are the templates' functions in language l.
func funcs(l string) template.FuncMap {
	return template.FuncMap{
		"t":    func(key string) string { return i18n.T(l, key) },
		"tf":   func(key string, args ...any) string { return fmt.Sprintf(i18n.T(l, key), args...) },
		"lang": func() string { return l },
		"num":  func(v any) string { return number(l, v) },
		"pct":  func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) + "%" },
		// share is a fraction (a load's share of its permit) in per cent.
		"share": func(f *float64) float64 { return *f * 100 },
		"val":   value,
		"deg":   func(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) },
		"when":  func(t time.Time) string { return when(l, t) },
		// whenText is when of a time kept as RFC 3339 text (an alarm's
		// acknowledgement); text that is no time shows as it is.
		"whenText": func(s string) string {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return when(l, t)
			}
			return s
		},
		"name": func(b bilingual) string {
			if l == "en" {
				return b.En()
			}
			return b.Zh()
		},
		"pick": func(zh, en string) string { return pickLang(l, zh, en) },
		"sub":  func(a, b int) int { return a - b },
		"pollutant": func(code string) string {
			if p, ok := hj212.LookupPollutant(code); ok {
				return pickLang(l, p.Name, p.NameEn)
			}
			return ""
		},
		"list":    func(s ...string) []string { return s },
		"minutes": func(d time.Duration) int { return int(d.Minutes()) },
		"explain": func(f compliance.Fact) string {
			en, zh := f.Explain()
			if l == "en" {
				return en
			}
			return zh
		},
		// pair gives a nested template a map and the keys to show of it.
		// withBack gives the token table its tokens, the page a revocation
		// returns to, and the CSRF token its forms carry.
		"withBack": func(ts []auth.APIToken, back, csrf string) map[string]any {
			return map[string]any{"Tokens": ts, "Back": back, "CSRF": csrf}
		},
		"pair": func(m map[string]attachmentView, ids []string) map[string]any {
			return map[string]any{"M": m, "IDs": ids}
		},
		// opt and ratio show a figure that may have no value (no base):
		// as a number, or a fraction as a percentage; "—" without one.
		"opt": func(f *float64) string {
			if f == nil {
				return "—"
			}
			return value(*f)
		},
		"ratio": func(f *float64) string {
			if f == nil {
				return "—"
			}
			return strconv.FormatFloat(*f*100, 'f', 1, 64) + "%"
		},
		"mul100": func(f float64) float64 { return f * 100 },
	}
}

// number formats an integer with thousands separators, as both Chinese and
// English official statistics print them.
func number(_ string, v any) string {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case float64:
		if x != math.Trunc(x) {
			return value(x)
		}
		n = int64(x)
	default:
		return fmt.Sprint(v)
	}
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// value is a measured value: up to four significant digits, no exponent
// for the usual magnitudes.
func value(f float64) string {
	if f == 0 {
		return "0"
	}
	prec := 3 - int(math.Floor(math.Log10(math.Abs(f))))
	prec = max(0, min(prec, 6))
	v := strconv.FormatFloat(f, 'f', prec, 64)
	if strings.Contains(v, ".") {
		v = strings.TrimRight(strings.TrimRight(v, "0"), ".")
	}
	return v
}

// when is a moment in China Standard Time, in the language's form.
func when(l string, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	t = t.In(cst.Zone)
	if l == "en" {
		return t.Format("2 Jan 2006 15:04:05") + " CST"
	}
	return t.Format("2006年1月2日 15:04:05")
}
