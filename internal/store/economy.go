package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"ecoindustry/internal/cst"
	"ecoindustry/internal/economy"
	"ecoindustry/internal/registry"
)

// Inputs implements economy.Store: one county's enterprises, neither
// closed nor relocated, with figures for the year, their founding date,
// items, and the items counted from the system's own data: rectification
// cases opened in the year and not dismissed, exceedance alarms started
// in the year (economy.Items).
func (r reader) Inputs(ctx context.Context, county string, year int) ([]economy.Input, error) {
	from, to := time.Date(year, 1, 1, 0, 0, 0, 0, cst.Zone), time.Date(year+1, 1, 1, 0, 0, 0, 0, cst.Zone)
	rows, err := r.q.QueryContext(ctx, `SELECT e.uscc, e.name, e.industry_code, e.size, e.founded, a.year, a.tax, a.value_added, a.revenue,
		a.energy_tce, a.electricity_kwh, a.emissions_t, a.rd, a.employees, CASE WHEN a.land_mu > 0 THEN a.land_mu ELSE e.land_mu END, a.source,
		a.parcel, a.items, COALESCE(c.n, 0), COALESCE(al.n, 0)
		FROM annual_data a JOIN enterprises e ON e.uscc = a.uscc
		LEFT JOIN (SELECT uscc, COUNT(*) AS n FROM cases WHERE county = $1 AND state <> 'dismissed' AND opened_on >= $3 AND opened_on < $4 GROUP BY uscc) c ON c.uscc = a.uscc
		LEFT JOIN (SELECT uscc, COUNT(*) AS n FROM alarms WHERE kind = 'exceedance' AND started_at >= $5 AND started_at < $6 GROUP BY uscc) al ON al.uscc = a.uscc
		WHERE e.county = $1 AND a.year = $2 AND e.status NOT IN ('closed', 'relocated') ORDER BY a.uscc`,
		county, year, from.Format(time.DateOnly), to.Format(time.DateOnly), r.d.Time(from), r.d.Time(to))
	if err != nil {
		return nil, r.wrap("evaluation inputs", err)
	}
	defer rows.Close()
	var out []economy.Input
	for rows.Next() {
		var in economy.Input
		var cases, alarms int
		if err := rows.Scan(&in.USCC, &in.Name, &in.Industry, &in.Size, &in.Founded, &in.Year, &in.Tax, &in.ValueAdded, &in.Revenue,
			&in.EnergyTce, &in.Kwh, &in.EmissionsT, &in.RD, &in.Employees, &in.LandMu, &in.Source, &in.Parcel, &in.Items, &cases, &alarms); err != nil {
			return nil, r.wrap("evaluation inputs", err)
		}
		if in.Items != "" || cases > 0 || alarms > 0 {
			in.Counts, _, _ = economy.ParseItems(in.Items)
			if in.Counts == nil { // an item no longer importable: scored as none
				in.Counts = map[string]int{}
			}
			if cases > 0 {
				in.Counts["rectification_case"] = cases
			}
			if alarms > 0 {
				in.Counts["exceedance_alarm"] = alarms
			}
		}
		out = append(out, in)
	}
	return out, r.wrap("evaluation inputs", rows.Err())
}

// AddEvaluation implements economy.Store: the run and the first event of
// its audit log.
func (s *DB) AddEvaluation(ctx context.Context, e economy.StoredRun) (int64, error) {
	var id int64
	err := s.Tx(ctx, func(c *Conn) error {
		var err error
		id, err = addEvaluation(ctx, c, e)
		return err
	})
	return id, s.reader.wrap("add evaluation", err)
}

func addEvaluation(ctx context.Context, c *Conn, e economy.StoredRun) (int64, error) {
	var id int64
	classes, err := jsonText(e.Classes)
	if err != nil {
		return 0, err
	}
	rows, err := c.QueryContext(ctx, `INSERT INTO evaluations (at, actor, county, year, method_name, method, evaluated, inputs, results,
		state, revises, notice_from, notice_to, version, classes, out_of_scope) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $15) RETURNING id`,
		e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.County, e.Year, e.MethodName, e.Method, e.Evaluated, e.Inputs, e.Outcome,
		string(e.State), e.Revises, e.NoticeFrom, e.NoticeTo, classes, e.OutOfScope)
	if err != nil {
		return 0, err
	}
	if rows.Next() {
		err = rows.Scan(&id)
	}
	if err == nil {
		err = rows.Err()
	}
	rows.Close()
	if err != nil {
		return 0, err
	}
	data := "{}"
	if e.Revises != 0 {
		data = fmt.Sprintf(`{"revises": %d}`, e.Revises)
	}
	_, err = c.ExecContext(ctx, `INSERT INTO evaluation_events (evaluation_id, seq, at, actor, action, from_state, to_state, reason, data)
		VALUES ($1, 1, $2, $3, $4, '', $5, '', $6)`, id, instant(e.At), e.Actor, economy.ActRun, string(e.State), data)
	return id, err
}

const evaluationColumns = `id, at, actor, county, year, method_name, method, evaluated, results, state, revises, notice_from, notice_to,
	COALESCE((SELECT MAX(n.id) FROM evaluations n WHERE n.revises = evaluations.id), 0)`

// Evaluation implements economy.Store: the run without its inputs, which
// are kept for the record and read by none of its readers.
func (r reader) Evaluation(ctx context.Context, id int64) (economy.StoredRun, error) {
	var e economy.StoredRun
	var at string
	err := r.first(ctx, "evaluation", `SELECT `+evaluationColumns+` FROM evaluations WHERE id = $1`,
		[]any{id}, &e.ID, &at, &e.Actor, &e.County, &e.Year, &e.MethodName, &e.Method, &e.Evaluated, &e.Outcome,
		&e.State, &e.Revises, &e.NoticeFrom, &e.NoticeTo, &e.Next)
	if err == nil && at != "" {
		e.At, err = time.Parse(time.RFC3339, at)
	}
	return e, err
}

// EvaluationInputs implements economy.Store.
func (r reader) EvaluationInputs(ctx context.Context, id int64) ([]byte, error) {
	var out []byte
	err := r.first(ctx, "evaluation inputs", `SELECT inputs FROM evaluations WHERE id = $1`, []any{id}, &out)
	return out, err
}

// EvaluationRuns implements economy.Store.
func (r reader) EvaluationRuns(ctx context.Context, county string, year int) ([]economy.StoredRun, error) {
	q, args := `SELECT id, at, actor, county, year, method_name, evaluated, state, revises, notice_from, notice_to, classes, out_of_scope,
		COALESCE((SELECT MAX(n.id) FROM evaluations n WHERE n.revises = evaluations.id), 0) FROM evaluations WHERE TRUE`, []any{}
	if county != "" {
		args = append(args, county)
		q += fmt.Sprintf(" AND county = $%d", len(args))
	}
	if year != 0 {
		args = append(args, year)
		q += fmt.Sprintf(" AND year = $%d", len(args))
	}
	return list(ctx, r, "evaluations", q+" ORDER BY id DESC LIMIT 500", args, func(rows *sql.Rows, e *economy.StoredRun) error {
		var at, classes string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.County, &e.Year, &e.MethodName, &e.Evaluated, &e.State, &e.Revises, &e.NoticeFrom, &e.NoticeTo,
			&classes, &e.OutOfScope, &e.Next); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(classes), &e.Classes); err != nil {
			return err
		}
		var err error
		e.At, err = time.Parse(time.RFC3339, at)
		return err
	})
}

// Latest implements economy.Store.
func (r reader) Latest(ctx context.Context, county string, year int) ([]byte, error) {
	var out []byte
	err := r.first(ctx, "latest evaluation", `SELECT results FROM evaluations WHERE county = $1 AND year = $2 AND state <> 'superseded'
		ORDER BY CASE WHEN state = 'published' THEN 0 ELSE 1 END, id DESC LIMIT 1`, []any{county, year}, &out)
	return out, err
}

// UpdateEvaluation implements economy.Store.
func (s *DB) UpdateEvaluation(ctx context.Context, fn func(economy.Tx) error) error {
	return s.Tx(ctx, func(c *Conn) error {
		return fn(&evaluationTx{reader: reader{q: c, d: s.d}, c: c})
	})
}

// evaluationTx implements economy.Tx.
type evaluationTx struct {
	reader
	c *Conn
}

func (t *evaluationTx) Registry() registry.Store {
	return boundRegistry{&registryTx{reader: t.reader, c: t.c}}
}

func (t *evaluationTx) AddEvaluation(ctx context.Context, e economy.StoredRun) (int64, error) {
	id, err := addEvaluation(ctx, t.c, e)
	return id, t.wrap("add evaluation", err)
}

func (t *evaluationTx) SetState(ctx context.Context, id int64, from, to economy.State, noticeFrom, noticeTo string) error {
	res, err := t.c.ExecContext(ctx, `UPDATE evaluations SET state = $1, notice_from = $2, notice_to = $3 WHERE id = $4 AND state = $5`,
		string(to), noticeFrom, noticeTo, id, string(from))
	if err != nil {
		return t.wrap("evaluation state", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return cmp.Or(t.wrap("evaluation state", err), economy.ErrStale)
	}
	return nil
}

func (t *evaluationTx) AddEvent(ctx context.Context, e economy.Event) error {
	var seq int
	err := t.first(ctx, "evaluation event", `UPDATE evaluations SET version = version + 1 WHERE id = $1 RETURNING version`, []any{e.Evaluation}, &seq)
	if err != nil {
		return err
	}
	_, err = t.c.ExecContext(ctx, `INSERT INTO evaluation_events (evaluation_id, seq, at, actor, action, from_state, to_state, reason, data)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, e.Evaluation, seq, instant(e.At), e.Actor, e.Action, string(e.From), string(e.To), e.Reason, string(e.Data))
	return t.wrap("evaluation event", err)
}

func (t *evaluationTx) AddObjection(ctx context.Context, o economy.Objection) (int64, error) {
	atts, err := jsonText(o.Attachments)
	if err != nil {
		return 0, err
	}
	var id int64
	err = t.first(ctx, "add objection", `INSERT INTO objections (evaluation_id, uscc, at, actor, text, attachments, state)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, []any{o.Evaluation, o.USCC, instant(o.At), o.Actor, o.Text, atts, o.State}, &id)
	return id, err
}

func (t *evaluationTx) Objection(ctx context.Context, id int64) (economy.Objection, error) {
	os, err := list(ctx, t.reader, "objection", `SELECT `+objectionColumns+` FROM objections WHERE id = $1`, []any{id}, scanObjection)
	if err != nil || len(os) == 0 {
		return economy.Objection{}, err
	}
	return os[0], nil
}

func (t *evaluationTx) HandleObjection(ctx context.Context, o economy.Objection) error {
	corr, err := jsonText(o.Correction)
	if err != nil {
		return err
	}
	res, err := t.c.ExecContext(ctx, `UPDATE objections SET state = $1, handled_at = $2, handled_by = $3, reason = $4, correction = $5
		WHERE id = $6 AND state = 'open'`, o.State, instant(o.HandledAt), o.HandledBy, o.Reason, corr, o.ID)
	if err != nil {
		return t.wrap("handle objection", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return cmp.Or(t.wrap("handle objection", err), economy.ErrStale)
	}
	return nil
}

func (t *evaluationTx) AttachmentExists(ctx context.Context, id string) (bool, error) {
	var n int
	err := t.first(ctx, "attachment", `SELECT COUNT(*) FROM attachments WHERE id = $1`, []any{id}, &n)
	return n > 0, err
}

const objectionColumns = `id, evaluation_id, uscc, at, actor, text, attachments, state, handled_at, handled_by, reason, correction`

func scanObjection(rows *sql.Rows, o *economy.Objection) error {
	var at, handled, atts, corr string
	if err := rows.Scan(&o.ID, &o.Evaluation, &o.USCC, &at, &o.Actor, &o.Text, &atts, &o.State, &handled, &o.HandledBy, &o.Reason, &corr); err != nil {
		return err
	}
	var err error
	if o.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
		return err
	}
	if handled != "" {
		if o.HandledAt, err = time.Parse(time.RFC3339Nano, handled); err != nil {
			return err
		}
	}
	if err := json.Unmarshal([]byte(atts), &o.Attachments); err != nil {
		return err
	}
	return json.Unmarshal([]byte(corr), &o.Correction)
}

// Objections implements economy.Store.
func (r reader) Objections(ctx context.Context, runs []int64) ([]economy.Objection, error) {
	var out []economy.Objection
	for _, run := range runs {
		os, err := list(ctx, r, "objections", `SELECT `+objectionColumns+` FROM objections WHERE evaluation_id = $1 ORDER BY id`, []any{run}, scanObjection)
		if err != nil {
			return nil, err
		}
		out = append(out, os...)
	}
	slices.SortFunc(out, func(a, b economy.Objection) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// EvaluationEvents implements economy.Store: the runs' events, oldest first.
func (r reader) EvaluationEvents(ctx context.Context, runs []int64) ([]economy.Event, error) {
	var out []economy.Event
	for _, run := range runs {
		es, err := list(ctx, r, "evaluation events", `SELECT evaluation_id, seq, at, actor, action, from_state, to_state, reason, data
			FROM evaluation_events WHERE evaluation_id = $1 ORDER BY seq`, []any{run}, func(rows *sql.Rows, e *economy.Event) error {
			var at, data string
			if err := rows.Scan(&e.Evaluation, &e.Seq, &at, &e.Actor, &e.Action, &e.From, &e.To, &e.Reason, &data); err != nil {
				return err
			}
			e.Data = json.RawMessage(data)
			var err error
			e.At, err = time.Parse(time.RFC3339Nano, at)
			return err
		})
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
	}
	slices.SortStableFunc(out, func(a, b economy.Event) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Evaluation, b.Evaluation))
	})
	return out, nil
}
