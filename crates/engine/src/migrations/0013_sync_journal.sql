-- What the server ran for each desktop change it applied (docs/sync.md "Push"): the operation,
-- its input with the desktop's provisional ids replaced by the server's, and whom the audit
-- log names. With the server's own writes this is the book's journal: replaying it into a new
-- book reproduces the server's (tested). Rows written before this migration have none.
ALTER TABLE sync_applied ADD COLUMN operation TEXT;
ALTER TABLE sync_applied ADD COLUMN input TEXT;
ALTER TABLE sync_applied ADD COLUMN actor TEXT;

-- The server's id for a desktop's provisional one: named for what it is.
ALTER TABLE sync_id_map RENAME COLUMN real TO server_id;
