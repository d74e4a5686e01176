-- The alarm stream (see store/sqlite's 0013): a change number per write of
-- an alarm from a one-row counter whose lock the writing transaction holds
-- until it commits, so the numbers become visible in order.
ALTER TABLE alarms ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
UPDATE alarms SET seq = id;
ALTER TABLE alarms ALTER COLUMN seq DROP DEFAULT;
CREATE INDEX alarms_seq ON alarms (seq);
CREATE TABLE alarm_seq (last BIGINT NOT NULL);
INSERT INTO alarm_seq SELECT COALESCE(MAX(id), 0) FROM alarms;
