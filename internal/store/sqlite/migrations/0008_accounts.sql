-- Accounts (issue 13, decision 0018): people who sign in, their browser
-- sessions and API tokens, both kept only as SHA-256 of their secrets,
-- and the append-only audit of sign-ins. A zero time (year 1) is "never".
CREATE TABLE users (
    name         TEXT PRIMARY KEY,
    display      TEXT NOT NULL DEFAULT '',
    role         TEXT NOT NULL,
    bureau       TEXT NOT NULL DEFAULT '',
    county       TEXT NOT NULL DEFAULT '',
    park         TEXT NOT NULL DEFAULT '',
    uscc         TEXT NOT NULL DEFAULT '',
    password     TEXT NOT NULL,
    disabled     INTEGER NOT NULL DEFAULT 0,
    failures     INTEGER NOT NULL DEFAULT 0,
    failed_since TEXT NOT NULL,
    locked_until TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    updated_by   TEXT NOT NULL
);

CREATE TABLE sessions (
    hash      TEXT PRIMARY KEY,
    user_name TEXT NOT NULL REFERENCES users (name),
    csrf      TEXT NOT NULL,
    created   TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    address   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_name);

CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    user_name  TEXT NOT NULL REFERENCES users (name),
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    last_used  TEXT NOT NULL,
    UNIQUE (user_name, name)
);

CREATE TABLE login_events (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    user_name TEXT NOT NULL,
    address   TEXT NOT NULL DEFAULT '',
    actor     TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX login_events_user ON login_events (user_name, id);
CREATE INDEX login_events_kind ON login_events (kind, id);
-- Failed sign-ins from an address: its throttle.
CREATE INDEX login_events_address ON login_events (address, at) WHERE kind = 'login_failed';

CREATE TRIGGER login_events_no_update BEFORE UPDATE ON login_events BEGIN
    SELECT RAISE (ABORT, 'login events are append-only');
END;
CREATE TRIGGER login_events_no_delete BEFORE DELETE ON login_events BEGIN
    SELECT RAISE (ABORT, 'login events are append-only');
END;
