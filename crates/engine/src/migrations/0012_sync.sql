-- Sync (docs/sync.md): a book is standalone, a server, or a desktop's linked copy of one.
CREATE TABLE sync_state (
    id                INTEGER PRIMARY KEY CHECK (id = 1),
    role              TEXT    NOT NULL DEFAULT 'standalone'
                      CHECK (role IN ('standalone', 'server', 'linked')),
    -- Linked: the server, its pinned certificate, this device and its token.
    server_url        TEXT,
    fingerprint       TEXT,
    device_id         TEXT,
    token             TEXT,
    -- Linked: the server's feed position this copy holds, the next id of a row made here
    -- (negative: it never meets the server's), the next outbox entry.
    cursor            INTEGER NOT NULL DEFAULT 0,
    next_provisional  INTEGER NOT NULL DEFAULT -1 CHECK (next_provisional < 0),
    next_seq          INTEGER NOT NULL DEFAULT 1,
    -- Linked: the waiting entries must be applied again over the server's rows (a round
    -- stopped between the two).
    replay_needed     INTEGER NOT NULL DEFAULT 0 CHECK (replay_needed IN (0, 1)),
    last_synced_at    INTEGER,
    offline_since     INTEGER,
    last_error        TEXT
);
INSERT INTO sync_state (id) VALUES (1);

-- Server: the change feed, one row per write transaction: the rows it changed, by table.
CREATE TABLE sync_log (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    changes  TEXT NOT NULL
);

-- Server: what each device's entries came to (so a resent entry is answered, not rerun),
-- and the ids its rows made offline got here.
CREATE TABLE sync_applied (
    op_id       TEXT    PRIMARY KEY,
    device_id   TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    outcome     TEXT    NOT NULL CHECK (outcome IN ('applied', 'refused')),
    answer      TEXT    NOT NULL,
    applied_at  INTEGER NOT NULL
);
CREATE INDEX sync_applied_by_device ON sync_applied (device_id, seq);
CREATE TABLE sync_id_map (
    device_id    TEXT    NOT NULL,
    provisional  INTEGER NOT NULL CHECK (provisional < 0),
    real         INTEGER NOT NULL,
    PRIMARY KEY (device_id, provisional)
) WITHOUT ROWID;

-- Linked: changes made here and not yet answered by the server, in order.
CREATE TABLE sync_outbox (
    seq           INTEGER PRIMARY KEY,
    op_id         TEXT    NOT NULL UNIQUE,
    operation     TEXT    NOT NULL,
    input         TEXT    NOT NULL,
    actor         TEXT    NOT NULL,
    performed_at  INTEGER NOT NULL,
    -- The ids this entry's rows got here, by table, in the order they were made.
    provisional   TEXT    NOT NULL,
    -- The values the person saw of the fields the entry changes (compare-and-set).
    base          TEXT    NOT NULL,
    -- Applied again over the server's rows since the last pull.
    replayed      INTEGER NOT NULL DEFAULT 1 CHECK (replayed IN (0, 1))
);
-- Linked: the rows changed here since the last pull (the server sends its copy of each).
CREATE TABLE sync_dirty (
    tbl  TEXT    NOT NULL,
    id   INTEGER NOT NULL,
    PRIMARY KEY (tbl, id)
) WITHOUT ROWID;
-- Linked: changes the server refused, with its reason, until the person dismisses them.
CREATE TABLE sync_refused (
    seq           INTEGER PRIMARY KEY,
    op_id         TEXT    NOT NULL UNIQUE,
    operation     TEXT    NOT NULL,
    input         TEXT    NOT NULL,
    actor         TEXT    NOT NULL,
    performed_at  INTEGER NOT NULL,
    code          TEXT    NOT NULL,
    message       TEXT    NOT NULL,
    field         TEXT,
    refused_at    INTEGER NOT NULL
);
