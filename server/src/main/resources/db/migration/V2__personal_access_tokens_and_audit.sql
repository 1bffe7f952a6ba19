-- Portable between SQLite and PostgreSQL: one schema history for both.
-- Timestamps are epoch milliseconds (BIGINT); JSON values are TEXT.

-- Personal access tokens are JWTs identified by their jti (id). Nothing of the token value is
-- stored: the server cannot show a token again, only describe and revoke it.
CREATE TABLE personal_access_tokens (
    id            TEXT    NOT NULL PRIMARY KEY,
    owner_subject TEXT    NOT NULL,
    owner_issuer  TEXT    NOT NULL,
    organization  TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    audience      TEXT    NOT NULL,
    capabilities  TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    revoked_at    BIGINT  NULL,
    revoked_by    TEXT    NULL,
    last_used_at  BIGINT  NULL,
    CHECK (expires_at > created_at),
    CHECK ((revoked_at IS NULL AND revoked_by IS NULL) OR (revoked_at IS NOT NULL AND revoked_by IS NOT NULL))
);

-- GET /auth/pats: one owner's tokens in one organization, newest first.
CREATE INDEX personal_access_tokens_owner
    ON personal_access_tokens (owner_issuer, owner_subject, organization, created_at);

-- Every replica polls for revocations newer than the last it has seen.
CREATE INDEX personal_access_tokens_revoked_at
    ON personal_access_tokens (revoked_at) WHERE revoked_at IS NOT NULL;

-- Who did what to which credential, when and from where. Append-only.
CREATE TABLE audit_events (
    id             TEXT    NOT NULL PRIMARY KEY,
    occurred_at    BIGINT  NOT NULL,
    actor_subject  TEXT    NOT NULL,
    actor_issuer   TEXT    NOT NULL,
    organization   TEXT    NULL,
    action         TEXT    NOT NULL,
    target         TEXT    NULL,
    source_ip      TEXT    NULL,
    request_id     TEXT    NULL,
    outcome        TEXT    NOT NULL,
    detail         TEXT    NOT NULL
);

CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at);
