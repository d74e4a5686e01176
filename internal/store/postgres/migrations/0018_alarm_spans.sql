-- Compliance by quarter (issue 14, decision 0026): an enterprise's alarms
-- by start, read a range per enterprise for its twelve-quarter grid.
CREATE INDEX alarms_uscc_started ON alarms (uscc, started_at);
