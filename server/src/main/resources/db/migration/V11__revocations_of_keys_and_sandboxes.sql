-- Portable between SQLite and PostgreSQL: one schema history for both.

-- The numbered revocation log (V5) also carries revocations wider than one token, so that every
-- replica's poll sees them within the same bound as a token's:
--   'token'    token_id is a jti (every row before this migration);
--   'key'      token_id is the kid of a withdrawn signing key: every token it signed is refused;
--   'sandbox'  token_id is a sandbox id: its sandbox tokens without jti (legacy NewAPI tokens,
--              which no row of sandbox_tokens describes) issued at or before issued_before are refused.
-- Replicas of the previous release read every row as a jti; no jti equals a kid or a sandbox id
-- they would wrongly refuse, so they keep working during a rolling upgrade.
ALTER TABLE revocations ADD COLUMN kind TEXT NOT NULL DEFAULT 'token' CHECK (kind IN ('token', 'key', 'sandbox'));
ALTER TABLE revocations ADD COLUMN issued_before BIGINT NULL;

-- A withdrawn signing key (gatehouse keys revoke): it neither signs nor verifies nor is published,
-- whatever its state. Only a retired key is ever withdrawn: the newest key must be rotated out first.
ALTER TABLE signing_keys ADD COLUMN revoked_at BIGINT NULL;
