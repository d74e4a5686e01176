package api_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"ecoindustry/internal/api"
	"ecoindustry/internal/registry"
	"ecoindustry/internal/store/storetest"
)

type openAPIDoc struct {
	OpenAPI string `json:"openapi"`
	Paths   map[string]map[string]struct {
		Parameters  []docParam `json:"parameters"`
		RequestBody struct {
			Content map[string]struct {
				Schema struct {
					Ref string `json:"$ref"`
				} `json:"schema"`
			} `json:"content"`
		} `json:"requestBody"`
		Responses map[string]json.RawMessage `json:"responses"`
	} `json:"paths"`
	Components struct {
		Schemas map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"schemas"`
	} `json:"components"`
}

type docParam struct {
	Name     string `json:"name"`
	In       string `json:"in"`
	Required bool   `json:"required"`
}

var patternParam = regexp.MustCompile(`\{([^}.]+)(\.\.\.)?\}`)

// TestOpenAPIMatchesRoutes holds the document to the mux: the same
// operations both ways, every path parameter declared, every reference
// defined, every kind's schema with the kind's fields.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t)
	status, h, raw := e.call(t, "GET", "/api/v1/openapi.json", "")
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") || !json.Valid(raw) {
		t.Fatalf("openapi.json: %d %s", status, raw)
	}
	var doc openAPIDoc
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}

	routes := api.Routes(e.api)
	inDoc := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			inDoc[strings.ToUpper(method)+" "+path] = true
		}
	}
	for _, rt := range routes {
		method, pattern, _ := strings.Cut(rt, " ")
		path := strings.ReplaceAll(pattern, "...}", "}")
		op, ok := doc.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("route %s is not in the document", rt)
			continue
		}
		delete(inDoc, method+" "+path)
		for _, m := range patternParam.FindAllStringSubmatch(pattern, -1) {
			if !slices.ContainsFunc(op.Parameters, func(p docParam) bool {
				return p.Name == m[1] && p.In == "path" && p.Required
			}) {
				t.Errorf("%s: path parameter %s not declared", rt, m[1])
			}
		}
		if len(op.Responses) < 2 {
			t.Errorf("%s: responses %v, want success and errors", rt, slices.Collect(maps.Keys(op.Responses)))
		}
	}
	for op := range inDoc {
		t.Errorf("document has %s, which is no route", op)
	}

	for _, ref := range regexp.MustCompile(`"\$ref":\s*"#/components/schemas/([^"]+)"`).FindAllStringSubmatch(string(raw), -1) {
		if _, ok := doc.Components.Schemas[ref[1]]; !ok {
			t.Errorf("reference to undefined schema %s", ref[1])
		}
	}
	if _, ok := doc.Components.Schemas["Error"]; !ok {
		t.Error("no Error schema")
	}
	for _, k := range registry.Kinds {
		ref := doc.Paths["/api/v1/"+k.Name]["post"].RequestBody.Content["application/json"].Schema.Ref
		props := doc.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")].Properties
		got := slices.Sorted(maps.Keys(props))
		want := slices.Sorted(slices.Values(k.Header()))
		if !slices.Equal(got, want) {
			t.Errorf("%s: schema %s has %v, the kind has fields %v", k.Name, ref, got, want)
		}
	}
}

// TestOpenAPIOperationsReachHandlers sends every operation of the document
// to the mux: none may meet the mux's own 404 or 405.
func TestOpenAPIOperationsReachHandlers(t *testing.T) {
	e := newEnv(t)
	var doc openAPIDoc
	e.must(t, 200, "GET", "/api/v1/openapi.json", nil, &doc)
	values := map[string]string{"uscc": storetest.USCC("331102", 1), "kind": "parks", "code": "2925", "key": "A/B", "outlet": "DA001", "mn": "888888800000000000000001", "id": "1", "other": "2", "name": "lishui-2020-2022"}
	// The streams first: an operation below (DELETE /api/v1/tokens/1)
	// revokes the token every request carries. A stream does not end: its
	// headers are enough here (TestAlarmStream reads its events).
	for path := range doc.Paths {
		if !strings.HasSuffix(path, "/stream") {
			continue
		}
		url := patternParam.ReplaceAllStringFunc(path, func(p string) string { return values[strings.Trim(p, "{}")] })
		req, _ := http.NewRequest("GET", e.url+url, nil)
		req.Header.Set("Authorization", e.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Errorf("GET %s: %d %s", url, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	for path, ops := range doc.Paths {
		url := patternParam.ReplaceAllStringFunc(path, func(p string) string { return values[strings.Trim(p, "{}")] })
		for method := range ops {
			if strings.HasSuffix(url, "/stream") {
				continue
			}
			status, h, body := e.call(t, strings.ToUpper(method), url, "")
			if status == 405 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") && status >= 400 {
				t.Errorf("%s %s: %d %s", method, url, status, body)
			}
		}
	}
}
