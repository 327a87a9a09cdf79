-- Schema 1: provider settings, catalogue, accounts, applications, usage, audit.
-- Money columns hold INTEGER amounts in units of 1/10 000 (4 decimal places, exact);
-- percentages likewise. Instants are INTEGER seconds since the Unix epoch (UTC).

CREATE TABLE settings (
    id                  INTEGER PRIMARY KEY CHECK (id = 1),
    org_name            TEXT    NOT NULL,
    line1               TEXT    NOT NULL DEFAULT '',
    line2               TEXT    NOT NULL DEFAULT '',
    city                TEXT    NOT NULL DEFAULT '',
    state               TEXT    NOT NULL DEFAULT '',
    zip                 TEXT    NOT NULL DEFAULT '',
    country             TEXT    NOT NULL DEFAULT '',
    fiscal_code         TEXT    NOT NULL DEFAULT '',
    vat_code            TEXT    NOT NULL DEFAULT '',
    currency            TEXT    NOT NULL CHECK (length(currency) = 3),
    billing_mode        TEXT    NOT NULL CHECK (billing_mode IN ('postpaid', 'prepaid')),
    numbering           TEXT    NOT NULL CHECK (numbering IN ('monthly', 'yearly')),
    invoice_footnote    TEXT    NOT NULL DEFAULT '',
    zero_vat_text       TEXT    NOT NULL DEFAULT '',
    charging_enabled    INTEGER NOT NULL CHECK (charging_enabled IN (0, 1))
);
INSERT INTO settings (id, org_name, currency, billing_mode, numbering, charging_enabled)
VALUES (1, 'My API Company', 'EUR', 'postpaid', 'monthly', 0);

CREATE TABLE services (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    system_name  TEXT    NOT NULL UNIQUE,
    description  TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
);

CREATE TABLE metrics (
    id             INTEGER PRIMARY KEY,
    service_id     INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    parent_id      INTEGER REFERENCES metrics (id) ON DELETE CASCADE,
    system_name    TEXT    NOT NULL,
    friendly_name  TEXT    NOT NULL,
    unit           TEXT    NOT NULL,
    description    TEXT    NOT NULL DEFAULT '',
    UNIQUE (service_id, system_name)
);
CREATE INDEX metrics_parent ON metrics (parent_id);

CREATE TABLE plans (
    id                 INTEGER PRIMARY KEY,
    service_id         INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    name               TEXT    NOT NULL,
    system_name        TEXT    NOT NULL,
    setup_fee          INTEGER NOT NULL CHECK (setup_fee >= 0),
    cost_per_month     INTEGER NOT NULL CHECK (cost_per_month >= 0),
    trial_period_days  INTEGER NOT NULL CHECK (trial_period_days >= 0),
    state              TEXT    NOT NULL CHECK (state IN ('hidden', 'published')),
    is_default         INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at         INTEGER NOT NULL,
    -- Unicode-lowercased name and system name: SQLite's LIKE folds ASCII case only.
    search_key         TEXT    NOT NULL DEFAULT '',
    UNIQUE (service_id, system_name)
);
CREATE UNIQUE INDEX plans_one_default ON plans (service_id) WHERE is_default = 1;
CREATE INDEX plans_name ON plans (name COLLATE NOCASE);
CREATE INDEX plans_state ON plans (state);

CREATE TABLE pricing_rules (
    id             INTEGER PRIMARY KEY,
    plan_id        INTEGER NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    metric_id      INTEGER NOT NULL REFERENCES metrics (id) ON DELETE CASCADE,
    min            INTEGER NOT NULL CHECK (min >= 1),
    max            INTEGER CHECK (max IS NULL OR max >= min),
    cost_per_unit  INTEGER NOT NULL CHECK (cost_per_unit >= 0)
);
CREATE INDEX pricing_rules_plan_metric ON pricing_rules (plan_id, metric_id, min);
CREATE INDEX pricing_rules_metric ON pricing_rules (metric_id);

CREATE TABLE accounts (
    id                        INTEGER PRIMARY KEY,
    org_name                  TEXT    NOT NULL,
    legal_line1               TEXT    NOT NULL DEFAULT '',
    legal_line2               TEXT    NOT NULL DEFAULT '',
    legal_city                TEXT    NOT NULL DEFAULT '',
    legal_state               TEXT    NOT NULL DEFAULT '',
    legal_zip                 TEXT    NOT NULL DEFAULT '',
    legal_country             TEXT    NOT NULL DEFAULT '',
    has_billing_address       INTEGER NOT NULL DEFAULT 0 CHECK (has_billing_address IN (0, 1)),
    billing_line1             TEXT    NOT NULL DEFAULT '',
    billing_line2             TEXT    NOT NULL DEFAULT '',
    billing_city              TEXT    NOT NULL DEFAULT '',
    billing_state             TEXT    NOT NULL DEFAULT '',
    billing_zip               TEXT    NOT NULL DEFAULT '',
    billing_country           TEXT    NOT NULL DEFAULT '',
    vat_code                  TEXT    NOT NULL DEFAULT '',
    fiscal_code               TEXT    NOT NULL DEFAULT '',
    po_number                 TEXT    NOT NULL DEFAULT '',
    vat_rate                  INTEGER CHECK (vat_rate IS NULL OR vat_rate BETWEEN 0 AND 1000000),
    monthly_billing_enabled   INTEGER NOT NULL CHECK (monthly_billing_enabled IN (0, 1)),
    monthly_charging_enabled  INTEGER NOT NULL CHECK (monthly_charging_enabled IN (0, 1)),
    card_last4                TEXT CHECK (card_last4 IS NULL OR length(card_last4) = 4),
    card_expiry_month         INTEGER,
    card_expiry_year          INTEGER,
    card_gateway_reference    TEXT,
    created_at                INTEGER NOT NULL,
    -- Unicode-lowercased org name, VAT code and fiscal code, for search.
    search_key                TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX accounts_org_name ON accounts (org_name COLLATE NOCASE);

CREATE TABLE applications (
    id                  INTEGER PRIMARY KEY,
    account_id          INTEGER NOT NULL REFERENCES accounts (id),
    plan_id             INTEGER NOT NULL REFERENCES plans (id),
    name                TEXT    NOT NULL,
    state               TEXT    NOT NULL CHECK (state IN ('live', 'cancelled')),
    created_at          INTEGER NOT NULL,
    trial_ends_at       INTEGER,
    paid_until          INTEGER,
    usage_billed_until  INTEGER,
    setup_fee_billed    INTEGER NOT NULL DEFAULT 0 CHECK (setup_fee_billed IN (0, 1)),
    cancelled_at        INTEGER
);
CREATE INDEX applications_account ON applications (account_id);
CREATE INDEX applications_plan ON applications (plan_id);
CREATE INDEX applications_state ON applications (state);

CREATE TABLE plan_changes (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    from_plan_id    INTEGER REFERENCES plans (id),
    to_plan_id      INTEGER NOT NULL REFERENCES plans (id),
    changed_at      INTEGER NOT NULL
);
CREATE INDEX plan_changes_application ON plan_changes (application_id, changed_at);

CREATE TABLE usage_records (
    id              INTEGER PRIMARY KEY,
    application_id  INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    metric_id       INTEGER NOT NULL REFERENCES metrics (id) ON DELETE CASCADE,
    recorded_at     INTEGER NOT NULL,
    value           INTEGER NOT NULL CHECK (value >= 0)
);
CREATE INDEX usage_records_application ON usage_records (application_id, metric_id, recorded_at);
CREATE INDEX usage_records_metric ON usage_records (metric_id);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL,
    operation  TEXT    NOT NULL,
    entity     TEXT    NOT NULL,
    entity_id  INTEGER,
    before     TEXT,
    after      TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
