-- Alarms (issue 14, decision 0026). The grid reads an enterprise's alarms
-- by start with what it counts (a covering index: no table row read). The
-- list reads all by start, newest first, backwards a page at a time, in
-- all, by state, kind, or the county or park of the enterprise when the
-- alarm was raised: kept on the alarm (with kind and state in its index
-- to filter by without reading rows), so that a county's list and count
-- are one index range, not a join over the million.
ALTER TABLE alarms ADD COLUMN county TEXT NOT NULL DEFAULT '';
ALTER TABLE alarms ADD COLUMN park TEXT NOT NULL DEFAULT '';
UPDATE alarms SET county = COALESCE((SELECT county FROM enterprises e WHERE e.uscc = alarms.uscc), ''),
    park = COALESCE((SELECT park FROM enterprises e WHERE e.uscc = alarms.uscc), '');
CREATE INDEX alarms_grid ON alarms (uscc, started_at, ended_at, kind, state, multiple);
CREATE INDEX alarms_started ON alarms (started_at, id);
DROP INDEX alarms_state;
CREATE INDEX alarms_state ON alarms (state, started_at, id);
CREATE INDEX alarms_kind ON alarms (kind, started_at, id);
CREATE INDEX alarms_county ON alarms (county, started_at, id, kind, state);
CREATE INDEX alarms_park ON alarms (park, started_at, id, kind, state);
