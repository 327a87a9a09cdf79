-- Schema 4: what the daily billing run and earnings by month read, kept fast on large books.

-- A buyer's invoices in a given state (open to add lines to or finalize, finalized to issue)
-- through one index. With only (account_id, period) and (state) SQLite could pick the state
-- index and walk every open invoice of the book for each buyer. It also serves lists by buyer,
-- so (account_id, period) goes: one index less to keep up on every new invoice.
CREATE INDEX invoices_account_state ON invoices (account_id, state, period);
DROP INDEX invoices_account;

-- Invoices by state and period; covering for earnings of the invoices not issued yet (read
-- with their buyer's live VAT rate).
DROP INDEX invoices_state;
CREATE INDEX invoices_state_period ON invoices (state, period, account_id, net);

-- A month of one metric's usage is one range of this index, read without visiting the table.
DROP INDEX usage_records_application;
CREATE INDEX usage_records_application
    ON usage_records (application_id, metric_id, recorded_at, value);

-- Earnings by month of issued invoices (whose VAT rate is frozen), kept by triggers in the
-- same transaction as every change to an invoice, so earnings never sum a million rows.
-- bucket: 0 in process, 1 overdue, 2 paid (billing-rules.md §10); vat_rate -1: none.
DROP INDEX invoices_earnings;
CREATE TABLE earnings_by_period (
    period    TEXT    NOT NULL,
    bucket    INTEGER NOT NULL,
    vat_rate  INTEGER NOT NULL,
    net       INTEGER NOT NULL,
    invoices  INTEGER NOT NULL,
    PRIMARY KEY (period, bucket, vat_rate)
) WITHOUT ROWID;

CREATE TRIGGER earnings_on_insert AFTER INSERT ON invoices
WHEN new.issued_on IS NOT NULL AND new.state != 'cancelled'
BEGIN
    INSERT INTO earnings_by_period (period, bucket, vat_rate, net, invoices)
    VALUES (new.period,
            CASE WHEN new.state IN ('unpaid', 'failed') THEN 1
                 WHEN new.state = 'paid' THEN 2 ELSE 0 END,
            coalesce(new.vat_rate, -1), new.net, 1)
    ON CONFLICT DO UPDATE SET net = net + excluded.net, invoices = invoices + 1;
END;

CREATE TRIGGER earnings_on_delete AFTER DELETE ON invoices
WHEN old.issued_on IS NOT NULL AND old.state != 'cancelled'
BEGIN
    UPDATE earnings_by_period SET net = net - old.net, invoices = invoices - 1
    WHERE period = old.period
      AND bucket = CASE WHEN old.state IN ('unpaid', 'failed') THEN 1
                        WHEN old.state = 'paid' THEN 2 ELSE 0 END
      AND vat_rate = coalesce(old.vat_rate, -1);
END;

CREATE TRIGGER earnings_on_update AFTER UPDATE OF period, state, issued_on, vat_rate, net
ON invoices
WHEN (old.issued_on IS NOT NULL AND old.state != 'cancelled')
  OR (new.issued_on IS NOT NULL AND new.state != 'cancelled')
BEGIN
    UPDATE earnings_by_period SET net = net - old.net, invoices = invoices - 1
    WHERE old.issued_on IS NOT NULL AND old.state != 'cancelled'
      AND period = old.period
      AND bucket = CASE WHEN old.state IN ('unpaid', 'failed') THEN 1
                        WHEN old.state = 'paid' THEN 2 ELSE 0 END
      AND vat_rate = coalesce(old.vat_rate, -1);
    INSERT INTO earnings_by_period (period, bucket, vat_rate, net, invoices)
    SELECT new.period,
           CASE WHEN new.state IN ('unpaid', 'failed') THEN 1
                WHEN new.state = 'paid' THEN 2 ELSE 0 END,
           coalesce(new.vat_rate, -1), new.net, 1
    WHERE new.issued_on IS NOT NULL AND new.state != 'cancelled'
    ON CONFLICT DO UPDATE SET net = net + excluded.net, invoices = invoices + 1;
END;

INSERT INTO earnings_by_period (period, bucket, vat_rate, net, invoices)
SELECT period,
       CASE WHEN state IN ('unpaid', 'failed') THEN 1 WHEN state = 'paid' THEN 2 ELSE 0 END,
       coalesce(vat_rate, -1), sum(net), count(*)
FROM invoices
WHERE issued_on IS NOT NULL AND state != 'cancelled'
GROUP BY 1, 2, 3;
