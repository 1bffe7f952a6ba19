-- Portable between SQLite and PostgreSQL: one schema history for both.
-- Timestamps are epoch milliseconds (BIGINT).

-- One row per metered gateway request (completed, aborted or failed), written in batches off the
-- request path. Append-only.
CREATE TABLE usage_records (
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
    duration_ms       BIGINT   NOT NULL
);

-- GET /admin/usage: a time range, usually narrowed to one organization (or token).
CREATE INDEX usage_records_occurred_at ON usage_records (occurred_at);
CREATE INDEX usage_records_organization ON usage_records (organization, occurred_at);
CREATE INDEX usage_records_token ON usage_records (token_id, occurred_at);

-- Token budgets: tokens reserved or used per token or organization, per UTC day ('2026-01-31') or
-- in total ('total'). Admission is one conditional UPDATE (used + n <= limit), so concurrent
-- requests on any number of replicas cannot overspend a budget.
CREATE TABLE token_budgets (
    scope       TEXT    NOT NULL CHECK (scope IN ('token', 'organization')),
    subject     TEXT    NOT NULL,
    period      TEXT    NOT NULL,
    used        BIGINT  NOT NULL CHECK (used >= 0),
    updated_at  BIGINT  NOT NULL,
    PRIMARY KEY (scope, subject, period)
);
