-- Portable between SQLite and PostgreSQL: one schema history for both.

-- Every revocation, numbered by the database in commit order, so that replicas poll "after the last
-- number I saw" instead of comparing revoked_at (stamped by the revoking replica's clock) with their
-- own clocks. A revoking transaction increments the single counter row first: the row lock makes
-- concurrent revocations take numbers one after the other, each after the previous one committed,
-- so a poller that saw number n has seen every revocation numbered below n (no gaps to track, no
-- vendor-specific identity columns).
CREATE TABLE revocation_counter (
    id    INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    value BIGINT  NOT NULL
);

INSERT INTO revocation_counter (id, value) VALUES (1, 0);

CREATE TABLE revocations (
    seq        BIGINT NOT NULL PRIMARY KEY,
    token_id   TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);
