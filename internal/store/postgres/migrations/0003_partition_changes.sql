-- The history grows with time: range-partition it by month. Partitions
-- are made ahead by ecoind (store/postgres: EnsurePartitions) from the
-- month of the oldest row; there is no default partition, so that a row
-- without a month is an error rather than a row in the wrong place.
ALTER TABLE changes RENAME TO changes_unpartitioned;
ALTER INDEX changes_pkey RENAME TO changes_unpartitioned_pkey;
ALTER INDEX changes_uscc RENAME TO changes_unpartitioned_uscc;
ALTER INDEX changes_key RENAME TO changes_unpartitioned_key;

CREATE SEQUENCE changes_seq AS BIGINT;
SELECT setval('changes_seq', COALESCE((SELECT MAX(id) FROM changes_unpartitioned), 0) + 1, false);

CREATE TABLE changes (
    id     BIGINT NOT NULL DEFAULT nextval('changes_seq'),
    at     TIMESTAMPTZ NOT NULL,
    actor  TEXT NOT NULL,
    kind   TEXT NOT NULL,
    key    TEXT COLLATE "C" NOT NULL,
    uscc   TEXT COLLATE "C" NOT NULL DEFAULT '',
    op     TEXT NOT NULL,
    fields JSONB NOT NULL,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
ALTER SEQUENCE changes_seq OWNED BY changes.id;
CREATE INDEX changes_uscc ON changes (uscc, id);
CREATE INDEX changes_key ON changes (kind, key, id);

-- UTC months from the oldest row (or this one) to three ahead.
DO $$
DECLARE
    m TIMESTAMP := date_trunc('month', LEAST(COALESCE((SELECT MIN(at) FROM changes_unpartitioned), now()), now()) AT TIME ZONE 'UTC');
BEGIN
    WHILE m <= date_trunc('month', now() AT TIME ZONE 'UTC') + INTERVAL '3 months' LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF changes FOR VALUES FROM (%L) TO (%L)',
            'changes_' || to_char(m, 'YYYY_MM'), m AT TIME ZONE 'UTC', (m + INTERVAL '1 month') AT TIME ZONE 'UTC');
        m := m + INTERVAL '1 month';
    END LOOP;
END $$;

INSERT INTO changes (id, at, actor, kind, key, uscc, op, fields)
    SELECT id, at, actor, kind, key, uscc, op, fields FROM changes_unpartitioned;
DROP TABLE changes_unpartitioned;

CREATE TRIGGER changes_no_update BEFORE UPDATE OR DELETE ON changes
    FOR EACH ROW EXECUTE FUNCTION changes_append_only();
CREATE TRIGGER changes_no_truncate BEFORE TRUNCATE ON changes
    FOR EACH STATEMENT EXECUTE FUNCTION changes_append_only();
