-- The per-mu evaluation (issue 15, decision 0024). annual_data: each
-- enterprise's economic figures for a year, the registry kind "annual"
-- (revisions in changes). evaluations: each run with its method (the YAML
-- as given), its inputs and its results, both gzipped gob (economy.pack).
CREATE TABLE annual_data (
    uscc            TEXT NOT NULL REFERENCES enterprises (uscc),
    year            INTEGER NOT NULL,
    tax             REAL NOT NULL DEFAULT 0,
    value_added     REAL NOT NULL DEFAULT 0,
    revenue         REAL NOT NULL DEFAULT 0,
    energy_tce      REAL NOT NULL DEFAULT 0,
    electricity_kwh REAL NOT NULL DEFAULT 0,
    emissions_t     REAL NOT NULL DEFAULT 0,
    rd              REAL NOT NULL DEFAULT 0,
    employees       INTEGER NOT NULL DEFAULT 0,
    land_mu         REAL NOT NULL DEFAULT 0,
    source          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (uscc, year)
);
CREATE INDEX annual_data_year ON annual_data (year, uscc);

CREATE TABLE evaluations (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    county      TEXT NOT NULL,
    year        INTEGER NOT NULL,
    method_name TEXT NOT NULL,
    method      TEXT NOT NULL,
    evaluated   INTEGER NOT NULL,
    inputs      BLOB NOT NULL,
    results     BLOB NOT NULL
);
CREATE INDEX evaluations_county_year ON evaluations (county, year, id);
