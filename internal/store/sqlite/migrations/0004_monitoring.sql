-- Online monitoring: every frame as received, the readings in it (one row
-- per pollutant), and our rollups. Frames and readings are append-only and
-- written in id order, so their main indexes grow at the end; the frame key
-- index serves resend detection and queries by logger and time.
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
    frame       TEXT NOT NULL
);
CREATE UNIQUE INDEX frames_key ON frames (mn, cn, dkey, pno, revision);

CREATE TABLE readings (
    frame_id INTEGER NOT NULL,
    at       TEXT NOT NULL,
    code     TEXT NOT NULL,
    unit     TEXT NOT NULL,
    rtd      REAL,
    avg      REAL,
    min      REAL,
    max      REAL,
    cou      REAL,
    zs_rtd   REAL,
    zs_avg   REAL,
    flag     TEXT NOT NULL
);
CREATE INDEX readings_frame ON readings (frame_id);

-- How far the rollups have folded in the frames (by id), updated in the
-- transaction that folds them.
CREATE TABLE rollup_progress (
    id         INTEGER PRIMARY KEY,
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
CREATE TRIGGER readings_no_update BEFORE UPDATE ON readings BEGIN
    SELECT RAISE (ABORT, 'readings are append-only');
END;
