-- Which logger sent which command for which outlet. An outlet's readings
-- are found through these and the frames' key index (mn, cn, dkey), so
-- frames need no index by outlet: one B-tree fewer to insert into at
-- 10,000 places at once, which was a quarter of the frame writer's work
-- (decision 0007). The writer adds a row the first time it sees one.
CREATE TABLE outlet_loggers (
    uscc        TEXT NOT NULL,
    outlet_code TEXT NOT NULL,
    mn          TEXT NOT NULL,
    cn          TEXT NOT NULL,
    PRIMARY KEY (uscc, outlet_code, mn, cn)
) WITHOUT ROWID;
INSERT INTO outlet_loggers SELECT DISTINCT uscc, outlet_code, mn, cn FROM frames;
DROP INDEX frames_outlet;
