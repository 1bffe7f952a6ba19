-- Portable between SQLite and PostgreSQL: one schema history for both.
-- Timestamps are epoch milliseconds (BIGINT).

-- One row per sandbox started through /api/v1/sandbox/sessions. The backend (a child process, or
-- Kubernetes objects labelled with the id) holds what runs; this row is the record every replica
-- works from. Status changes are conditional UPDATEs on the current status, so that of several
-- replicas exactly one acts on each change (reaping, failing, tearing down).
CREATE TABLE sandboxes (
    id               TEXT    NOT NULL PRIMARY KEY,
    name             TEXT    NULL,
    owner_subject    TEXT    NOT NULL,
    owner_issuer     TEXT    NOT NULL,
    organization     TEXT    NOT NULL,
    profile          TEXT    NOT NULL,
    model            TEXT    NULL,
    -- The backend instance responsible: process:<host>:<directory>, or kubernetes:<namespace>.
    backend          TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('pending', 'running', 'stopping', 'stopped', 'failed')),
    reason           TEXT    NULL,
    endpoint         TEXT    NULL,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    running_at       BIGINT  NULL,
    ended_at         BIGINT  NULL,
    -- Last proxied request or open connection, written in batches; gateway calls are read from
    -- usage_records instead.
    last_active_at   BIGINT  NOT NULL,
    token_id         TEXT    NULL,
    token_expires_at BIGINT  NULL,
    -- A replica rotating the token holds the row until then; another replica leaves it alone.
    claimed_until    BIGINT  NULL,
    -- Deleted by its owner or an admin: 404 at the API and the proxy from then on.
    deleted_at       BIGINT  NULL
);

-- GET /api/v1/sandbox/sessions: one owner's sandboxes in one organization, or the organization's.
CREATE INDEX sandboxes_organization ON sandboxes (organization, owner_issuer, owner_subject, created_at);
-- The reaper and orphan collection look at the live sandboxes of their backend only.
CREATE INDEX sandboxes_live ON sandboxes (backend, status) WHERE status IN ('pending', 'running', 'stopping');

-- A sandbox's last gateway call, for idle reaping.
CREATE INDEX usage_records_sandbox ON usage_records (sandbox, occurred_at) WHERE sandbox IS NOT NULL;

-- One row per organization that has created a sandbox. Creating takes the organization's row lock
-- first (as pat_owner_locks does for PATs), then counts live sandboxes: concurrent creations in one
-- organization take turns on every replica, so sandbox.maxPerUser and maxPerOrganization hold.
CREATE TABLE sandbox_quota_locks (
    organization    TEXT   NOT NULL PRIMARY KEY,
    last_created_at BIGINT NOT NULL
);
