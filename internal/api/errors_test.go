package api_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestUnknownRoutesAnswerJSON: a path no route takes, or a method a known
// path does not take, gets the JSON error body like every other error.
func TestUnknownRoutesAnswerJSON(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"GET", "/api/v1/nothing-here", http.StatusNotFound, "not_found", ""},
		{"GET", "/nothing", http.StatusNotFound, "not_found", ""},
		{"DELETE", "/api/v1/enterprises", http.StatusMethodNotAllowed, "method_not_allowed", "GET, HEAD, POST"},
		{"PUT", "/healthz", http.StatusMethodNotAllowed, "method_not_allowed", "GET, HEAD"},
	} {
		status, h, body := e.call(t, c.method, c.path, "")
		var resp struct {
			Error struct {
				Code      string
				MessageZh string `json:"message_zh"`
			}
		}
		if err := json.Unmarshal(body, &resp); err != nil || status != c.status || resp.Error.Code != c.code || resp.Error.MessageZh == "" {
			t.Errorf("%s %s: %d %s (%v), want %d with code %s in JSON", c.method, c.path, status, body, err, c.status, c.code)
		}
		if !strings.HasPrefix(h.Get("Content-Type"), "application/json") || h.Get("Allow") != c.allow {
			t.Errorf("%s %s: Content-Type %q, Allow %q, want JSON and %q", c.method, c.path, h.Get("Content-Type"), h.Get("Allow"), c.allow)
		}
	}
}

// TestAttachmentNameEncoded: a name with quotes, semicolons, line breaks
// or Chinese reaches the header encoded (RFC 6266 filename*), never as it
// is, and a client decodes it back.
func TestAttachmentNameEncoded(t *testing.T) {
	e := newEnv(t)
	for i, name := range []string{"断电现场.png", `a"; filename="evil.html`, "x\r\nSet-Cookie: a=b.png", "100%.png"} {
		var b bytes.Buffer // another picture each time: the store keeps one copy of a content
		if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 2+i, 2))); err != nil {
			t.Fatal(err)
		}
		var att struct{ ID string }
		e.must(t, http.StatusCreated, "POST", "/api/v1/attachments?name="+url.QueryEscape(name), b.String(), &att, "Content-Type", "image/png")
		status, h, _ := e.call(t, "GET", "/api/v1/attachments/"+att.ID, "")
		cd := h.Get("Content-Disposition")
		if status != http.StatusOK || strings.ContainsAny(cd, "\r\n") || strings.Count(cd, `"`) != 2 {
			t.Errorf("%q: %d, Content-Disposition %q", name, status, cd)
			continue
		}
		_, params, err := mime.ParseMediaType(cd)
		if err != nil || params["filename"] != strings.TrimSpace(name) {
			t.Errorf("%q: Content-Disposition %q decodes to %q (%v)", name, cd, params["filename"], err)
		}
	}
}
