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

-- The leading industries' figures (decision 0029): the annual figures
-- summed by year, county, GB/T 4754 class and size, kept by triggers as
-- annual rows and enterprises change, so that ten years of a city are a
-- few thousand rows to read, not a join of every annual row. A group
-- whose last row went away stays with n = 0 (readers skip it).
CREATE TABLE cluster_facts (
    year          INTEGER NOT NULL,
    county        TEXT NOT NULL,
    industry_code TEXT NOT NULL,
    size          TEXT NOT NULL,
    n             INTEGER NOT NULL,
    revenue       REAL NOT NULL,
    value_added   REAL NOT NULL,
    tax           REAL NOT NULL,
    land_mu       REAL NOT NULL,
    PRIMARY KEY (year, county, industry_code, size)
);
INSERT INTO cluster_facts
SELECT a.year, e.county, e.industry_code, e.size, COUNT(*), SUM(a.revenue), SUM(a.value_added), SUM(a.tax),
       SUM(CASE WHEN a.land_mu > 0 THEN a.land_mu ELSE e.land_mu END)
FROM annual_data a JOIN enterprises e ON e.uscc = a.uscc GROUP BY a.year, e.county, e.industry_code, e.size;

CREATE TRIGGER cluster_facts_annual_insert AFTER INSERT ON annual_data BEGIN
    INSERT INTO cluster_facts SELECT NEW.year, e.county, e.industry_code, e.size, 1, NEW.revenue, NEW.value_added, NEW.tax,
        CASE WHEN NEW.land_mu > 0 THEN NEW.land_mu ELSE e.land_mu END FROM enterprises e WHERE e.uscc = NEW.uscc
    ON CONFLICT (year, county, industry_code, size) DO UPDATE SET n = n + excluded.n, revenue = revenue + excluded.revenue,
        value_added = value_added + excluded.value_added, tax = tax + excluded.tax, land_mu = land_mu + excluded.land_mu;
END;
CREATE TRIGGER cluster_facts_annual_delete AFTER DELETE ON annual_data BEGIN
    INSERT INTO cluster_facts SELECT OLD.year, e.county, e.industry_code, e.size, -1, -OLD.revenue, -OLD.value_added, -OLD.tax,
        -(CASE WHEN OLD.land_mu > 0 THEN OLD.land_mu ELSE e.land_mu END) FROM enterprises e WHERE e.uscc = OLD.uscc
    ON CONFLICT (year, county, industry_code, size) DO UPDATE SET n = n + excluded.n, revenue = revenue + excluded.revenue,
        value_added = value_added + excluded.value_added, tax = tax + excluded.tax, land_mu = land_mu + excluded.land_mu;
END;
CREATE TRIGGER cluster_facts_annual_update AFTER UPDATE ON annual_data BEGIN
    INSERT INTO cluster_facts SELECT OLD.year, e.county, e.industry_code, e.size, -1, -OLD.revenue, -OLD.value_added, -OLD.tax,
        -(CASE WHEN OLD.land_mu > 0 THEN OLD.land_mu ELSE e.land_mu END) FROM enterprises e WHERE e.uscc = OLD.uscc
    ON CONFLICT (year, county, industry_code, size) DO UPDATE SET n = n + excluded.n, revenue = revenue + excluded.revenue,
        value_added = value_added + excluded.value_added, tax = tax + excluded.tax, land_mu = land_mu + excluded.land_mu;
    INSERT INTO cluster_facts SELECT NEW.year, e.county, e.industry_code, e.size, 1, NEW.revenue, NEW.value_added, NEW.tax,
        CASE WHEN NEW.land_mu > 0 THEN NEW.land_mu ELSE e.land_mu END FROM enterprises e WHERE e.uscc = NEW.uscc
    ON CONFLICT (year, county, industry_code, size) DO UPDATE SET n = n + excluded.n, revenue = revenue + excluded.revenue,
        value_added = value_added + excluded.value_added, tax = tax + excluded.tax, land_mu = land_mu + excluded.land_mu;
END;
CREATE TRIGGER cluster_facts_enterprise_update AFTER UPDATE OF county, industry_code, size, land_mu ON enterprises
WHEN OLD.county IS NOT NEW.county OR OLD.industry_code IS NOT NEW.industry_code OR OLD.size IS NOT NEW.size OR OLD.land_mu IS NOT NEW.land_mu BEGIN
    INSERT INTO cluster_facts SELECT a.year, OLD.county, OLD.industry_code, OLD.size, -1, -a.revenue, -a.value_added, -a.tax,
        -(CASE WHEN a.land_mu > 0 THEN a.land_mu ELSE OLD.land_mu END) FROM annual_data a WHERE a.uscc = OLD.uscc
    ON CONFLICT (year, county, industry_code, size) DO UPDATE SET n = n + excluded.n, revenue = revenue + excluded.revenue,
        value_added = value_added + excluded.value_added, tax = tax + excluded.tax, land_mu = land_mu + excluded.land_mu;
    INSERT INTO cluster_facts SELECT a.year, NEW.county, NEW.industry_code, NEW.size, 1, a.revenue, a.value_added, a.tax,
        CASE WHEN a.land_mu > 0 THEN a.land_mu ELSE NEW.land_mu END FROM annual_data a WHERE a.uscc = NEW.uscc
    ON CONFLICT (year, county, industry_code, size) DO UPDATE SET n = n + excluded.n, revenue = revenue + excluded.revenue,
        value_added = value_added + excluded.value_added, tax = tax + excluded.tax, land_mu = land_mu + excluded.land_mu;
END;
