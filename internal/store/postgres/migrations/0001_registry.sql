-- The registry on PostgreSQL: the tables of store/sqlite's 0001 with
-- PostGIS points for locations, a trigram index for names, and the
-- append-only history. Text that is compared or sorted is COLLATE "C", so
-- that pages come in the same order as on SQLite (code-point order).
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE admin_units (
    code       TEXT COLLATE "C" PRIMARY KEY,
    name       TEXT NOT NULL,
    name_en    TEXT NOT NULL DEFAULT '',
    level      TEXT NOT NULL,
    parent     TEXT NOT NULL DEFAULT '',
    area_km2   DOUBLE PRECISION NOT NULL DEFAULT 0,
    population INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE parks (
    code   TEXT COLLATE "C" PRIMARY KEY,
    name   TEXT NOT NULL,
    county TEXT COLLATE "C" NOT NULL REFERENCES admin_units (code),
    kind   TEXT NOT NULL
);

CREATE TABLE enterprises (
    uscc          TEXT COLLATE "C" PRIMARY KEY,
    name          TEXT COLLATE "C" NOT NULL,
    county        TEXT COLLATE "C" NOT NULL REFERENCES admin_units (code),
    industry_code TEXT COLLATE "C" NOT NULL,
    size          TEXT NOT NULL,
    status        TEXT NOT NULL,
    park          TEXT COLLATE "C" REFERENCES parks (code),
    address       TEXT NOT NULL DEFAULT '',
    lon           DOUBLE PRECISION NOT NULL DEFAULT 0,
    lat           DOUBLE PRECISION NOT NULL DEFAULT 0,
    land_mu       DOUBLE PRECISION NOT NULL DEFAULT 0,
    employees     INTEGER NOT NULL DEFAULT 0,
    founded       TEXT NOT NULL DEFAULT '',
    synthetic     BOOLEAN NOT NULL DEFAULT false,
    geom          geography(Point, 4326) GENERATED ALWAYS AS (
        CASE WHEN lon <> 0 OR lat <> 0 THEN ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography END) STORED
);
CREATE INDEX enterprises_county_name ON enterprises (county, name);
CREATE INDEX enterprises_county_size ON enterprises (county, size, name);
CREATE INDEX enterprises_status ON enterprises (status, name);
CREATE INDEX enterprises_name ON enterprises (name);
CREATE INDEX enterprises_industry ON enterprises (industry_code);
CREATE INDEX enterprises_park ON enterprises (park);
CREATE INDEX enterprises_name_trgm ON enterprises USING gin (name gin_trgm_ops);
CREATE INDEX enterprises_geom ON enterprises USING gist (geom);

CREATE TABLE licences (
    uscc       TEXT COLLATE "C" NOT NULL REFERENCES enterprises (uscc),
    licence_no TEXT COLLATE "C" NOT NULL,
    issued     TEXT NOT NULL,
    valid_to   TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL,
    PRIMARY KEY (uscc, licence_no)
);

CREATE TABLE sites (
    uscc           TEXT COLLATE "C" PRIMARY KEY REFERENCES enterprises (uscc),
    land_status    TEXT NOT NULL,
    certificate_no TEXT NOT NULL DEFAULT ''
);

CREATE TABLE safety (
    uscc        TEXT COLLATE "C" NOT NULL REFERENCES enterprises (uscc),
    assessed_on TEXT COLLATE "C" NOT NULL,
    result      TEXT NOT NULL,
    valid_to    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (uscc, assessed_on)
);

CREATE TABLE outlets (
    uscc        TEXT COLLATE "C" NOT NULL REFERENCES enterprises (uscc),
    outlet_code TEXT COLLATE "C" NOT NULL,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    lon         DOUBLE PRECISION NOT NULL DEFAULT 0,
    lat         DOUBLE PRECISION NOT NULL DEFAULT 0,
    height_m    DOUBLE PRECISION NOT NULL DEFAULT 0,
    mn          TEXT UNIQUE,
    pw          TEXT NOT NULL DEFAULT '',
    geom        geography(Point, 4326) GENERATED ALWAYS AS (
        CASE WHEN lon <> 0 OR lat <> 0 THEN ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography END) STORED,
    PRIMARY KEY (uscc, outlet_code)
);
CREATE INDEX outlets_geom ON outlets USING gist (geom);

CREATE TABLE facilities (
    uscc          TEXT COLLATE "C" NOT NULL REFERENCES enterprises (uscc),
    facility_code TEXT COLLATE "C" NOT NULL,
    kind          TEXT NOT NULL,
    outlet_code   TEXT COLLATE "C",
    in_service    BOOLEAN NOT NULL,
    installed     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (uscc, facility_code),
    FOREIGN KEY (uscc, outlet_code) REFERENCES outlets (uscc, outlet_code)
);

CREATE TABLE permits (
    permit_no  TEXT COLLATE "C" PRIMARY KEY,
    uscc       TEXT COLLATE "C" NOT NULL REFERENCES enterprises (uscc),
    class      TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to   TEXT NOT NULL
);
CREATE INDEX permits_uscc ON permits (uscc);

CREATE TABLE permit_limits (
    permit_no           TEXT COLLATE "C" NOT NULL REFERENCES permits (permit_no),
    uscc                TEXT COLLATE "C" NOT NULL,
    outlet_code         TEXT COLLATE "C" NOT NULL,
    pollutant_code      TEXT COLLATE "C" NOT NULL,
    limit_concentration DOUBLE PRECISION NOT NULL DEFAULT 0,
    limit_unit          TEXT NOT NULL DEFAULT '',
    annual_quantity_t   DOUBLE PRECISION NOT NULL DEFAULT 0,
    PRIMARY KEY (permit_no, outlet_code, pollutant_code),
    FOREIGN KEY (uscc, outlet_code) REFERENCES outlets (uscc, outlet_code)
);

CREATE TABLE changes (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at     TIMESTAMPTZ NOT NULL,
    actor  TEXT NOT NULL,
    kind   TEXT NOT NULL,
    key    TEXT COLLATE "C" NOT NULL,
    uscc   TEXT COLLATE "C" NOT NULL DEFAULT '',
    op     TEXT NOT NULL,
    fields JSONB NOT NULL
);
CREATE INDEX changes_uscc ON changes (uscc, id);
CREATE INDEX changes_key ON changes (kind, key, id);

-- The history is append-only: the database itself refuses to rewrite it.
CREATE FUNCTION changes_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'changes are append-only';
END $$;
CREATE TRIGGER changes_no_update BEFORE UPDATE OR DELETE ON changes
    FOR EACH ROW EXECUTE FUNCTION changes_append_only();
CREATE TRIGGER changes_no_truncate BEFORE TRUNCATE ON changes
    FOR EACH STATEMENT EXECUTE FUNCTION changes_append_only();
