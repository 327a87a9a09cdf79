-- Schema 11: people who sign in can be disabled and are made to wait after failed sign-ins
-- (docs/access.md), and a book names the payment gateway it charges through (billing-rules.md
-- §9): none unless the book was built as a test book (the demo, scenarios, tests).

ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));
-- Sign-ins since the last successful one that did not succeed (each attempt is counted when
-- it starts, and the count cleared when it succeeds).
ALTER TABLE users ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0 CHECK (failed_sign_ins >= 0);
-- Until this instant every sign-in is refused without its password being checked.
ALTER TABLE users ADD COLUMN locked_until INTEGER;
-- Raised by a new password and by disabling: sessions opened before end.
ALTER TABLE users ADD COLUMN credentials_version INTEGER NOT NULL DEFAULT 0;

-- 'none': charging is off whatever charging_enabled says. 'test': the built-in test gateway,
-- which moves no money (and says so on the PDFs, the payments and the screens).
ALTER TABLE settings ADD COLUMN payment_gateway TEXT NOT NULL DEFAULT 'none'
    CHECK (payment_gateway IN ('none', 'test'));
