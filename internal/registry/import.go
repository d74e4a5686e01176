package registry

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"ecoindustry/internal/auth"
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

// MaxProblems is how many problems an input that is refused lists; the
// rest are counted. A file of bad rows has millions, which nobody reads
// and which took a server's memory (issue 12).
const MaxProblems = 1000

// InvalidError lists the problems of an input that was refused whole.
type InvalidError struct {
	Problems []Problem // the first MaxProblems found, in row order
	Total    int       // how many there were
}

func (e *InvalidError) Error() string {
	lines := make([]string, len(e.Problems), len(e.Problems)+1)
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	if e.Total > len(e.Problems) {
		en, zh := e.Summary()
		lines = append(lines, zh+" / "+en)
	}
	return strings.Join(lines, "\n")
}

// Summary says, in English and in Chinese, how many problems there were,
// how many are listed, and that nothing was written.
func (e *InvalidError) Summary() (en, zh string) {
	if n := len(e.Problems); e.Total > n {
		return fmt.Sprintf("%s of %s problems shown; nothing was written", thousands(n), thousands(e.Total)),
			fmt.Sprintf("共 %s 处问题，显示前 %s 处；未写入任何数据", thousands(e.Total), thousands(n))
	}
	return fmt.Sprintf("%d problem(s) in the input; nothing was written", e.Total),
		fmt.Sprintf("输入有 %d 处问题，未写入任何数据", e.Total)
}

// thousands writes n with thousands separators: 3,912,345.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// problems collects the problems of one input: the first MaxProblems, and
// the count of all.
type problems struct {
	list  []Problem
	total int
}

func (ps *problems) add(p Problem) {
	ps.total++
	if len(ps.list) < MaxProblems {
		ps.list = append(ps.list, p)
	}
}

// err returns the problems as an *InvalidError, in row order, or nil.
func (ps *problems) err() error {
	if ps.total == 0 {
		return nil
	}
	slices.SortStableFunc(ps.list, func(a, b Problem) int { return a.Row - b.Row })
	return &InvalidError{Problems: ps.list, Total: ps.total}
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
// has, it writes nothing and returns an *InvalidError listing them.
func (s *Service) Import(ctx context.Context, k *Kind, t *sheet.Table, by auth.Principal, dryRun bool) (Result, error) {
	return s.ImportRows(ctx, k, t.Scan(), by, dryRun)
}

// ImportRows is Import reading a file row by row: it keeps the records it
// parsed (at most sheet.MaxRows of a file) and the first MaxProblems
// problems, never the file's table.
func (s *Service) ImportRows(ctx context.Context, k *Kind, rows *sheet.Rows, by auth.Principal, dryRun bool) (Result, error) {
	res := Result{Kind: k.Name, DryRun: dryRun}
	if err := by.Check(); err != nil {
		return res, err
	}
	if err := auth.MayWrite(by, k.what(), k.Bureau); err != nil {
		return res, err
	}
	cols, ps := matchHeader(k, rows)
	if err := ps.err(); err != nil {
		return res, err
	}
	var absent []string
	for _, f := range k.Fields {
		if _, ok := cols[f.Name]; !ok {
			absent = append(absent, f.Name)
		}
	}
	var row sheet.Row
	get := func(f string) string {
		if c, ok := cols[f]; ok && c < len(row.Cells) {
			return row.Cells[c]
		}
		return ""
	}
	next := func() (func(string) string, int, error) {
		if !rows.Next() {
			return nil, 0, cmp.Or(rows.Err(), io.EOF)
		}
		row = rows.Row()
		return get, row.Num, nil
	}
	loc := func(num int, field, en, zh string) Problem {
		col := field
		if c, ok := cols[field]; ok {
			col = rows.Header[c]
		}
		return Problem{File: rows.File, Row: num, Column: col, En: en, Zh: zh}
	}
	attempt := 0
	err := s.store.Update(ctx, func(tx Tx) error {
		if attempt++; attempt > 1 { // the store runs a transaction again after contention
			if err := rows.Rewind(); err != nil {
				return err
			}
		}
		_, w, err := s.write(ctx, tx, k, "", absent, next, loc, by)
		res.Rows, res.Created, res.Updated, res.Unchanged = w.Rows, w.Created, w.Updated, w.Unchanged
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
func matchHeader(k *Kind, t *sheet.Rows) (map[string]int, *problems) {
	cols := map[string]int{}
	ps := &problems{}
	headerRow := t.HeaderNum
	for i, h := range t.Header {
		for _, f := range k.Fields {
			if !headerMatches(f, h) {
				continue
			}
			if prev, dup := cols[f.Name]; dup {
				ps.add(Problem{File: t.File, Row: headerRow, Column: h,
					En: fmt.Sprintf("column %q repeats column %q (both are %s)", h, t.Header[prev], f.Name),
					Zh: fmt.Sprintf("列 %q 与列 %q 重复（均为 %s）", h, t.Header[prev], f.Zh)})
			}
			cols[f.Name] = i
		}
	}
	for _, f := range k.Fields {
		if _, ok := cols[f.Name]; !ok && f.Required {
			ps.add(Problem{File: t.File, Row: headerRow, Column: f.Name,
				En: fmt.Sprintf("required column %s (%s) is missing", f.Name, f.Zh),
				Zh: fmt.Sprintf("缺少必填列 %s（%s）", f.Zh, f.Name)})
		}
	}
	return cols, ps
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

// write parses inputs as records of k, checks them singly and together,
// and upserts those that differ from what is stored, each with a Change.
// next gives each input's field getter and its row (0 for an API write),
// then io.EOF; loc locates a problem in a row. Fields named in absent are
// not in the input, and a record that exists keeps its stored values for
// them. The stored records compared are those of enterprise scope, or all
// with "". Nothing is written if any input has a problem, or if by may
// not write a record as it is stored or as it would be (auth.CanWrite).
func (s *Service) write(ctx context.Context, tx Tx, k *Kind, scope string, absent []string,
	next func() (func(string) string, int, error), loc func(row int, field, en, zh string) Problem, by auth.Principal,
) (recs []any, res Result, err error) {
	actor := by.Actor()
	refs, err := newRefs(ctx, tx)
	if err != nil {
		return nil, res, err
	}
	stored, err := s.stored(ctx, tx, k, scope)
	if err != nil {
		return nil, res, err
	}
	ps := &problems{}
	var rows []int // of each record
	seen := map[string]int{}
	for i := 0; ; i++ {
		get, row, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, res, err
		}
		p := &Parser{kind: k, get: get, refs: refs}
		rec := k.parse(p)
		if prev, ok := stored[k.key(rec)]; ok && (len(absent) > 0 || get("pw") == masked) {
			p = &Parser{kind: k, get: keep(k, get, absent, k.values(prev)), refs: refs}
			rec = k.parse(p)
		}
		if refs.err != nil {
			return nil, res, refs.err
		}
		for _, pr := range p.problems {
			ps.add(loc(row, pr.field, pr.en, pr.zh))
		}
		key := k.key(rec)
		if j, dup := seen[key]; dup {
			ps.add(loc(row, k.Fields[0].Name,
				fmt.Sprintf("%s %s repeats row %d", k.Name, key, rows[j]),
				fmt.Sprintf("%s %s 与第%d行重复", k.Zh, key, rows[j])))
		}
		seen[key] = i
		if len(p.problems) > 0 {
			rec = nil // the checks across records pass it over
		}
		recs, rows = append(recs, rec), append(rows, row)
	}
	res.Rows = len(recs)
	if k.check != nil {
		c := &checker{ctx: ctx, r: tx, recs: recs, fail: func(i int, field, en, zh string) {
			ps.add(loc(rows[i], field, en, zh))
		}}
		if k.check(c); c.err != nil {
			return nil, res, c.err
		}
	}
	if err := ps.err(); err != nil {
		return nil, res, err
	}
	if !auth.Unrestricted(by) {
		ents := map[string]Enterprise{}
		for _, r := range recs {
			if prev, ok := stored[k.key(r)]; ok {
				if err := writable(ctx, tx, by, k, prev, true, ents); err != nil {
					return nil, res, err
				}
			}
			if err := writable(ctx, tx, by, k, r, false, ents); err != nil {
				return nil, res, err
			}
		}
	}

	if k.release != nil {
		for _, r := range recs {
			if prev, ok := stored[k.key(r)]; ok {
				if err := k.release(ctx, tx, prev, r); err != nil {
					return nil, res, err
				}
			}
		}
	}
	at := s.now().UTC()
	// In key order, the upserts walk the primary key's B-tree instead of
	// jumping about it.
	order := slices.Clone(recs)
	slices.SortFunc(order, func(a, b any) int { return strings.Compare(k.key(a), k.key(b)) })
	for _, r := range order {
		switch ch := change(k, stored, r, at, actor); {
		case ch.Op == "create":
			res.Created++
		case len(ch.Fields) > 0:
			res.Updated++
		default:
			res.Unchanged++
			continue
		}
		if err := k.put(ctx, tx, r); err != nil {
			return nil, res, err
		}
	}
	// After the records, so that a store can send each table's rows
	// together; those sent first, and the changes made again rather than
	// kept, for a file's changes are several times the size of its records.
	if err := tx.Flush(ctx); err != nil {
		return nil, res, err
	}
	for _, r := range order {
		if ch := change(k, stored, r, at, actor); ch.Op == "create" || len(ch.Fields) > 0 {
			if err := tx.AddChange(ctx, maskChange(ch)); err != nil {
				return nil, res, err
			}
		}
	}
	return recs, res, nil
}

// change is what writing record r of kind k changes.
func change(k *Kind, stored map[string]any, r any, at time.Time, actor string) Change {
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
	return ch
}

// stored returns the stored records of kind k by key: those of enterprise
// scope, or all of them with "".
func (s *Service) stored(ctx context.Context, r Reader, k *Kind, scope string) (map[string]any, error) {
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
