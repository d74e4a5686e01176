-- Ecological product purchases (issue 16, decision 0031): the agreement
-- as a JSON document (gep.Purchase), with its county for the roles' scope
-- and its version against lost updates.
CREATE TABLE gep_purchases (
    id          INTEGER PRIMARY KEY,
    county      TEXT NOT NULL,
    seller_zone TEXT NOT NULL,
    version     INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    doc         TEXT NOT NULL
);
CREATE INDEX gep_purchases_county ON gep_purchases (county, id);
