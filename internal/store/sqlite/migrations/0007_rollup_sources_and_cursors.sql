-- Rollups by source (decision 0013): cn says whose values a rollup sums,
-- 2011 ours of the real-time values, 2061 and 2031 the logger's own hourly
-- and daily data; cou sums the Cou values; seq increases with every change
-- of a row (rollup_seq holds the last given) so that consumers follow the
-- rollups by seq, each with its cursor. The key changes: the table is
-- made again, its rows ours, numbered in key order.
CREATE TABLE rollups_new (
    uscc        TEXT NOT NULL,
    outlet_code TEXT NOT NULL,
    code        TEXT NOT NULL,
    period      TEXT NOT NULL,
    cn          TEXT NOT NULL,
    start       TEXT NOT NULL,
    count       INTEGER NOT NULL,
    sum         REAL NOT NULL,
    min         REAL NOT NULL,
    max         REAL NOT NULL,
    cou         REAL NOT NULL,
    flagged     INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (uscc, outlet_code, code, period, cn, start)
);
INSERT INTO rollups_new
SELECT uscc, outlet_code, code, period, '2011', start, count, sum, min, max, 0, flagged,
       ROW_NUMBER() OVER (ORDER BY uscc, outlet_code, code, period, start)
FROM rollups;
DROP TABLE rollups;
ALTER TABLE rollups_new RENAME TO rollups;
CREATE INDEX rollups_seq ON rollups (seq);

CREATE TABLE rollup_seq (last INTEGER NOT NULL);
INSERT INTO rollup_seq SELECT COUNT(*) FROM rollups;

-- How far each consumer of the rollups (a rule engine, say) has read them:
-- the last seq it took in.
CREATE TABLE cursors (
    consumer TEXT PRIMARY KEY,
    seq      INTEGER NOT NULL
);
