package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"ecoindustry/internal/sheet"
)

// Problem is one thing wrong with an input, located as precisely as it can
// be: file, row and column for an import, the field for an API write.
type Problem struct {
	File   string `json:"file,omitempty"`
	Row    int    `json:"row,omitempty"`
	Column string `json:"column"`
	En     string `json:"message"`
	Zh     string `json:"message_zh"`
}

func (p Problem) String() string {
	loc := p.Column
	if p.File != "" {
		loc = fmt.Sprintf("%s:%d:%s", p.File, p.Row, p.Column)
	}
	return loc + ": " + p.Zh + " / " + p.En
}

// InvalidError lists every problem of an input that was refused whole.
type InvalidError struct{ Problems []Problem }

func (e *InvalidError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Result counts what an import did (or, with DryRun, would do).
type Result struct {
	Kind      string `json:"kind"`
	Rows      int    `json:"rows"`
	Created   int    `json:"created"`
	Updated   int    `json:"updated"`
	Unchanged int    `json:"unchanged"`
	DryRun    bool   `json:"dry_run"`
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// Import validates every row of t as records of kind k and, if none has a
// problem, upserts them all in one transaction with their history; if any
// has, it writes nothing and returns an *InvalidError listing them all.
func (s *Service) Import(ctx context.Context, k *Kind, t *sheet.Table, actor string, dryRun bool) (Result, error) {
	res := Result{Kind: k.Name, Rows: len(t.Rows), DryRun: dryRun}
	cols, problems := matchHeader(k, t)
	if len(problems) > 0 {
		return res, &InvalidError{problems}
	}
	var absent []string
	for _, f := range k.Fields {
		if _, ok := cols[f.Name]; !ok {
			absent = append(absent, f.Name)
		}
	}
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		_, res.Created, res.Updated, res.Unchanged, err = s.write(ctx, tx, k, len(t.Rows), absent, func(i int) (func(string) string, func(field, en, zh string) Problem) {
			row := t.Rows[i]
			get := func(f string) string {
				if c, ok := cols[f]; ok && c < len(row.Cells) {
					return row.Cells[c]
				}
				return ""
			}
			loc := func(field, en, zh string) Problem {
				col := field
				if c, ok := cols[field]; ok {
					col = t.Header[c]
				}
				return Problem{File: t.File, Row: row.Num, Column: col, En: en, Zh: zh}
			}
			return get, loc
		}, actor)
		if err == nil && dryRun {
			if err := tx.Flush(ctx); err != nil {
				return err
			}
			return errDryRun
		}
		return err
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return res, err
}

// matchHeader maps each field to its column by English name, Chinese name
// or alias; columns it does not know (a serial number, remarks) are ignored.
func matchHeader(k *Kind, t *sheet.Table) (map[string]int, []Problem) {
	cols := map[string]int{}
	var problems []Problem
	headerRow := 1
	if len(t.Rows) > 0 {
		headerRow = t.Rows[0].Num - 1
	}
	for i, h := range t.Header {
		for _, f := range k.Fields {
			if !headerMatches(f, h) {
				continue
			}
			if prev, dup := cols[f.Name]; dup {
				problems = append(problems, Problem{File: t.File, Row: headerRow, Column: h,
					En: fmt.Sprintf("column %q repeats column %q (both are %s)", h, t.Header[prev], f.Name),
					Zh: fmt.Sprintf("列 %q 与列 %q 重复（均为 %s）", h, t.Header[prev], f.Zh)})
			}
			cols[f.Name] = i
		}
	}
	for _, f := range k.Fields {
		if _, ok := cols[f.Name]; !ok && f.Required {
			problems = append(problems, Problem{File: t.File, Row: headerRow, Column: f.Name,
				En: fmt.Sprintf("required column %s (%s) is missing", f.Name, f.Zh),
				Zh: fmt.Sprintf("缺少必填列 %s（%s）", f.Zh, f.Name)})
		}
	}
	return cols, problems
}

func headerMatches(f Field, h string) bool {
	h = strings.TrimSpace(h)
	if strings.EqualFold(h, f.Name) || h == f.Zh {
		return true
	}
	for _, a := range f.Aliases {
		if strings.EqualFold(h, a) {
			return true
		}
	}
	return false
}

// write parses n inputs as records of k, checks them singly and together,
// and upserts those that differ from what is stored, each with a Change.
// input(i) gives the i-th input's field getter and a function that locates
// a problem in it; fields named in absent are not in the input, and a
// record that exists keeps its stored values for them. Nothing is written
// if any input has a problem.
func (s *Service) write(ctx context.Context, tx Tx, k *Kind, n int, absent []string,
	input func(i int) (func(string) string, func(field, en, zh string) Problem), actor string,
) (recs []any, created, updated, unchanged int, err error) {
	refs, err := newRefs(ctx, tx)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	stored, err := s.stored(ctx, tx, k, n, input)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	var problems []Problem
	recs = make([]any, n)
	locs := make([]func(field, en, zh string) Problem, n)
	seen := make(map[string]int, n)
	for i := range n {
		get, loc := input(i)
		p := &parser{kind: k, get: get, refs: refs}
		recs[i], locs[i] = k.parse(p), loc
		if prev, ok := stored[k.key(recs[i])]; ok && (len(absent) > 0 || get("pw") == masked) {
			p = &parser{kind: k, get: keep(k, get, absent, k.values(prev)), refs: refs}
			recs[i] = k.parse(p)
		}
		if refs.err != nil {
			return nil, 0, 0, 0, refs.err
		}
		for _, pr := range p.problems {
			problems = append(problems, loc(pr.field, pr.en, pr.zh))
		}
		key := k.key(recs[i])
		if j, dup := seen[key]; dup {
			first := locs[j](k.Fields[0].Name, "", "")
			problems = append(problems, loc(k.Fields[0].Name,
				fmt.Sprintf("%s %s repeats row %d", k.Name, key, first.Row),
				fmt.Sprintf("%s %s 与第%d行重复", k.Zh, key, first.Row)))
		}
		seen[key] = i
		if len(p.problems) > 0 {
			recs[i] = nil // the checks across records pass it over
		}
	}
	if k.check != nil {
		c := &checker{ctx: ctx, r: tx, recs: recs, fail: func(i int, field, en, zh string) {
			problems = append(problems, locs[i](field, en, zh))
		}}
		if k.check(c); c.err != nil {
			return nil, 0, 0, 0, c.err
		}
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b Problem) int { return a.Row - b.Row })
		return nil, 0, 0, 0, &InvalidError{problems}
	}

	if k.release != nil {
		for _, r := range recs {
			if prev, ok := stored[k.key(r)]; ok {
				if err := k.release(ctx, tx, prev, r); err != nil {
					return nil, 0, 0, 0, err
				}
			}
		}
	}
	at := s.now().UTC()
	var changes []Change
	// In key order, the upserts walk the primary key's B-tree instead of
	// jumping about it.
	order := slices.Clone(recs)
	slices.SortFunc(order, func(a, b any) int { return strings.Compare(k.key(a), k.key(b)) })
	for _, r := range order {
		key, vals := k.key(r), k.values(r)
		ch := Change{At: at, Actor: actor, Kind: k.Name, Key: key, USCC: k.owner(r), Op: "create", Fields: map[string]FieldChange{}}
		var prev []string
		if old, found := stored[key]; found {
			ch.Op, prev = "update", k.values(old)
		}
		for j, f := range k.Fields {
			from := ""
			if prev != nil {
				from = prev[j]
			}
			if from != vals[j] {
				ch.Fields[f.Name] = FieldChange{From: from, To: vals[j]}
			}
		}
		switch {
		case prev == nil:
			created++
		case len(ch.Fields) > 0:
			updated++
		default:
			unchanged++
			continue
		}
		if err := k.put(ctx, tx, r); err != nil {
			return nil, 0, 0, 0, err
		}
		changes = append(changes, maskChange(ch))
	}
	// After the records, so that a store can send each table's rows together.
	for _, ch := range changes {
		if err := tx.AddChange(ctx, ch); err != nil {
			return nil, 0, 0, 0, err
		}
	}
	return recs, created, updated, unchanged, nil
}

// stored returns the stored records of kind k by key: those of one
// enterprise for a single input, all of them for a file.
func (s *Service) stored(ctx context.Context, r Reader, k *Kind, n int,
	input func(i int) (func(string) string, func(field, en, zh string) Problem),
) (map[string]any, error) {
	scope := ""
	if n == 1 && k.HasField("uscc") {
		get, _ := input(0)
		scope = strings.ToUpper(strings.TrimSpace(get("uscc")))
	}
	existing, err := k.load(ctx, r, scope)
	if err != nil {
		return nil, err
	}
	m := make(map[string]any, len(existing))
	for _, rec := range existing {
		m[k.key(rec)] = rec
	}
	return m, nil
}

// keep returns a getter that answers the absent fields, and a masked
// password, from a stored record's values: an exported file imports again
// without erasing what it did not show.
func keep(k *Kind, get func(string) string, absent []string, stored []string) func(string) string {
	return func(f string) string {
		if slices.Contains(absent, f) || f == "pw" && get(f) == masked {
			for i, kf := range k.Fields {
				if kf.Name == f {
					return stored[i]
				}
			}
		}
		return get(f)
	}
}

// maskChange keeps logger passwords out of the history, which more people
// read than the outlet records.
func maskChange(c Change) Change {
	if f, ok := c.Fields["pw"]; ok {
		c.Fields["pw"] = FieldChange{From: mask(f.From), To: mask(f.To)}
	}
	return c
}

// masked stands for a password that is not shown.
const masked = "******"

func mask(s string) string {
	if s == "" {
		return ""
	}
	return masked
}
