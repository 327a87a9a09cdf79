-- Schema 10: what 3scale's Billing API and tenant behaviour need (issue 19 §5, §7, §8).

-- When each invoice last changed (its number, period, state and what that sets, its lines, its
-- charging retries, its payments), kept by store/invoices.rs in the statements that change it.
-- Existing invoices get the latest instant the book knows of them: their own dates, their
-- lines, their payment transactions and the audit log's records of them (issue dates are days,
-- so an issue counts from the start of its day).
ALTER TABLE invoices ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
UPDATE invoices SET updated_at = max(
    created_at,
    coalesce(finalized_at, created_at),
    coalesce(paid_at, created_at),
    coalesce(cancelled_at, created_at),
    coalesce(unixepoch(issued_on), created_at),
    coalesce((SELECT max(created_at) FROM line_items WHERE invoice_id = invoices.id), created_at),
    coalesce((SELECT max(created_at) FROM payment_transactions
              WHERE invoice_id = invoices.id AND status != 'pending'), created_at),
    coalesce((SELECT max(at) FROM audit_log
              WHERE entity = 'invoice' AND entity_id = invoices.id), created_at)
);

-- Payment terms: the days from an invoice's issue to its due date (3scale's and Orb's
-- net_terms); 2 as before this setting existed.
ALTER TABLE settings ADD COLUMN net_terms INTEGER NOT NULL DEFAULT 2
    CHECK (net_terms BETWEEN 0 AND 365);

-- A service keeps the backend version 3scale's clients give it ("1", "2", "oauth", "oidc").
ALTER TABLE services ADD COLUMN backend_version TEXT NOT NULL DEFAULT '1'
    CHECK (backend_version IN ('1', '2', 'oauth', 'oidc'));
-- A service deleted while applications were on its plans stays in the book for them (their
-- plan history, usage and invoice lines name its plans and metrics); it leaves every list.
ALTER TABLE services ADD COLUMN deleted_at INTEGER;

-- A buyer deleted while it has invoices (or applications) is scheduled for deletion, as in
-- 3scale: it leaves the lists and its invoices stay on the books.
ALTER TABLE accounts ADD COLUMN deleted_at INTEGER;

-- A buyer's users (3scale's `users.json`). Until now a buyer had one user, its admin, kept on
-- the account with the account's id; those keep their id.
CREATE TABLE buyer_users (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    username    TEXT    NOT NULL,
    email       TEXT,
    role        TEXT    NOT NULL CHECK (role IN ('admin', 'member')),
    created_at  INTEGER NOT NULL
);
CREATE INDEX buyer_users_account ON buyer_users (account_id, id);
CREATE INDEX buyer_users_username ON buyer_users (username COLLATE NOCASE);
CREATE INDEX buyer_users_email ON buyer_users (email COLLATE NOCASE);
INSERT INTO buyer_users (id, account_id, username, email, role, created_at)
    SELECT id, id, admin_username, admin_email, 'admin', created_at
    FROM accounts WHERE admin_username IS NOT NULL;
-- Usernames are unique among the users of buyers not deleted (checked by ops/accounts.rs: an
-- index cannot see the account's deletion), so a deleted buyer's names are free again.
DROP INDEX accounts_admin_username;
ALTER TABLE accounts DROP COLUMN admin_username;
ALTER TABLE accounts DROP COLUMN admin_email;
