package auth

import (
	"strings"
	"testing"
)

func TestPrincipal(t *testing.T) {
	for _, c := range []struct {
		p     Principal
		actor string
		ok    bool
	}{
		{Command("wang"), "cli:wang", true},
		{Server("relapse"), "system:relapse", true},
		{Principal{Kind: API, Name: "anonymous"}, "api:anonymous", true},
		{Principal{Kind: API, Name: " "}, "api: ", false},
		{Principal{Name: "x"}, ":x", false},
		{Principal{Kind: API, Name: "a\x00b"}, "api:a\x00b", false},
		{Principal{Kind: API, Name: strings.Repeat("长", 65)}, "api:" + strings.Repeat("长", 65), false},
	} {
		if got := c.p.Actor(); got != c.actor {
			t.Errorf("%+v: actor %q, want %q", c.p, got, c.actor)
		}
		if err := c.p.Check(); (err == nil) != c.ok {
			t.Errorf("%+v: check %v, want ok %v", c.p, err, c.ok)
		}
	}
}
