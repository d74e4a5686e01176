-- Rectification (四无 / 散乱污): screening runs (each with its candidates
-- and their evidence as one gzipped JSON list: a 100,000-enterprise
-- screening selects tens of thousands, 15 MB as rows, 1 MB so), campaigns,
-- one case per enterprise and campaign, the cases' audit log, and the
-- attachments' descriptions (their content is in files under the data
-- directory's attachments/). Runs and events are append-only; a case's
-- columns beside its document are what lists filter and statistics count.
CREATE TABLE screening_runs (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    as_of       TEXT NOT NULL,
    campaign_id INTEGER,
    screened    INTEGER NOT NULL,
    selected    INTEGER NOT NULL,
    candidates  BLOB NOT NULL,
    doc         TEXT NOT NULL
);
CREATE INDEX screening_runs_campaign ON screening_runs (campaign_id, id);

CREATE TABLE campaigns (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    lead_unit  TEXT NOT NULL,
    synthetic  INTEGER NOT NULL DEFAULT 0,
    version    INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    surveys    INTEGER NOT NULL DEFAULT 0,
    doc        TEXT NOT NULL
);

CREATE TABLE cases (
    id               INTEGER PRIMARY KEY,
    campaign_id      INTEGER NOT NULL REFERENCES campaigns (id),
    uscc             TEXT NOT NULL REFERENCES enterprises (uscc),
    county           TEXT NOT NULL,
    township         TEXT NOT NULL DEFAULT '',
    industry         TEXT NOT NULL,
    state            TEXT NOT NULL,
    disposition      TEXT NOT NULL DEFAULT '',
    version          INTEGER NOT NULL,
    opened_on        TEXT NOT NULL,
    deadline         TEXT NOT NULL DEFAULT '',
    carried_out_on   TEXT NOT NULL DEFAULT '',
    rectified_on     TEXT NOT NULL DEFAULT '',
    accepted_on      TEXT NOT NULL DEFAULT '',
    closed_out_on    TEXT NOT NULL DEFAULT '',
    relapses         INTEGER NOT NULL DEFAULT 0,
    relapsed_on      TEXT NOT NULL DEFAULT '',
    relapse_evidence INTEGER NOT NULL DEFAULT 0,
    relapse_at       TEXT NOT NULL DEFAULT '',
    doc              TEXT NOT NULL,
    UNIQUE (campaign_id, uscc)
);
CREATE INDEX cases_uscc ON cases (uscc);
CREATE INDEX cases_state ON cases (state, campaign_id);
-- The closures carried out: the enterprises whose loggers should be silent.
CREATE INDEX cases_closed ON cases (disposition, carried_out_on);

CREATE TABLE case_events (
    case_id    INTEGER NOT NULL REFERENCES cases (id),
    seq        INTEGER NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    data       TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

CREATE TABLE attachments (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    size INTEGER NOT NULL,
    at   TEXT NOT NULL,
    data BLOB
);

-- The audit log and the screening record are append-only: the database
-- itself refuses to rewrite them.
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events BEGIN
    SELECT RAISE (ABORT, 'case events are append-only');
END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events BEGIN
    SELECT RAISE (ABORT, 'case events are append-only');
END;
CREATE TRIGGER screening_runs_no_update BEFORE UPDATE ON screening_runs BEGIN
    SELECT RAISE (ABORT, 'screening runs are append-only');
END;
CREATE TRIGGER screening_runs_no_delete BEFORE DELETE ON screening_runs BEGIN
    SELECT RAISE (ABORT, 'screening runs are append-only');
END;
