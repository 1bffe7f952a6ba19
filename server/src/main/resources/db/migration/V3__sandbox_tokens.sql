-- Portable between SQLite and PostgreSQL. Timestamps are epoch milliseconds (BIGINT); JSON is TEXT.

-- Every sandbox token minted by the bridge (POST /admin/tokens/sandbox), identified by its jti.
-- Nothing of the token value is stored. Revoking a sandbox revokes all of its tokens.
CREATE TABLE sandbox_tokens (
    jti           TEXT    NOT NULL PRIMARY KEY,
    sandbox_id    TEXT    NOT NULL,
    organization  TEXT    NOT NULL,
    user_id       TEXT    NOT NULL,
    channels      TEXT    NOT NULL,
    key_id        TEXT    NOT NULL,
    issued_at     BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    revoked_at    BIGINT  NULL,
    CHECK (expires_at > issued_at)
);

-- DELETE /admin/tokens/sandbox/{sandbox_id}: all tokens of one sandbox.
CREATE INDEX sandbox_tokens_sandbox ON sandbox_tokens (sandbox_id);

-- Every replica polls for revocations newer than the last it has seen.
CREATE INDEX sandbox_tokens_revoked_at ON sandbox_tokens (revoked_at) WHERE revoked_at IS NOT NULL;
