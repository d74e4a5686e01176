-- The alarm stream (issue 14, decision 0027): every write of an alarm
-- takes the next number of a one-row counter, as the rollups do (0007), so
-- that a server follows the changes any server made, in order, by
-- polling seq > the last it saw. Existing alarms are numbered by id.
ALTER TABLE alarms ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE alarms SET seq = id;
CREATE INDEX alarms_seq ON alarms (seq);
CREATE TABLE alarm_seq (last INTEGER NOT NULL);
INSERT INTO alarm_seq SELECT COALESCE(MAX(id), 0) FROM alarms;
