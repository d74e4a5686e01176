-- Values rolled by their frame's receipt, the logger's own data time
-- being unusable (decision 0025).
ALTER TABLE rollups ADD COLUMN skewed INTEGER NOT NULL DEFAULT 0;
