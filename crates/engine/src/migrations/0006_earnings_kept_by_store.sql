-- Schema 6: `earnings_by_period` is kept by the store (store/earnings.rs, `keeping_share`) in
-- the same transaction as every invoice write, instead of by triggers. A trigger made every
-- INSERT and UPDATE on invoices a multi-statement program that needs a statement journal:
-- about a sixth of the daily billing job, which writes every buyer's invoice. The summary's
-- rows are unchanged.
DROP TRIGGER earnings_on_insert;
DROP TRIGGER earnings_on_delete;
DROP TRIGGER earnings_on_update;
