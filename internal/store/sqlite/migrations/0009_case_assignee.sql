-- A case's assignee (issue 13, decision 0019): the user name of the
-- inspector a city or county ecology officer assigned it to, "" for none.
-- Inspectors act on the cases assigned to them; lists filter by it.
ALTER TABLE cases ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_assignee ON cases (assignee, id);
