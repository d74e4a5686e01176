-- The per-mu evaluation's workflow and data completeness (issue 15,
-- decision 0028). annual_data: the shared parcel an enterprise is
-- evaluated on together with others, and its bonus and penalty items.
-- evaluations: each run's state in the public-notice workflow (draft,
-- notice, superseded, approved, published), the run it revises, its notice
-- period, the count of its events and its class counts. evaluation_events: the workflow's
-- audit log, append-only. objections: an enterprise's objection to its
-- result during the notice, and its handling. declarations: an
-- enterprise's own year's figures until an officer confirms them.
ALTER TABLE annual_data ADD COLUMN parcel TEXT NOT NULL DEFAULT '';
ALTER TABLE annual_data ADD COLUMN items TEXT NOT NULL DEFAULT '';
CREATE INDEX annual_data_parcel ON annual_data (parcel) WHERE parcel <> '';

ALTER TABLE evaluations ADD COLUMN state TEXT NOT NULL DEFAULT 'draft';
ALTER TABLE evaluations ADD COLUMN revises INTEGER NOT NULL DEFAULT 0;
ALTER TABLE evaluations ADD COLUMN notice_from TEXT NOT NULL DEFAULT '';
ALTER TABLE evaluations ADD COLUMN notice_to TEXT NOT NULL DEFAULT '';
ALTER TABLE evaluations ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
-- The class counts and those out of scope, so that lists of runs need not
-- read each run's results.
ALTER TABLE evaluations ADD COLUMN classes TEXT NOT NULL DEFAULT '{}';
ALTER TABLE evaluations ADD COLUMN out_of_scope INTEGER NOT NULL DEFAULT 0;

CREATE TABLE evaluation_events (
    evaluation_id INTEGER NOT NULL REFERENCES evaluations (id),
    seq           INTEGER NOT NULL,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    from_state    TEXT NOT NULL,
    to_state      TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    data          TEXT NOT NULL,
    PRIMARY KEY (evaluation_id, seq)
);
CREATE TRIGGER evaluation_events_no_update BEFORE UPDATE ON evaluation_events BEGIN
    SELECT RAISE (ABORT, 'evaluation events are append-only');
END;
CREATE TRIGGER evaluation_events_no_delete BEFORE DELETE ON evaluation_events BEGIN
    SELECT RAISE (ABORT, 'evaluation events are append-only');
END;

CREATE TABLE objections (
    id            INTEGER PRIMARY KEY,
    evaluation_id INTEGER NOT NULL REFERENCES evaluations (id),
    uscc          TEXT NOT NULL REFERENCES enterprises (uscc),
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    text          TEXT NOT NULL,
    attachments   TEXT NOT NULL DEFAULT '[]',
    state         TEXT NOT NULL DEFAULT 'open',
    handled_at    TEXT NOT NULL DEFAULT '',
    handled_by    TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    correction    TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX objections_evaluation ON objections (evaluation_id, id);

CREATE TABLE declarations (
    id         INTEGER PRIMARY KEY,
    uscc       TEXT NOT NULL REFERENCES enterprises (uscc),
    year       INTEGER NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    fields     TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending',
    handled_at TEXT NOT NULL DEFAULT '',
    handled_by TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX declarations_uscc ON declarations (uscc, year, id);
