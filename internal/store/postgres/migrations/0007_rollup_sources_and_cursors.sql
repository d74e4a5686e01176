-- Rollups by source, their Cou totals, a seq per change and consumers'
-- cursors (see store/sqlite's 0007). Existing rows are ours, numbered in
-- key order.
ALTER TABLE rollups ADD COLUMN cn TEXT COLLATE "C" NOT NULL DEFAULT '2011';
ALTER TABLE rollups ALTER COLUMN cn DROP DEFAULT;
ALTER TABLE rollups ADD COLUMN cou DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE rollups ALTER COLUMN cou DROP DEFAULT;
ALTER TABLE rollups ADD COLUMN seq BIGINT;
UPDATE rollups r SET seq = n.seq FROM (
    SELECT uscc, outlet_code, code, period, start, ROW_NUMBER() OVER (ORDER BY uscc, outlet_code, code, period, start) AS seq FROM rollups
) n WHERE (r.uscc, r.outlet_code, r.code, r.period, r.start) = (n.uscc, n.outlet_code, n.code, n.period, n.start);
ALTER TABLE rollups ALTER COLUMN seq SET NOT NULL;
ALTER TABLE rollups DROP CONSTRAINT rollups_pkey;
ALTER TABLE rollups ADD PRIMARY KEY (uscc, outlet_code, code, period, cn, start);
CREATE INDEX rollups_seq ON rollups (seq);

CREATE TABLE rollup_seq (last BIGINT NOT NULL);
INSERT INTO rollup_seq SELECT COUNT(*) FROM rollups;

CREATE TABLE cursors (
    consumer TEXT COLLATE "C" PRIMARY KEY,
    seq      BIGINT NOT NULL
);
