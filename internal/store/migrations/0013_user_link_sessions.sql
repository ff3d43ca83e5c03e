-- verigate schema, version 13: Link sessions opened with a user token.
-- Such a session belongs to a user, not to a verification: verification_id
-- becomes nullable and user_id names the user. SQLite cannot relax a
-- column's constraint in place, so the table is rebuilt (the same
-- statements serve PostgreSQL).
CREATE TABLE connect_sessions_new (
    id                  TEXT PRIMARY KEY,
    verification_id     TEXT REFERENCES verifications (id),
    user_id             TEXT NOT NULL DEFAULT '',
    stage               TEXT NOT NULL,
    item                TEXT NOT NULL,
    failures            BIGINT NOT NULL,
    challenge           TEXT NOT NULL,
    account_id          TEXT NOT NULL,
    attempted_selection BIGINT NOT NULL,
    error_code          TEXT NOT NULL,
    connection          TEXT NOT NULL DEFAULT '',
    experience          TEXT NOT NULL DEFAULT '',
    used_at             BIGINT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    version             BIGINT NOT NULL
);
INSERT INTO connect_sessions_new (id, verification_id, user_id, stage, item, failures, challenge, account_id, attempted_selection,
    error_code, connection, experience, used_at, created_at, updated_at, version)
SELECT id, verification_id, '', stage, item, failures, challenge, account_id, attempted_selection,
    error_code, connection, experience, used_at, created_at, updated_at, version FROM connect_sessions;
DROP TABLE connect_sessions;
ALTER TABLE connect_sessions_new RENAME TO connect_sessions;
CREATE INDEX connect_sessions_verification ON connect_sessions (verification_id);
CREATE INDEX connect_sessions_user ON connect_sessions (user_id);
