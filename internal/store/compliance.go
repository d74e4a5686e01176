package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"ecoindustry/internal/compliance"
	"ecoindustry/internal/registry"
)

var _ compliance.Store = (*DB)(nil)

// UpdateCompliance implements compliance.Store.
func (s *DB) UpdateCompliance(ctx context.Context, fn func(compliance.Tx) error) error {
	return s.Tx(ctx, func(c *Conn) error {
		return fn(&complianceTx{reader: reader{q: c, d: s.d}, c: c})
	})
}

// complianceTx implements compliance.Tx.
type complianceTx struct {
	reader
	c *Conn
}

// Registry returns the registry inside the transaction: registry.Service
// runs its one write path on it, and the case's transaction commits it.
func (t *complianceTx) Registry() registry.Store {
	return boundRegistry{&registryTx{reader: t.reader, c: t.c}}
}

// boundRegistry is a registry.Store whose Update joins a transaction
// already open rather than starting one.
type boundRegistry struct{ *registryTx }

func (b boundRegistry) Update(_ context.Context, fn func(registry.Tx) error) error {
	return fn(b.registryTx)
}

var (
	casesTable = &Table{Name: "cases", Cols: []string{"campaign_id", "uscc", "county", "township", "industry", "state", "disposition",
		"version", "opened_on", "deadline", "carried_out_on", "rectified_on", "accepted_on", "closed_out_on", "relapses", "relapsed_on", "assignee", "doc"}}
	eventsTable = &Table{Name: "case_events", Cols: []string{"case_id", "seq", "at", "actor", "action", "from_state", "to_state", "reason", "data"}}
)

// instant is how a time that is compared as text is stored (relapse_at):
// fixed width, so that text order is time order in both databases.
func instant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z")
}

// jsonText marshals v for a TEXT or JSONB column.
func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

// runDoc is what a run keeps beside its columns.
type runDoc struct {
	Rules   compliance.RuleSet      `json:"rules"`
	Scope   *compliance.Scope       `json:"scope,omitempty"`
	InScope []compliance.ScopeCount `json:"in_scope,omitempty"`
}

func (t *complianceTx) AddRun(ctx context.Context, r compliance.Run, cands []compliance.Candidate) (int64, error) {
	doc, err := jsonText(runDoc{Rules: r.Rules, Scope: r.Scope, InScope: r.InScope})
	if err != nil {
		return 0, err
	}
	packed, err := pack(cands)
	if err != nil {
		return 0, err
	}
	var campaign any
	if r.Campaign != 0 {
		campaign = r.Campaign
	}
	return t.insertID(ctx, "add run", `INSERT INTO screening_runs (at, actor, as_of, campaign_id, screened, selected, candidates, doc)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, t.d.Time(r.At), r.Actor, r.AsOf, campaign, r.Screened, r.Selected, packed, doc)
}

// pack is a run's candidates as they are stored: gzipped JSON.
func pack(cands []compliance.Candidate) ([]byte, error) {
	var b bytes.Buffer
	z, _ := gzip.NewWriterLevel(&b, gzip.BestSpeed)
	if err := json.NewEncoder(z).Encode(cands); err != nil {
		return nil, err
	}
	err := z.Close()
	return b.Bytes(), err
}

func unpack(packed []byte) ([]compliance.Candidate, error) {
	z, err := gzip.NewReader(bytes.NewReader(packed))
	if err != nil {
		return nil, err
	}
	var cands []compliance.Candidate
	err = json.NewDecoder(z).Decode(&cands)
	return cands, err
}

// insertID runs an INSERT … RETURNING id.
func (t *complianceTx) insertID(ctx context.Context, op, query string, args ...any) (int64, error) {
	rows, err := t.c.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, t.wrap(op, err)
	}
	defer rows.Close()
	var id int64
	if rows.Next() {
		err = rows.Scan(&id)
	}
	if err == nil {
		err = rows.Err()
	}
	return id, t.wrap(op, err)
}

// campaignDoc is what a campaign keeps beside its columns.
type campaignDoc struct {
	Scope   compliance.Scope   `json:"scope"`
	Start   string             `json:"start"`
	End     string             `json:"end"`
	Targets compliance.Targets `json:"targets"`
	Rules   compliance.RuleSet `json:"rules"`
}

func docOf(c compliance.Campaign) (string, error) {
	return jsonText(campaignDoc{Scope: c.Scope, Start: c.Start, End: c.End, Targets: c.Targets, Rules: c.Rules})
}

func (t *complianceTx) AddCampaign(ctx context.Context, c compliance.Campaign) (int64, error) {
	doc, err := docOf(c)
	if err != nil {
		return 0, err
	}
	return t.insertID(ctx, "add campaign", `INSERT INTO campaigns (name, lead_unit, synthetic, version, created_at, created_by, doc)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, c.Name, c.LeadUnit, c.Synthetic, c.Version, t.d.Time(c.CreatedAt), c.CreatedBy, doc)
}

func (t *complianceTx) UpdateCampaign(ctx context.Context, c compliance.Campaign, version int) error {
	doc, err := docOf(c)
	if err != nil {
		return err
	}
	res, err := t.c.ExecContext(ctx, `UPDATE campaigns SET name = $1, lead_unit = $2, synthetic = $3, version = $4, doc = $5
		WHERE id = $6 AND version = $7`, c.Name, c.LeadUnit, c.Synthetic, version+1, doc, c.ID, version)
	return t.checkOne("update campaign", res, err)
}

// checkOne turns an UPDATE that touched no row into ErrStale.
func (t *complianceTx) checkOne(op string, res sql.Result, err error) error {
	if err != nil {
		return t.wrap(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return t.wrap(op, err)
	}
	if n == 0 {
		return compliance.ErrStale
	}
	return nil
}

func (t *complianceTx) LockCampaign(ctx context.Context, id int64) error {
	res, err := t.c.ExecContext(ctx, `UPDATE campaigns SET surveys = surveys + 1 WHERE id = $1`, id)
	if err := t.checkOne("lock campaign", res, err); err != nil {
		return fmt.Errorf("%s: no campaign %d: %w", t.d.Name, id, err)
	}
	return nil
}

func (t *complianceTx) AddCases(ctx context.Context, cs []compliance.Case) ([]int64, error) {
	campaigns := map[int64]bool{}
	for _, c := range cs {
		doc, err := jsonText(c.Record)
		if err != nil {
			return nil, err
		}
		t.c.Put(casesTable, []any{c.Campaign, c.USCC, c.County, c.Township, c.Industry, string(c.State), string(c.Disposition),
			c.Version, c.OpenedOn, c.Deadline, c.CarriedOutOn, c.RectifiedOn, c.AcceptedOn, c.ClosedOutOn, c.Relapses, c.RelapsedOn, c.Assignee, doc})
		campaigns[c.Campaign] = true
	}
	// The ids the database gave, by campaign and enterprise (unique).
	type key struct {
		campaign int64
		uscc     string
	}
	ids := map[key]int64{}
	for campaign := range campaigns {
		ks, err := list(ctx, t.reader, "case ids", `SELECT id, uscc FROM cases WHERE campaign_id = $1`, []any{campaign},
			func(rows *sql.Rows, k *compliance.Summary) error { return rows.Scan(&k.ID, &k.USCC) })
		if err != nil {
			return nil, err
		}
		for _, k := range ks {
			ids[key{campaign, k.USCC}] = k.ID
		}
	}
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = ids[key{c.Campaign, c.USCC}]
	}
	return out, nil
}

func (t *complianceTx) UpdateCase(ctx context.Context, c compliance.Case, version int) error {
	doc, err := jsonText(c.Record)
	if err != nil {
		return err
	}
	res, err := t.c.ExecContext(ctx, `UPDATE cases SET state = $1, disposition = $2, version = $3, deadline = $4, carried_out_on = $5,
		rectified_on = $6, accepted_on = $7, closed_out_on = $8, relapses = $9, relapsed_on = $10, doc = $11, assignee = $14
		WHERE id = $12 AND version = $13`,
		string(c.State), string(c.Disposition), c.Version, c.Deadline, c.CarriedOutOn, c.RectifiedOn, c.AcceptedOn, c.ClosedOutOn,
		c.Relapses, c.RelapsedOn, doc, c.ID, version, c.Assignee)
	return t.checkOne("update case", res, err)
}

func (t *complianceTx) AddEvidence(ctx context.Context, id int64, n int, at time.Time, first bool) error {
	query := `UPDATE cases SET relapse_evidence = relapse_evidence + $3, relapse_at = ` + t.d.Greatest + `(relapse_at, $2) WHERE id = $1`
	if first {
		query = `UPDATE cases SET relapse_evidence = $3, relapse_at = $2 WHERE id = $1`
	}
	res, err := t.c.ExecContext(ctx, query, id, instant(at), n)
	return t.checkOne("relapse evidence", res, err)
}

func (t *complianceTx) AddEvents(_ context.Context, es []compliance.Event) error {
	for _, e := range es {
		t.c.Put(eventsTable, []any{e.Case, e.Seq, t.d.Time(e.At), e.Actor, string(e.Action), string(e.From), string(e.To), e.Reason, string(e.Data)})
	}
	return nil
}

func (r reader) Campaigns(ctx context.Context) ([]compliance.Campaign, error) {
	return list(ctx, r, "campaigns", `SELECT `+campaignColumns+` FROM campaigns ORDER BY id`, nil, scanCampaign)
}

func (r reader) Campaign(ctx context.Context, id int64) (compliance.Campaign, bool, error) {
	cs, err := list(ctx, r, "campaign", `SELECT `+campaignColumns+` FROM campaigns WHERE id = $1`, []any{id}, scanCampaign)
	if err != nil || len(cs) == 0 {
		return compliance.Campaign{}, false, err
	}
	return cs[0], true, nil
}

const campaignColumns = `id, name, lead_unit, synthetic, version, created_at, created_by, doc`

func scanCampaign(rows *sql.Rows, c *compliance.Campaign) error {
	var at timestamp
	var doc string
	if err := rows.Scan(&c.ID, &c.Name, &c.LeadUnit, &c.Synthetic, &c.Version, &at, &c.CreatedBy, &doc); err != nil {
		return err
	}
	var d campaignDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return err
	}
	c.CreatedAt, c.Scope, c.Start, c.End, c.Targets, c.Rules = at.Time, d.Scope, d.Start, d.End, d.Targets, d.Rules
	return nil
}

// caseColumns are a case's own columns, on alias k.
const caseColumns = `k.id, k.campaign_id, k.uscc, k.county, k.township, k.industry, k.state, k.disposition, k.version, k.opened_on,
	k.deadline, k.carried_out_on, k.rectified_on, k.accepted_on, k.closed_out_on, k.relapses, k.relapsed_on, k.assignee, k.relapse_evidence, k.relapse_at`

func scanColumns(c *compliance.Summary, more ...any) []any {
	return append([]any{&c.ID, &c.Campaign, &c.USCC, &c.County, &c.Township, &c.Industry, &c.State, &c.Disposition, &c.Version, &c.OpenedOn,
		&c.Deadline, &c.CarriedOutOn, &c.RectifiedOn, &c.AcceptedOn, &c.ClosedOutOn, &c.Relapses, &c.RelapsedOn, &c.Assignee, &c.RelapseEvidence}, more...)
}

func parseInstant(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

func scanCase(rows *sql.Rows, c *compliance.Case) error {
	var at, doc string
	if err := rows.Scan(scanColumns(&c.Summary, &at, &c.Name, &doc)...); err != nil {
		return err
	}
	var err error
	if c.RelapseAt, err = parseInstant(at); err != nil {
		return err
	}
	return json.Unmarshal([]byte(doc), &c.Record)
}

func (r reader) Cases(ctx context.Context, f compliance.CaseFilter) ([]compliance.Case, int, error) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Campaign != 0 {
		conds = append(conds, "k.campaign_id = "+arg(f.Campaign))
	}
	for _, c := range []struct{ col, v string }{
		{"k.uscc", f.USCC}, {"k.county", f.County}, {"k.township", f.Township}, {"k.state", string(f.State)},
		{"k.disposition", string(f.Disposition)}, {"k.assignee", f.Assignee},
	} {
		if c.v != "" {
			conds = append(conds, c.col+" = "+arg(c.v))
		}
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	n := len(args)
	query := `SELECT ` + caseColumns + `, COALESCE(e.name, ''), k.doc FROM cases k LEFT JOIN enterprises e ON e.uscc = k.uscc` + where + ` ORDER BY k.id`
	if f.Limit > 0 {
		query += " LIMIT " + arg(f.Limit) + " OFFSET " + arg(f.Offset)
	}
	cs, err := list(ctx, r, "list cases", query, args, scanCase)
	if err != nil {
		return nil, 0, err
	}
	total := len(cs)
	if f.Limit > 0 && (f.Offset > 0 || total == f.Limit) {
		counts, err := list(ctx, r, "count cases", `SELECT COUNT(*) FROM cases k`+where, args[:n],
			func(rows *sql.Rows, n *int) error { return rows.Scan(n) })
		if err != nil {
			return nil, 0, err
		}
		total = counts[0]
	}
	return cs, total, nil
}

func (r reader) Case(ctx context.Context, id int64) (compliance.Case, bool, error) {
	cs, err := list(ctx, r, "case", `SELECT `+caseColumns+`, COALESCE(e.name, ''), k.doc FROM cases k LEFT JOIN enterprises e ON e.uscc = k.uscc
		WHERE k.id = $1`, []any{id}, scanCase)
	if err != nil || len(cs) == 0 {
		return compliance.Case{}, false, err
	}
	return cs[0], true, nil
}

func (r reader) Summaries(ctx context.Context, campaign int64) ([]compliance.Summary, error) {
	return list(ctx, r, "case summaries", `SELECT `+caseColumns+` FROM cases k WHERE k.campaign_id = $1 ORDER BY k.id`, []any{campaign},
		func(rows *sql.Rows, c *compliance.Summary) error {
			var at string
			if err := rows.Scan(scanColumns(c, &at)...); err != nil {
				return err
			}
			var err error
			c.RelapseAt, err = parseInstant(at)
			return err
		})
}

func (r reader) Events(ctx context.Context, caseID int64) ([]compliance.Event, error) {
	return list(ctx, r, "case events", `SELECT case_id, seq, at, actor, action, from_state, to_state, reason, data FROM case_events
		WHERE case_id = $1 ORDER BY seq`, []any{caseID},
		func(rows *sql.Rows, e *compliance.Event) error {
			var at timestamp
			var data string
			if err := rows.Scan(&e.Case, &e.Seq, &at, &e.Actor, &e.Action, &e.From, &e.To, &e.Reason, &data); err != nil {
				return err
			}
			e.At, e.Data = at.Time, json.RawMessage(data)
			return nil
		})
}

const runColumns = `id, at, actor, as_of, COALESCE(campaign_id, 0), screened, selected, doc`

func scanRun(rows *sql.Rows, r *compliance.Run) error {
	var at timestamp
	var doc string
	if err := rows.Scan(&r.ID, &at, &r.Actor, &r.AsOf, &r.Campaign, &r.Screened, &r.Selected, &doc); err != nil {
		return err
	}
	var d runDoc
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return err
	}
	r.At, r.Rules, r.Scope, r.InScope = at.Time, d.Rules, d.Scope, d.InScope
	return nil
}

func (r reader) Runs(ctx context.Context) ([]compliance.Run, error) {
	return list(ctx, r, "runs", `SELECT `+runColumns+` FROM screening_runs ORDER BY id DESC`, nil, scanRun)
}

func (r reader) Run(ctx context.Context, id int64) (compliance.Run, bool, error) {
	rs, err := list(ctx, r, "run", `SELECT `+runColumns+` FROM screening_runs WHERE id = $1`, []any{id}, scanRun)
	if err != nil || len(rs) == 0 {
		return compliance.Run{}, false, err
	}
	return rs[0], true, nil
}

func (r reader) LatestSurvey(ctx context.Context, campaign int64) (compliance.Run, bool, error) {
	rs, err := list(ctx, r, "latest survey", `SELECT `+runColumns+` FROM screening_runs WHERE campaign_id = $1 ORDER BY id DESC LIMIT 1`,
		[]any{campaign}, scanRun)
	if err != nil || len(rs) == 0 {
		return compliance.Run{}, false, err
	}
	return rs[0], true, nil
}

func (r reader) Candidates(ctx context.Context, run int64) ([]compliance.Candidate, error) {
	var packed []byte
	err := r.first(ctx, "candidates", `SELECT candidates FROM screening_runs WHERE id = $1`, []any{run}, &packed)
	if err != nil || packed == nil {
		return nil, err
	}
	cands, err := unpack(packed)
	return cands, r.wrap("candidates", err)
}

// first scans the first row of a query into dest, leaving it if there is none.
func (r reader) first(ctx context.Context, op, query string, args []any, dest ...any) error {
	rows, err := r.q.QueryContext(ctx, query, args...)
	if err != nil {
		return r.wrap(op, err)
	}
	defer rows.Close()
	if rows.Next() {
		err = rows.Scan(dest...)
	}
	if err == nil {
		err = rows.Err()
	}
	return r.wrap(op, err)
}

func (r reader) Watched(ctx context.Context) ([]compliance.Watch, error) {
	return list(ctx, r, "watched", `SELECT id, uscc FROM cases WHERE disposition = 'close' AND carried_out_on <> '' AND state <> 'dismissed'`, nil,
		func(rows *sql.Rows, w *compliance.Watch) error { return rows.Scan(&w.Case, &w.USCC) })
}

// tallyQuery counts a campaign's cases by county and division, each count
// as compliance.Counts defines it ($2: the date a deadline passes before).
const tallyQuery = `SELECT county, substr(industry, 1, 2), COUNT(*),
	COUNT(*) FILTER (WHERE state = 'surveyed'),
	COUNT(*) FILTER (WHERE state = 'dismissed'),
	COUNT(*) FILTER (WHERE disposition = 'close'),
	COUNT(*) FILTER (WHERE disposition = 'relocate'),
	COUNT(*) FILTER (WHERE disposition = 'upgrade'),
	COUNT(*) FILTER (WHERE disposition = 'stop_rectify'),
	COUNT(*) FILTER (WHERE disposition = 'close' AND carried_out_on <> ''),
	COUNT(*) FILTER (WHERE disposition = 'relocate' AND carried_out_on <> ''),
	COUNT(*) FILTER (WHERE disposition IN ('upgrade', 'stop_rectify') AND state = 'closed_out'),
	COUNT(*) FILTER (WHERE accepted_on <> ''),
	COUNT(*) FILTER (WHERE state = 'closed_out'),
	COUNT(*) FILTER (WHERE deadline <> '' AND deadline < $2 AND state NOT IN ('closed_out', 'dismissed')),
	COUNT(*) FILTER (WHERE relapses > 0),
	COUNT(*) FILTER (WHERE state = 'reopened')
	FROM cases WHERE campaign_id = $1 AND ($3 = '' OR county = $3) GROUP BY county, substr(industry, 1, 2)`

// timelineQuery counts a campaign's cases opened, closed out and relapsed
// by month (the month of their latest 销号 and relapse), of county $2 or
// ("") all.
const timelineQuery = `SELECT substr(opened_on, 1, 7), 0, COUNT(*) FROM cases WHERE campaign_id = $1 AND ($2 = '' OR county = $2)
	GROUP BY substr(opened_on, 1, 7)
	UNION ALL SELECT substr(closed_out_on, 1, 7), 1, COUNT(*) FROM cases WHERE campaign_id = $1 AND ($2 = '' OR county = $2) AND state = 'closed_out'
	GROUP BY substr(closed_out_on, 1, 7)
	UNION ALL SELECT substr(relapsed_on, 1, 7), 2, COUNT(*) FROM cases WHERE campaign_id = $1 AND ($2 = '' OR county = $2) AND relapsed_on <> ''
	GROUP BY substr(relapsed_on, 1, 7)`

func (r reader) Tally(ctx context.Context, campaign int64, asOf, county string) ([]compliance.Cell, []compliance.Month, error) {
	cells, err := list(ctx, r, "tally cases", tallyQuery, []any{campaign, asOf, county}, func(rows *sql.Rows, c *compliance.Cell) error {
		n := &c.Counts
		return rows.Scan(&c.County, &c.Division, &n.Surveyed, &n.Pending, &n.Dismissed, &n.Close, &n.Relocate, &n.Upgrade, &n.StopRectify,
			&n.Closed, &n.Relocated, &n.Upgraded, &n.Accepted, &n.ClosedOut, &n.Overdue, &n.Relapsed, &n.Reopened)
	})
	if err != nil {
		return nil, nil, err
	}
	type count struct {
		month string
		what  int
		n     int
	}
	counts, err := list(ctx, r, "case timeline", timelineQuery, []any{campaign, county}, func(rows *sql.Rows, c *count) error {
		return rows.Scan(&c.month, &c.what, &c.n)
	})
	if err != nil {
		return nil, nil, err
	}
	byMonth := map[string]*compliance.Month{}
	for _, c := range counts {
		m := byMonth[c.month]
		if m == nil {
			m = &compliance.Month{Month: c.month}
			byMonth[c.month] = m
		}
		switch c.what {
		case 0:
			m.Surveyed = c.n
		case 1:
			m.ClosedOut = c.n
		case 2:
			m.Relapsed = c.n
		}
	}
	months := make([]compliance.Month, 0, len(byMonth))
	for _, m := range byMonth {
		months = append(months, *m)
	}
	slices.SortFunc(months, func(a, b compliance.Month) int { return strings.Compare(a.Month, b.Month) })
	return cells, months, nil
}

// Records implements compliance.Store: only the columns screening reads,
// in USCC order (the primary keys' order, which imports write in), the six
// lists in two halves at once, one per core. (Seven at once took longer:
// connections beyond the pool's idle ones start with cold page caches.)
func (s *DB) Records(ctx context.Context) (*compliance.Records, error) {
	r := s.reader
	recs := &compliance.Records{}
	var errA, errB error
	var wg sync.WaitGroup
	wg.Go(func() {
		var err1, err2, err3 error
		recs.Enterprises, err1 = all(ctx, r, "enterprises", `SELECT uscc, name, county, industry_code, size, status, COALESCE(park, ''), address
			FROM enterprises ORDER BY uscc`, func(rows *sql.Rows, e *registry.Enterprise) error {
			return rows.Scan(&e.USCC, &e.Name, &e.County, &e.IndustryCode, &e.Size, &e.Status, &e.Park, &e.Address)
		})
		recs.Facilities, err2 = all(ctx, r, "facilities", `SELECT uscc, COALESCE(outlet_code, ''), in_service FROM facilities ORDER BY uscc, facility_code`,
			func(rows *sql.Rows, f *registry.Facility) error {
				return rows.Scan(&f.USCC, &f.OutletCode, &f.InService)
			})
		recs.Units, err3 = r.Units(ctx)
		errA = errors.Join(err1, err2, err3)
	})
	wg.Go(func() {
		var err1, err2, err3, err4 error
		recs.Licences, err1 = all(ctx, r, "licences", `SELECT uscc, licence_no, valid_to, status FROM licences ORDER BY uscc, licence_no`,
			func(rows *sql.Rows, l *registry.Licence) error {
				return rows.Scan(&l.USCC, &l.LicenceNo, &l.ValidTo, &l.Status)
			})
		recs.Sites, err2 = all(ctx, r, "sites", `SELECT uscc, land_status, certificate_no FROM sites ORDER BY uscc`,
			func(rows *sql.Rows, s *registry.Site) error {
				return rows.Scan(&s.USCC, &s.LandStatus, &s.CertificateNo)
			})
		recs.Safety, err3 = all(ctx, r, "safety", `SELECT uscc, assessed_on, result, valid_to FROM safety ORDER BY uscc, assessed_on`,
			func(rows *sql.Rows, s *registry.Safety) error {
				return rows.Scan(&s.USCC, &s.AssessedOn, &s.Result, &s.ValidTo)
			})
		recs.Outlets, err4 = all(ctx, r, "outlets", `SELECT uscc, outlet_code, kind FROM outlets ORDER BY uscc, outlet_code`,
			func(rows *sql.Rows, o *registry.Outlet) error { return rows.Scan(&o.USCC, &o.OutletCode, &o.Kind) })
		errB = errors.Join(err1, err2, err3, err4)
	})
	wg.Wait()
	if err := errors.Join(errA, errB); err != nil {
		return nil, err
	}
	return recs, nil
}

// all reads a whole table into a slice allocated once for its rows:
// appending 100,000 records to a doubling slice spent a fifth of the
// reading copying them.
func all[T any](ctx context.Context, r reader, table, query string, scan func(*sql.Rows, *T) error) ([]T, error) {
	var n int
	if err := r.first(ctx, "count "+table, `SELECT COUNT(*) FROM `+table, nil, &n); err != nil {
		return nil, err
	}
	rows, err := r.q.QueryContext(ctx, query)
	if err != nil {
		return nil, r.wrap("screen "+table, err)
	}
	defer rows.Close()
	out := make([]T, 0, n+n/8) // rows written meanwhile
	for rows.Next() {
		out = append(out, *new(T))
		if err := scan(rows, &out[len(out)-1]); err != nil {
			return nil, r.wrap("screen "+table, err)
		}
	}
	return out, r.wrap("screen "+table, rows.Err())
}
