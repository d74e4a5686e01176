-- The dashboard's language chosen by each person (issue 13): "zh", "en",
-- or "" for none yet; the pages set the lang cookie from it at sign-in.
ALTER TABLE users ADD COLUMN lang TEXT NOT NULL DEFAULT '';
