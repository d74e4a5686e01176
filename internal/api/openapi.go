package api

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"ecoindustry/internal/registry"
)

type obj = map[string]any

var pathParam = regexp.MustCompile(`\{([^}.]+)(?:\.\.\.)?\}`)

// openAPI builds the OpenAPI 3.0.3 document of routes: paths and
// parameters from the table, schemas by reflection over the Go types that
// the handlers decode and encode.
func openAPI(routes []route) ([]byte, error) {
	g := &schemas{types: map[string]reflect.Type{}, defs: obj{}}
	errRef := g.ref("Error", reflect.TypeFor[errorResponse]())
	paths := map[string]obj{}
	for _, rt := range routes {
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.pattern, -1) {
			params = append(params, g.pathParam(rt, m[1]))
		}
		for _, p := range rt.query {
			params = append(params, obj{"name": p.name, "in": "query", "description": p.desc, "schema": obj{"type": p.typ}})
		}
		status := cmp.Or(rt.status, http.StatusOK)
		responses := obj{strconv.Itoa(status): obj{"description": http.StatusText(status), "content": g.content(rt.resp)}}
		for _, c := range errorStatuses(rt, len(params) > len(rt.query)) {
			responses[strconv.Itoa(c)] = obj{"description": http.StatusText(c), "content": obj{"application/json": obj{"schema": errRef}}}
		}
		op := obj{"summary": rt.summary, "responses": responses}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.body != nil {
			op["requestBody"] = obj{"required": true, "content": g.content(rt.body)}
		}
		path := strings.ReplaceAll(rt.pattern, "...}", "}")
		if paths[path] == nil {
			paths[path] = obj{}
		}
		paths[path][strings.ToLower(rt.method)] = op
	}
	if g.err != nil {
		return nil, g.err
	}
	return json.Marshal(obj{
		"openapi":    "3.0.3",
		"info":       obj{"title": "EcoIndustry API", "version": "v1"},
		"paths":      paths,
		"components": obj{"schemas": g.defs},
	})
}

// errorStatuses are the error responses a route can give.
func errorStatuses(rt route, pathParams bool) []int {
	var cs []int
	if pathParams || rt.query != nil || rt.body != nil {
		cs = append(cs, http.StatusBadRequest)
	}
	if pathParams {
		cs = append(cs, http.StatusNotFound)
	}
	if !rt.public {
		cs = append(cs, http.StatusForbidden) // outside the caller's role
	}
	if rt.status == http.StatusCreated {
		cs = append(cs, http.StatusConflict)
	}
	if rt.body != nil {
		cs = append(cs, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity)
	}
	if _, ok := rt.body.(upload); ok {
		cs = append(cs, http.StatusTooManyRequests) // one import at a time
	}
	if rt.method == "POST" && rt.pattern == sessionPath {
		cs = append(cs, http.StatusUnauthorized, http.StatusTooManyRequests) // wrong password; locked or throttled
	} else if !publicPath(rt.method, rt.pattern) {
		cs = append(cs, http.StatusUnauthorized, http.StatusForbidden)
	}
	return append(cs, http.StatusInternalServerError)
}

var pathParamDocs = map[string]string{
	"uscc":      "unified social credit code (GB 32100-2015, 18 characters)",
	"code":      "GB/T 4754-2017 code: section letter, division, group or class",
	"kind":      "kind of record",
	"key":       "the record's key",
	"outlet":    "outlet code within its enterprise (e.g. DA001)",
	"mn":        "data logger MN (HJ 212)",
	"id":        "the id of the screening run, campaign, case, evaluation run, alarm, watched item, API token or attachment (SHA-256 hex)",
	"name":      "account name",
	"other":     "the id of the later screening run",
	"objection": "the id of an objection to an evaluation run",
}

func (g *schemas) pathParam(rt route, name string) obj {
	desc, ok := pathParamDocs[name]
	if !ok {
		g.fail(fmt.Errorf("%s %s: path parameter %s has no description", rt.method, rt.pattern, name))
	}
	schema := obj{"type": "string"}
	switch name {
	case "kind":
		var names []string
		for _, k := range registry.Kinds {
			names = append(names, k.Name)
		}
		schema["enum"] = names
	case "key":
		desc += ": " + rt.keyShape + " (it may hold '/')"
	}
	return obj{"name": name, "in": "path", "required": true, "description": desc, "schema": schema}
}

// content is the media types and schema of a body described by a value
// in the route table.
func (g *schemas) content(v any) obj {
	switch v := v.(type) {
	case upload, download:
		c := obj{}
		for _, t := range mediaTypes {
			c[t] = obj{"schema": obj{"type": "string", "format": "binary"}}
		}
		return c
	case eventsOf:
		return obj{"text/event-stream": obj{"schema": obj{"type": "string",
			"description": "server-sent events; each event's data is one " + reflect.TypeOf(v.elem).Name() + " as JSON:"},
			"example": "id: 42\nevent: alarm\ndata: {...}\n\n", "x-event-data": g.of(reflect.TypeOf(v.elem))}}
	case itemsOf:
		items := obj{"type": "array", "items": g.of(reflect.TypeOf(v.elem))}
		return obj{"application/json": obj{"schema": obj{"type": "object", "properties": obj{"items": items}}}}
	}
	return obj{"application/json": obj{"schema": g.of(reflect.TypeOf(v))}}
}

// schemas collects the named schemas of the document's components.
type schemas struct {
	types map[string]reflect.Type
	defs  obj
	err   error
}

func (g *schemas) fail(err error) {
	if g.err == nil {
		g.err = err
	}
}

// of returns the schema of values of t as encoding/json writes them.
func (g *schemas) of(t reflect.Type) obj {
	switch k := t.Kind(); {
	case k == reflect.Bool:
		return obj{"type": "boolean"}
	case k >= reflect.Int && k <= reflect.Uint64:
		return obj{"type": "integer"}
	case k == reflect.Float32 || k == reflect.Float64:
		return obj{"type": "number"}
	case k == reflect.String:
		return obj{"type": "string"}
	case k == reflect.Slice || k == reflect.Array:
		return obj{"type": "array", "items": g.of(t.Elem())}
	case k == reflect.Map:
		return obj{"type": "object", "additionalProperties": g.of(t.Elem())}
	case k == reflect.Interface:
		return obj{}
	case k == reflect.Pointer:
		return obj{"allOf": []any{g.of(t.Elem())}, "nullable": true}
	case t == reflect.TypeFor[time.Time]():
		return obj{"type": "string", "format": "date-time"}
	case k == reflect.Struct && t.Name() == "":
		return g.object(t)
	case k == reflect.Struct:
		// A type's name, or, where another package's type has it, the
		// package's name before it (compliance.Change: ComplianceChange).
		name := upperFirst(t.Name())
		if prev, ok := g.types[name]; ok && prev != t {
			name = upperFirst(path.Base(t.PkgPath())) + name
		}
		return g.ref(name, t)
	}
	g.fail(fmt.Errorf("no schema for type %s", t))
	return obj{}
}

func upperFirst(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[size:]
}

// ref defines the struct t as a component named name and refers to it.
func (g *schemas) ref(name string, t reflect.Type) obj {
	switch prev, ok := g.types[name]; {
	case !ok:
		g.types[name] = t
		g.defs[name] = g.object(t)
	case prev != t:
		g.fail(fmt.Errorf("types %s and %s both make schema %s", prev, t, name))
	}
	return obj{"$ref": "#/components/schemas/" + name}
}

func (g *schemas) object(t reflect.Type) obj {
	props := obj{}
	g.properties(t, props)
	return obj{"type": "object", "properties": props}
}

// properties adds the JSON fields of struct t, promoting those of
// embedded structs as encoding/json does.
func (g *schemas) properties(t reflect.Type, props obj) {
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-" || (!f.IsExported() && !f.Anonymous):
		case f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct:
			g.properties(f.Type, props)
		default:
			props[cmp.Or(name, f.Name)] = g.of(f.Type)
		}
	}
}
