-- Portable between SQLite and PostgreSQL: one schema history for both.

-- Budgets per organization, user, sandbox or token; per UTC day ('2026-01-31'), month ('2026-01')
-- or in total ('total'); in tokens or in spend (millionths of gateway.currency). Admission is one
-- conditional UPDATE (used + n <= limit) per budget, so concurrent requests on any number of
-- replicas cannot reserve more than a budget holds. Replaces token_budgets, whose rows carry over.
CREATE TABLE budgets (
    scope       TEXT    NOT NULL CHECK (scope IN ('organization', 'user', 'sandbox', 'token')),
    subject     TEXT    NOT NULL,
    period      TEXT    NOT NULL,
    unit        TEXT    NOT NULL CHECK (unit IN ('tokens', 'spend')),
    used        BIGINT  NOT NULL CHECK (used >= 0),
    updated_at  BIGINT  NOT NULL,
    PRIMARY KEY (scope, subject, period, unit)
);

INSERT INTO budgets (scope, subject, period, unit, used, updated_at)
SELECT scope, subject, period, 'tokens', used, updated_at FROM token_budgets;

DROP TABLE token_budgets;

-- What each request cost at its channel's configured price, in millionths of gateway.currency;
-- 0 when the channel has no price for the model.
ALTER TABLE usage_records ADD COLUMN spend_micros BIGINT NOT NULL DEFAULT 0 CHECK (spend_micros >= 0);
