-- Portable between SQLite and PostgreSQL: one schema history for both.
-- Timestamps are epoch milliseconds (BIGINT).

-- Usage records a replica spooled to its local disk while the store was unreachable are replayed
-- into usage_records in batches; each batch's transaction also records here how far into its spool
-- segment the store now has them. A replay cut short by a crash resumes right after the last
-- committed batch: no record is inserted twice, none is skipped. The row goes once the segment file
-- is deleted.
CREATE TABLE usage_spool_progress (
    segment     TEXT    NOT NULL PRIMARY KEY,
    replayed_to BIGINT  NOT NULL CHECK (replayed_to >= 0),
    updated_at  BIGINT  NOT NULL
);
