package api_test

import (
	"net/url"
	"strings"
	"testing"
)

func TestNearRefusesNonFinite(t *testing.T) {
	e := newEnv(t)
	for _, near := range []string{"NaN,28.4,1000", "119.9,NaN,1000", "119.9,28.4,NaN", "+Inf,28.4,1000", "119.9,28.4,Inf"} {
		var got apiError
		e.must(t, 400, "GET", "/api/v1/enterprises?near="+url.QueryEscape(near), nil, &got)
		if !strings.Contains(got.Error.Message, "near") || !strings.Contains(got.Error.MessageZh, "near") {
			t.Errorf("near=%s: %+v, want the parameter named", near, got.Error)
		}
	}
}
