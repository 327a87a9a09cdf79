-- Schema 3: the daily billing run (billing-rules.md §7, §8).
-- Dates: TEXT YYYY-MM-DD. Instants: INTEGER Unix seconds.

-- One row per completed daily job. A job bills as of 08:00 UTC of its date and commits in one
-- transaction with this row, so a date with a row is done and is never run again.
CREATE TABLE billing_jobs (
    date                TEXT    PRIMARY KEY CHECK (length(date) = 10),
    -- When the job really ran (by the book's clock); a catch-up runs after its date.
    started_at          INTEGER NOT NULL,
    finished_at         INTEGER NOT NULL,
    invoices_created    INTEGER NOT NULL CHECK (invoices_created >= 0),
    -- Invoices that got a line or changed state in the job (the created ones included).
    invoices_touched    INTEGER NOT NULL CHECK (invoices_touched >= 0),
    lines_added         INTEGER NOT NULL CHECK (lines_added >= 0),
    invoices_finalized  INTEGER NOT NULL CHECK (invoices_finalized >= 0),
    invoices_issued     INTEGER NOT NULL CHECK (invoices_issued >= 0),
    invoices_paid       INTEGER NOT NULL CHECK (invoices_paid >= 0),
    -- Step 7 (charging) runs after the job's transaction; 1 once it has completed.
    charged             INTEGER NOT NULL DEFAULT 0 CHECK (charged IN (0, 1))
);

-- The date of the billing job that handled a plan change (billed its lines, or decided it bills
-- nothing, e.g. during a trial); NULL until then. Signups (from_plan_id NULL) are not changes.
ALTER TABLE plan_changes ADD COLUMN billed_on TEXT;
CREATE INDEX plan_changes_unbilled ON plan_changes (application_id)
    WHERE billed_on IS NULL AND from_plan_id IS NOT NULL;
