-- GEP account runs (issue 16, decision 0030): the config as given, the
-- run's state and progress, and when done its provenance (inputs with
-- their SHA-256, prices, code version) and account, both JSON.
CREATE TABLE gep_runs (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    name        TEXT NOT NULL,
    year        INTEGER NOT NULL,
    status      TEXT NOT NULL,
    progress    REAL NOT NULL DEFAULT 0,
    config      TEXT NOT NULL,
    provenance  TEXT NOT NULL DEFAULT '',
    account     TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    error_zh    TEXT NOT NULL DEFAULT '',
    finished    TEXT NOT NULL DEFAULT ''
);
