-- The registry: administrative units, parks, enterprises and their records,
-- and the append-only history of every change.
CREATE TABLE admin_units (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    level      TEXT NOT NULL,
    parent     TEXT NOT NULL DEFAULT '',
    area_km2   REAL NOT NULL DEFAULT 0,
    population INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE parks (
    code   TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    county TEXT NOT NULL REFERENCES admin_units (code),
    kind   TEXT NOT NULL
);

CREATE TABLE enterprises (
    uscc          TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    county        TEXT NOT NULL REFERENCES admin_units (code),
    industry_code TEXT NOT NULL,
    size          TEXT NOT NULL,
    status        TEXT NOT NULL,
    park          TEXT REFERENCES parks (code),
    address       TEXT NOT NULL DEFAULT '',
    lon           REAL NOT NULL DEFAULT 0,
    lat           REAL NOT NULL DEFAULT 0,
    land_mu       REAL NOT NULL DEFAULT 0,
    employees     INTEGER NOT NULL DEFAULT 0,
    founded       TEXT NOT NULL DEFAULT '',
    synthetic     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX enterprises_county_name ON enterprises (county, name);
CREATE INDEX enterprises_county_size ON enterprises (county, size, name);
CREATE INDEX enterprises_status ON enterprises (status, name);
CREATE INDEX enterprises_name ON enterprises (name);
CREATE INDEX enterprises_industry ON enterprises (industry_code);
CREATE INDEX enterprises_park ON enterprises (park);

-- Free text on names: a trigram index serves LIKE '%…%' for three
-- characters and more, which is what a Chinese name search needs.
CREATE VIRTUAL TABLE enterprise_names USING fts5 (name, content = 'enterprises', content_rowid = 'rowid', tokenize = 'trigram');
CREATE TRIGGER enterprises_ai AFTER INSERT ON enterprises BEGIN
    INSERT INTO enterprise_names (rowid, name) VALUES (new.rowid, new.name);
END;
CREATE TRIGGER enterprises_ad AFTER DELETE ON enterprises BEGIN
    INSERT INTO enterprise_names (enterprise_names, rowid, name) VALUES ('delete', old.rowid, old.name);
END;
CREATE TRIGGER enterprises_au AFTER UPDATE OF name ON enterprises BEGIN
    INSERT INTO enterprise_names (enterprise_names, rowid, name) VALUES ('delete', old.rowid, old.name);
    INSERT INTO enterprise_names (rowid, name) VALUES (new.rowid, new.name);
END;

CREATE TABLE licences (
    uscc       TEXT NOT NULL REFERENCES enterprises (uscc),
    licence_no TEXT NOT NULL,
    issued     TEXT NOT NULL,
    valid_to   TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL,
    PRIMARY KEY (uscc, licence_no)
);

CREATE TABLE sites (
    uscc           TEXT PRIMARY KEY REFERENCES enterprises (uscc),
    land_status    TEXT NOT NULL,
    certificate_no TEXT NOT NULL DEFAULT ''
);

CREATE TABLE safety (
    uscc        TEXT NOT NULL REFERENCES enterprises (uscc),
    assessed_on TEXT NOT NULL,
    result      TEXT NOT NULL,
    valid_to    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (uscc, assessed_on)
);

CREATE TABLE outlets (
    uscc        TEXT NOT NULL REFERENCES enterprises (uscc),
    outlet_code TEXT NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    lon         REAL NOT NULL DEFAULT 0,
    lat         REAL NOT NULL DEFAULT 0,
    height_m    REAL NOT NULL DEFAULT 0,
    mn          TEXT UNIQUE,
    pw          TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (uscc, outlet_code)
);

CREATE TABLE facilities (
    uscc          TEXT NOT NULL REFERENCES enterprises (uscc),
    facility_code TEXT NOT NULL,
    kind          TEXT NOT NULL,
    outlet_code   TEXT,
    in_service    INTEGER NOT NULL,
    installed     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (uscc, facility_code),
    FOREIGN KEY (uscc, outlet_code) REFERENCES outlets (uscc, outlet_code)
);

CREATE TABLE permits (
    permit_no  TEXT PRIMARY KEY,
    uscc       TEXT NOT NULL REFERENCES enterprises (uscc),
    class      TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to   TEXT NOT NULL
);
CREATE INDEX permits_uscc ON permits (uscc);

CREATE TABLE permit_limits (
    permit_no           TEXT NOT NULL REFERENCES permits (permit_no),
    uscc                TEXT NOT NULL,
    outlet_code         TEXT NOT NULL,
    pollutant_code      TEXT NOT NULL,
    limit_concentration REAL NOT NULL DEFAULT 0,
    limit_unit          TEXT NOT NULL DEFAULT '',
    annual_quantity_t   REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (permit_no, outlet_code, pollutant_code),
    FOREIGN KEY (uscc, outlet_code) REFERENCES outlets (uscc, outlet_code)
);

CREATE TABLE changes (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    kind   TEXT NOT NULL,
    key    TEXT NOT NULL,
    uscc   TEXT NOT NULL DEFAULT '',
    op     TEXT NOT NULL,
    fields TEXT NOT NULL
);
CREATE INDEX changes_uscc ON changes (uscc, id);
CREATE INDEX changes_key ON changes (kind, key, id);

-- The history is append-only: the database itself refuses to rewrite it.
CREATE TRIGGER changes_no_update BEFORE UPDATE ON changes BEGIN
    SELECT RAISE (ABORT, 'changes are append-only');
END;
CREATE TRIGGER changes_no_delete BEFORE DELETE ON changes BEGIN
    SELECT RAISE (ABORT, 'changes are append-only');
END;
