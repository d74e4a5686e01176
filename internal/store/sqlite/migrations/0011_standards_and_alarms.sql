-- Compliance from the monitoring data (issue 14, decision 0023): the
-- emission standards' catalogue as imported (none: the one built into the
-- binary), and the alarms the rules raise, one per episode: the unique key
-- on an episode's identity keeps two servers from raising it twice.
CREATE TABLE standards (
    row_no         INTEGER PRIMARY KEY,
    standard       TEXT NOT NULL,
    scope          TEXT NOT NULL,
    source_kind    TEXT NOT NULL,
    pollutant_code TEXT NOT NULL,
    limit_value    REAL NOT NULL,
    unit           TEXT NOT NULL,
    basis          TEXT NOT NULL,
    reference_o2   REAL,
    effective_from TEXT NOT NULL,
    source         TEXT NOT NULL,
    checked        INTEGER NOT NULL
);

CREATE TABLE alarms (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    state           TEXT NOT NULL,
    uscc            TEXT NOT NULL,
    outlet_code     TEXT NOT NULL,
    pollutant       TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    ended_at        TEXT NOT NULL,
    limit_value     REAL NOT NULL,
    limit_source    TEXT NOT NULL,
    peak            REAL NOT NULL,
    multiple        REAL NOT NULL,
    periods         INTEGER NOT NULL,
    evidence        TEXT NOT NULL,
    version         INTEGER NOT NULL,
    acknowledged_by TEXT NOT NULL DEFAULT '',
    acknowledged_at TEXT NOT NULL DEFAULT '',
    ack_comment     TEXT NOT NULL DEFAULT '',
    resolved_by     TEXT NOT NULL DEFAULT '',
    resolved_at     TEXT NOT NULL DEFAULT '',
    resolve_reason  TEXT NOT NULL DEFAULT '',
    UNIQUE (kind, uscc, outlet_code, pollutant, started_at)
);
CREATE INDEX alarms_state ON alarms (state, kind);
CREATE INDEX alarms_outlet ON alarms (uscc, outlet_code);
