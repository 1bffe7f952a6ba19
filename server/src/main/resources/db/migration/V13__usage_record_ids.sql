-- Portable between SQLite and PostgreSQL: one schema history for both.

-- Every usage record gets a number of its own, so that GET /admin/usage/records pages by
-- (occurred_at, id): records sharing a millisecond (or even every column) are still told apart, and
-- a page boundary can neither skip nor repeat one. A batch takes its numbers by incrementing the
-- single counter row in its own transaction (as revocation_counter does), so no vendor-specific
-- identity column is needed. Neither SQLite nor PostgreSQL can add a filled key column in place
-- portably, so the table is copied once, existing records numbered in occurred_at order.
CREATE TABLE usage_record_counter (
    id    INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    value BIGINT  NOT NULL
);

CREATE TABLE usage_records_numbered (
    id                BIGINT   NOT NULL PRIMARY KEY,
    occurred_at       BIGINT   NOT NULL,
    request_id        TEXT     NULL,
    organization      TEXT     NOT NULL,
    user_id           TEXT     NULL,
    sandbox           TEXT     NULL,
    token_id          TEXT     NOT NULL,
    token_type        TEXT     NOT NULL,
    channel           TEXT     NULL,
    model             TEXT     NULL,
    prompt_tokens     BIGINT   NOT NULL CHECK (prompt_tokens >= 0),
    completion_tokens BIGINT   NOT NULL CHECK (completion_tokens >= 0),
    outcome           TEXT     NOT NULL CHECK (outcome IN ('completed', 'aborted', 'failed')),
    status            INTEGER  NOT NULL,
    duration_ms       BIGINT   NOT NULL,
    spend_micros      BIGINT   NOT NULL DEFAULT 0 CHECK (spend_micros >= 0)
);

INSERT INTO usage_records_numbered (id, occurred_at, request_id, organization, user_id, sandbox, token_id, token_type,
                                    channel, model, prompt_tokens, completion_tokens, outcome, status, duration_ms,
                                    spend_micros)
SELECT ROW_NUMBER() OVER (ORDER BY occurred_at), occurred_at, request_id, organization, user_id, sandbox, token_id,
       token_type, channel, model, prompt_tokens, completion_tokens, outcome, status, duration_ms, spend_micros
FROM usage_records;

INSERT INTO usage_record_counter (id, value) SELECT 1, COUNT(*) FROM usage_records;

DROP TABLE usage_records;

ALTER TABLE usage_records_numbered RENAME TO usage_records;

-- GET /admin/usage and /admin/usage/records: a time range, usually narrowed to one organization (or token).
CREATE INDEX usage_records_occurred_at ON usage_records (occurred_at, id);
CREATE INDEX usage_records_organization ON usage_records (organization, occurred_at);
CREATE INDEX usage_records_token ON usage_records (token_id, occurred_at);
