-- Portable between SQLite and PostgreSQL: one schema history for both.
-- Timestamps are epoch milliseconds (BIGINT); binary values are base64 TEXT.

CREATE TABLE signing_keys (
    kid                TEXT    NOT NULL PRIMARY KEY,
    algorithm          TEXT    NOT NULL,
    public_jwk         TEXT    NOT NULL,
    private_key_sealed TEXT    NOT NULL,
    state              TEXT    NOT NULL CHECK (state IN ('active', 'retired')),
    created_at         BIGINT  NOT NULL,
    retired_at         BIGINT  NULL,
    verify_until       BIGINT  NULL,
    CHECK ((state = 'active' AND retired_at IS NULL AND verify_until IS NULL)
        OR (state = 'retired' AND retired_at IS NOT NULL AND verify_until IS NOT NULL))
);

-- At most one active signing key, whatever number of replicas race to create or rotate one.
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (state) WHERE state = 'active';
