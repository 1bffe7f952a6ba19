-- Portable between SQLite and PostgreSQL: one schema history for both.

-- One row per owner (issuer, subject, organization) that has issued a personal access token. Issuing
-- takes the owner's row lock first (an UPDATE of last_issued_at), then counts the owner's active
-- tokens in a later statement: concurrent issuances for one owner take turns, each counting after the
-- previous one committed, so pat.maxActivePerUser holds on any number of replicas. Counting alone
-- cannot: under PostgreSQL's READ COMMITTED two transactions both count before either inserts, and a
-- count inside the locking statement would still read the snapshot taken before it waited.
CREATE TABLE pat_owner_locks (
    owner_issuer   TEXT   NOT NULL,
    owner_subject  TEXT   NOT NULL,
    organization   TEXT   NOT NULL,
    last_issued_at BIGINT NOT NULL,
    PRIMARY KEY (owner_issuer, owner_subject, organization)
);
