-- Schema 7: who may use the books over HTTP, and what 3scale's APIs need to know.

-- Personal access tokens (threescale-api.md §1.2, §11). Only a SHA-384 digest of the value is
-- kept: the value is shown once, when the token is made.
CREATE TABLE access_tokens (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL CHECK (length(name) > 0),
    digest      TEXT    NOT NULL UNIQUE,
    -- Space-separated, from: account_management finance cms stats policy_registry.
    scopes      TEXT    NOT NULL,
    permission  TEXT    NOT NULL CHECK (permission IN ('ro', 'rw')),
    expires_at  INTEGER,
    created_at  INTEGER NOT NULL
);

-- People who sign in to the UI served over HTTP; same rights as tokens. argon2id hashes.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    username       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    password_hash  TEXT    NOT NULL,
    scopes         TEXT    NOT NULL,
    permission     TEXT    NOT NULL CHECK (permission IN ('ro', 'rw')),
    created_at     INTEGER NOT NULL
);

-- A buyer account's state and its first (admin) user, as 3scale's signup makes them.
ALTER TABLE accounts ADD COLUMN state TEXT NOT NULL DEFAULT 'approved'
    CHECK (state IN ('approved', 'pending', 'rejected', 'suspended'));
ALTER TABLE accounts ADD COLUMN admin_username TEXT;
ALTER TABLE accounts ADD COLUMN admin_email TEXT;
CREATE UNIQUE INDEX accounts_admin_username ON accounts (admin_username COLLATE NOCASE)
    WHERE admin_username IS NOT NULL;

-- Applications: a description, a suspension that stops nothing in billing (as in 3scale,
-- billing follows the subscription), and the key clients authenticate with.
ALTER TABLE applications ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0 CHECK (suspended IN (0, 1));
ALTER TABLE applications ADD COLUMN user_key TEXT;
