-- Portable between SQLite and PostgreSQL.

-- Issuing a personal access token counts the owner's active tokens (pat.maxActivePerUser) under the
-- owner's lock row. This partial index holds only unrevoked tokens and covers the count (owner, then
-- expires_at > now): a range scan of the owner's active tokens, without reading the table.
CREATE INDEX personal_access_tokens_active
    ON personal_access_tokens (owner_issuer, owner_subject, organization, expires_at)
    WHERE revoked_at IS NULL;
