-- Portable between SQLite and PostgreSQL: one schema history for both.
-- Timestamps are epoch milliseconds (BIGINT). Sealed values are EnvelopeVault text, bound to the
-- identity of their row: copied into another row, they do not decrypt.

-- A user's subscription of one provider, in one organization: an OAuth connection (an access token
-- and usually a refresh token) or a pasted key.
CREATE TABLE byos_connections (
    owner_issuer          TEXT    NOT NULL,
    owner_subject         TEXT    NOT NULL,
    organization          TEXT    NOT NULL,
    provider              TEXT    NOT NULL,
    kind                  TEXT    NOT NULL CHECK (kind IN ('oauth', 'key')),
    status                TEXT    NOT NULL CHECK (status IN ('connected', 'broken')),
    scopes                TEXT    NULL,
    credential_sealed     TEXT    NOT NULL,
    refresh_sealed        TEXT    NULL,
    expires_at            BIGINT  NULL,
    -- One more for every new credential (a refresh): sandboxes holding an older one get the new one.
    version               BIGINT  NOT NULL,
    connected_at          BIGINT  NOT NULL,
    last_refresh_at       BIGINT  NULL,
    last_error            TEXT    NULL,
    -- A replica refreshing the token holds the row until then; the others leave it alone.
    refresh_claimed_until BIGINT  NULL,
    PRIMARY KEY (owner_issuer, owner_subject, organization, provider)
);

-- Connections due for a refresh.
CREATE INDEX byos_connections_expiry ON byos_connections (expires_at) WHERE kind = 'oauth' AND status = 'connected';

-- A connection started by POST /start, waiting for its /callback: bound to its user, used once,
-- kept under the SHA-256 of its state (a database reader cannot finish it).
CREATE TABLE byos_states (
    state_hash       TEXT    NOT NULL PRIMARY KEY,
    owner_issuer     TEXT    NOT NULL,
    owner_subject    TEXT    NOT NULL,
    organization     TEXT    NOT NULL,
    provider         TEXT    NOT NULL,
    verifier_sealed  TEXT    NOT NULL,
    return_to        TEXT    NULL,
    expires_at       BIGINT  NOT NULL
);

-- A sandbox runs against the gateway (its own token) or with its owner's subscription (byos).
ALTER TABLE sandboxes ADD COLUMN mode TEXT NOT NULL DEFAULT 'gateway';
ALTER TABLE sandboxes ADD COLUMN provider TEXT NULL;
-- The version of the subscription's credential the sandbox was given.
ALTER TABLE sandboxes ADD COLUMN credential_version BIGINT NULL;
