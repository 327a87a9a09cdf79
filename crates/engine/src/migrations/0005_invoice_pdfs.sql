-- Schema 5: invoice PDFs (billing-rules.md §11).

-- The provider's paper size and logo (PNG or JPEG), printed on every PDF generated after.
ALTER TABLE settings ADD COLUMN paper_size TEXT NOT NULL DEFAULT 'a4'
    CHECK (paper_size IN ('a4', 'letter'));
ALTER TABLE settings ADD COLUMN invoice_logo BLOB;

-- An invoice's PDF as last generated, with when and the settings it used; or, when it could
-- not be made (a character the invoice font cannot draw), why.
CREATE TABLE invoice_pdfs (
    invoice_id    INTEGER PRIMARY KEY REFERENCES invoices (id) ON DELETE CASCADE,
    pdf           BLOB,
    error         TEXT,
    generated_at  INTEGER NOT NULL,
    settings      TEXT    NOT NULL,
    CHECK ((pdf IS NULL) != (error IS NULL))
);

-- Invoices the billing run issued whose PDF is still to be made. The run makes them right after
-- the day's job, in transactions of their own (rendering stays out of the job's transaction);
-- a run that was interrupted makes them the next time.
CREATE TABLE invoice_pdf_queue (
    invoice_id  INTEGER PRIMARY KEY REFERENCES invoices (id) ON DELETE CASCADE
);
