-- The alarm stream (issue 14, decision 0027): every write of an alarm
-- takes the next number of a one-row counter, as the rollups do (0007), so
-- that a server follows the changes any server made, in order, by
-- polling seq > the last it saw. Existing alarms are numbered by id.
ALTER TABLE alarms ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE alarms SET seq = id;
CREATE INDEX alarms_seq ON alarms (seq);
CREATE TABLE alarm_seq (last INTEGER NOT NULL);
INSERT INTO alarm_seq SELECT COALESCE(MAX(id), 0) FROM alarms;

-- Watch-lists (decision 0027): what each account follows (an enterprise,
-- a county, an industry by GB/T 4754 prefix), the address its daily digest
-- goes to, and the digests sent: the day's row, claimed by one process
-- under its primary key, is the digest sent once across servers.
CREATE TABLE watches (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_name  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    value      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (user_name, kind, value)
);
CREATE TABLE watch_mail (
    user_name TEXT PRIMARY KEY,
    email     TEXT NOT NULL
);
CREATE TABLE digests (
    day        TEXT PRIMARY KEY,
    claimed_by TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    report     TEXT NOT NULL DEFAULT ''
);
