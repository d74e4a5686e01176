-- Which logger sent which command for which outlet (see store/sqlite's
-- 0006): an outlet's readings are found through these and the frames' key
-- index, and frames need no index by outlet.
CREATE TABLE outlet_loggers (
    uscc        TEXT COLLATE "C" NOT NULL,
    outlet_code TEXT COLLATE "C" NOT NULL,
    mn          TEXT COLLATE "C" NOT NULL,
    cn          TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (uscc, outlet_code, mn, cn)
);
INSERT INTO outlet_loggers SELECT DISTINCT uscc, outlet_code, mn, cn FROM frames;
DROP INDEX frames_outlet;
