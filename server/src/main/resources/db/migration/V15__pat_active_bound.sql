-- Portable between SQLite and PostgreSQL: one schema history for both.

-- An upper bound on the owner's active personal access tokens, or NULL where none is known. Every
-- issuance adds the tokens it asks for in the statement that takes the owner's lock row; revocation
-- and expiry only lower the true number, so the bound stays above it. An issuance whose bound stays
-- within pat.maxActivePerUser needs no count of the owner's tokens; one above it counts them and
-- sets the bound to that count plus what it admitted.
--
-- active_bound_at is the last_issued_at of the issuance that last kept the bound. A version of
-- Gatehouse before this one (a replica not yet upgraded, or a rollback) issues without raising the
-- bound and moves last_issued_at alone; the next issuance of this version then finds the two apart
-- and counts instead of trusting the bound.
ALTER TABLE pat_owner_locks ADD COLUMN active_at_most INTEGER NULL;
ALTER TABLE pat_owner_locks ADD COLUMN active_bound_at BIGINT NULL;
