-- The action plan, transformation projects and shared treatment
-- facilities (issue 15, decision 0029). plans: each plan's YAML as given;
-- plan_values: values entered by hand, appended (a later one of the same
-- indicator and year supersedes the earlier, both kept); projects and
-- shared_facilities: the record as one JSON document with its version,
-- and the columns lists filter by.
CREATE TABLE plans (
    name  TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    yaml  TEXT NOT NULL,
    actor TEXT NOT NULL,
    at    TEXT NOT NULL
);

CREATE TABLE plan_values (
    id        INTEGER PRIMARY KEY,
    plan      TEXT NOT NULL REFERENCES plans (name),
    indicator TEXT NOT NULL,
    year      INTEGER NOT NULL,
    value     REAL NOT NULL,
    source    TEXT NOT NULL,
    note      TEXT NOT NULL DEFAULT '',
    actor     TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX plan_values_plan ON plan_values (plan, id);
CREATE TRIGGER plan_values_no_update BEFORE UPDATE ON plan_values BEGIN SELECT RAISE(ABORT, 'plan_values is append-only'); END;
CREATE TRIGGER plan_values_no_delete BEFORE DELETE ON plan_values BEGIN SELECT RAISE(ABORT, 'plan_values is append-only'); END;

CREATE TABLE projects (
    id      INTEGER PRIMARY KEY,
    uscc    TEXT NOT NULL REFERENCES enterprises (uscc),
    county  TEXT NOT NULL,
    version INTEGER NOT NULL,
    doc     TEXT NOT NULL
);
CREATE INDEX projects_county ON projects (county, id);

CREATE TABLE shared_facilities (
    code     TEXT PRIMARY KEY,
    operator TEXT NOT NULL REFERENCES enterprises (uscc),
    county   TEXT NOT NULL,
    version  INTEGER NOT NULL,
    doc      TEXT NOT NULL
);
CREATE INDEX shared_facilities_county ON shared_facilities (county, code);
