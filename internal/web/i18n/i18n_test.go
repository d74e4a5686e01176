package i18n

import (
	"strings"
	"testing"
)

// TestComplete: every key is in both languages, with a message in each
// and the same format verbs.
func TestComplete(t *testing.T) {
	for _, k := range Keys("zh") {
		if _, ok := en[k]; !ok {
			t.Errorf("%q is in Chinese, not in English", k)
		}
	}
	for _, k := range Keys("en") {
		if _, ok := zh[k]; !ok {
			t.Errorf("%q is in English, not in Chinese", k)
		}
	}
	for k, z := range zh {
		e := en[k]
		if strings.TrimSpace(z) == "" || strings.TrimSpace(e) == "" {
			t.Errorf("%q: an empty message", k)
		}
		if verbs(z) != verbs(e) {
			t.Errorf("%q: format verbs %q in Chinese, %q in English", k, verbs(z), verbs(e))
		}
	}
	if T("en", "nav.cases") != "Cases" || T("zh", "nav.cases") != "整治案件" || T("fr", "nav.cases") != "整治案件" || T("zh", "no.such") != "[no.such]" {
		t.Error("T does not look up as documented")
	}
}

func verbs(s string) string {
	var out []string
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '%' {
			out = append(out, s[i:i+2])
			i++
		}
	}
	return strings.Join(out, "")
}
