-- Parks get a location and a boundary (GeoJSON), with its bounding box so
-- that a containment query tests only the enterprises inside the box.
ALTER TABLE parks ADD COLUMN lon REAL NOT NULL DEFAULT 0;
ALTER TABLE parks ADD COLUMN lat REAL NOT NULL DEFAULT 0;
ALTER TABLE parks ADD COLUMN boundary TEXT NOT NULL DEFAULT '';
ALTER TABLE parks ADD COLUMN min_lon REAL NOT NULL DEFAULT 0;
ALTER TABLE parks ADD COLUMN min_lat REAL NOT NULL DEFAULT 0;
ALTER TABLE parks ADD COLUMN max_lon REAL NOT NULL DEFAULT 0;
ALTER TABLE parks ADD COLUMN max_lat REAL NOT NULL DEFAULT 0;
CREATE INDEX enterprises_lat_lon ON enterprises (lat, lon);
