-- Schema 2: invoices, their line items and payment transactions, and friendly-ID counters.
-- Money: INTEGER units of 1/10 000. Instants: INTEGER Unix seconds. Dates: TEXT YYYY-MM-DD.

CREATE TABLE invoice_counters (
    prefix       TEXT    PRIMARY KEY,            -- "2025-01" (monthly) or "2025" (yearly)
    last_number  INTEGER NOT NULL CHECK (last_number >= 0)
);

CREATE TABLE invoices (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts (id),
    friendly_id      TEXT    NOT NULL,
    period           TEXT    NOT NULL CHECK (length(period) = 7),
    state            TEXT    NOT NULL CHECK (state IN
                       ('open', 'finalized', 'pending', 'paid', 'unpaid', 'failed', 'cancelled')),
    creation_type    TEXT    NOT NULL CHECK (creation_type IN ('manual', 'background')),
    created_at       INTEGER NOT NULL,
    finalized_at     INTEGER,
    issued_on        TEXT,
    due_on           TEXT,
    paid_at          INTEGER,
    cancelled_at     INTEGER,
    -- Frozen when the invoice is issued; until then they follow the account and settings.
    currency         TEXT,
    vat_rate         INTEGER,
    vat_code         TEXT,
    fiscal_code      TEXT,
    issued_to        TEXT,                           -- JSON: the buyer's name, address, PO number
    issued_by        TEXT,                           -- JSON: the provider's details
    charging_retries INTEGER NOT NULL DEFAULT 0,
    -- Σ line costs (1/10 000 units), kept by the store in the same transaction as the lines,
    -- so lists, charging and earnings never re-add every line.
    net              INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX invoices_period_state ON invoices (period, state);
CREATE INDEX invoices_state ON invoices (state);
CREATE INDEX invoices_account ON invoices (account_id, period);
CREATE INDEX invoices_friendly_id ON invoices (friendly_id);
-- Earnings by month read only this index for issued invoices.
CREATE INDEX invoices_earnings ON invoices (period, state, issued_on, vat_rate, net, account_id);

CREATE TABLE line_items (
    id              INTEGER PRIMARY KEY,
    invoice_id      INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    quantity        TEXT    NOT NULL DEFAULT '1',    -- informational; never multiplies the cost
    cost            INTEGER NOT NULL,                -- the line's total, 1/10 000 units
    type            TEXT    NOT NULL CHECK (type IN ('plan_cost', 'variable_cost', 'manual')),
    application_id  INTEGER REFERENCES applications (id),
    plan_id         INTEGER REFERENCES plans (id),
    metric_id       INTEGER REFERENCES metrics (id),
    created_at      INTEGER NOT NULL
);
CREATE INDEX line_items_invoice ON line_items (invoice_id, id);

CREATE TABLE payment_transactions (
    id               INTEGER PRIMARY KEY,
    invoice_id       INTEGER NOT NULL REFERENCES invoices (id),
    kind             TEXT    NOT NULL CHECK (kind IN ('charge', 'manual')),
    -- "invoice-<id>-attempt-<n>", written BEFORE the gateway is called: a crash between the
    -- gateway's answer and the commit leaves a 'pending' row, resolved by asking the gateway
    -- again with the same key (gateways answer a repeated key without charging twice).
    idempotency_key  TEXT    UNIQUE,
    attempt          INTEGER NOT NULL DEFAULT 0,
    automatic        INTEGER NOT NULL DEFAULT 0 CHECK (automatic IN (0, 1)),
    amount           INTEGER NOT NULL,
    currency         TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    reference        TEXT    NOT NULL DEFAULT '',
    message          TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL
);
CREATE INDEX payment_transactions_invoice ON payment_transactions (invoice_id, id);
CREATE INDEX payment_transactions_pending ON payment_transactions (status) WHERE status = 'pending';
