-- Online monitoring: every frame as received, with the readings in it, and
-- our rollups. A frame is one row: its readings (one object per pollutant:
-- code, unit, flag, rtd, avg, min, max, cou, zs_rtd, zs_avg) are a JSON
-- array in vals, which SQL reads with json_each. Frames are append-only
-- and written in id order, so the table grows at its end; the key index
-- serves resend detection and queries by logger, the outlet index queries
-- by outlet and data time.
CREATE TABLE frames (
    id          INTEGER PRIMARY KEY,
    mn          TEXT NOT NULL,
    cn          TEXT NOT NULL,
    dkey        TEXT NOT NULL,
    pno         INTEGER NOT NULL,
    revision    INTEGER NOT NULL,
    hash        TEXT NOT NULL,
    uscc        TEXT NOT NULL,
    outlet_code TEXT NOT NULL,
    at          TEXT NOT NULL,
    peer        TEXT NOT NULL,
    frame       TEXT NOT NULL,
    vals        TEXT NOT NULL
);
CREATE UNIQUE INDEX frames_key ON frames (mn, cn, dkey, pno, revision);
CREATE INDEX frames_outlet ON frames (uscc, outlet_code, dkey);

-- How far each period's rollups have folded in the frames (the last frame
-- id), updated in the transaction that folds them.
CREATE TABLE rollup_progress (
    period     TEXT PRIMARY KEY,
    last_frame BIGINT NOT NULL
);

CREATE TABLE rollups (
    uscc        TEXT NOT NULL,
    outlet_code TEXT NOT NULL,
    code        TEXT NOT NULL,
    period      TEXT NOT NULL,
    start       TEXT NOT NULL,
    count       INTEGER NOT NULL,
    sum         REAL NOT NULL,
    min         REAL NOT NULL,
    max         REAL NOT NULL,
    flagged     INTEGER NOT NULL,
    PRIMARY KEY (uscc, outlet_code, code, period, start)
);

CREATE TRIGGER frames_no_update BEFORE UPDATE ON frames BEGIN
    SELECT RAISE (ABORT, 'frames are append-only');
END;
CREATE TRIGGER frames_no_delete BEFORE DELETE ON frames BEGIN
    SELECT RAISE (ABORT, 'frames are append-only');
END;
