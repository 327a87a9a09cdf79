-- A usage record may carry the idempotency key of the row that brought it (a CSV import's
-- idempotency_key column, record_usage's): a key is taken once, ever, so a file imported twice
-- never bills twice (issue 21, docs/events.md "Usage records").
ALTER TABLE usage_records ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX usage_records_key ON usage_records (idempotency_key)
    WHERE idempotency_key IS NOT NULL;
