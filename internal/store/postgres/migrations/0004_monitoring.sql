-- Online monitoring (see store/sqlite's 0004). A frame is one row, its
-- readings a JSON array in vals. Frames are partitioned by the UTC month
-- they were received in (`at`): always the current month, which has a
-- partition, whatever old data a logger sends.
-- Primary keys must include the partition key, so the frame key index is
-- not unique here: the writer decides duplicates and revisions.
CREATE SEQUENCE frames_id_seq AS BIGINT;

CREATE TABLE frames (
    id          BIGINT NOT NULL,
    mn          TEXT COLLATE "C" NOT NULL,
    cn          TEXT COLLATE "C" NOT NULL,
    dkey        TEXT COLLATE "C" NOT NULL,
    pno         INTEGER NOT NULL,
    revision    INTEGER NOT NULL,
    hash        TEXT NOT NULL,
    uscc        TEXT COLLATE "C" NOT NULL,
    outlet_code TEXT COLLATE "C" NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    peer        TEXT NOT NULL,
    frame       TEXT NOT NULL,
    vals        JSONB NOT NULL,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE INDEX frames_key ON frames (mn, cn, dkey, pno, revision);

CREATE INDEX frames_outlet ON frames (uscc, outlet_code, dkey);

-- How far each period's rollups have folded in the frames (the last frame
-- id), updated in the transaction that folds them.
CREATE TABLE rollup_progress (
    period     TEXT PRIMARY KEY,
    last_frame BIGINT NOT NULL
);

CREATE TABLE rollups (
    uscc        TEXT COLLATE "C" NOT NULL,
    outlet_code TEXT COLLATE "C" NOT NULL,
    code        TEXT COLLATE "C" NOT NULL,
    period      TEXT NOT NULL,
    start       TEXT COLLATE "C" NOT NULL,
    count       INTEGER NOT NULL,
    sum         DOUBLE PRECISION NOT NULL,
    min         DOUBLE PRECISION NOT NULL,
    max         DOUBLE PRECISION NOT NULL,
    flagged     INTEGER NOT NULL,
    PRIMARY KEY (uscc, outlet_code, code, period, start)
);

CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER frames_no_update BEFORE UPDATE OR DELETE ON frames FOR EACH ROW EXECUTE FUNCTION append_only();
