-- Billable metrics over usage events (issue 21, docs/events.md "Billable metrics"): which
-- events (by name and property values) and how they add up into a quantity.
CREATE TABLE billable_metrics (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    description  TEXT    NOT NULL DEFAULT '',
    event_name   TEXT    NOT NULL,
    aggregation  TEXT    NOT NULL
                 CHECK (aggregation IN ('count', 'sum', 'max', 'unique_count', 'latest')),
    -- The property aggregated; none for a count.
    property     TEXT,
    -- Property values an event must have, as a JSON object (equality).
    filters      TEXT    NOT NULL DEFAULT '{}',
    created_at   INTEGER NOT NULL
);
