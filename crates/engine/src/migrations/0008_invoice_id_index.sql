-- Schema 8: the invoices' ids alone, in order. The table's own b-tree holds whole invoices
-- (with their frozen parties), so a list page far from the start, which steps over every
-- invoice before it, read megabytes to find 200 ids; this index is a few hundred bytes a page
-- of ids (store/invoices.rs `list`).
CREATE INDEX invoices_by_id ON invoices (id);
