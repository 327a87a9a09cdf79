-- Usage events as Orb ingests them (issue 21, docs/events.md).

-- The alias a client knows an account by when it sends events (Orb's external_customer_id).
CREATE TABLE customer_aliases (
    account_id            INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    external_customer_id  TEXT    NOT NULL UNIQUE
);

-- One row per idempotency key, ever: a key seen again is a duplicate, also once the event is
-- deprecated. Instants in milliseconds (events carry them).
CREATE TABLE events (
    id               INTEGER PRIMARY KEY,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    event_name       TEXT    NOT NULL,
    timestamp_ms     INTEGER NOT NULL,
    properties       TEXT    NOT NULL,
    ingested_at_ms   INTEGER NOT NULL,
    deprecated_at_ms INTEGER,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX events_by_account ON events (account_id, timestamp_ms);
CREATE INDEX events_by_time ON events (timestamp_ms);

-- What an event said before each amendment.
CREATE TABLE event_versions (
    id            INTEGER PRIMARY KEY,
    event_id      INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    account_id    INTEGER NOT NULL,
    event_name    TEXT    NOT NULL,
    timestamp_ms  INTEGER NOT NULL,
    properties    TEXT    NOT NULL,
    replaced_at_ms INTEGER NOT NULL,
    UNIQUE (event_id, version)
);
