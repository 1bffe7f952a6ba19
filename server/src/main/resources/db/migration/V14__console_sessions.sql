-- Portable between SQLite and PostgreSQL. Timestamps are epoch milliseconds (BIGINT).

-- A signed-in web console: the browser holds only a random session id in an HttpOnly cookie;
-- Gatehouse keeps the principal. Kept under the SHA-256 of the id (a database reader cannot sign in).
CREATE TABLE console_sessions (
    id_hash       TEXT    NOT NULL PRIMARY KEY,
    csrf_token    TEXT    NOT NULL,
    method        TEXT    NOT NULL CHECK (method IN ('local', 'keycloak')),
    -- The principal as JSON: issuer, subject, user, organization, groups, capabilities.
    principal     TEXT    NOT NULL,
    -- Keycloak's ID token of the sign-in, only to end the Keycloak session too at sign-out (id_token_hint).
    id_token      TEXT    NULL,
    -- Keycloak's refresh token, sealed (SecretVault, bound to this row), to check the person every few
    -- minutes: a user disabled or a role removed in Keycloak ends or changes the session.
    refresh_sealed TEXT   NULL,
    checked_at    BIGINT  NOT NULL,
    created_at    BIGINT  NOT NULL,
    last_seen_at  BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL
);

CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);
