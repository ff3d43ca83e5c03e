-- verigate schema, version 2: connection sessions, connected accounts and
-- the data aggregated from them.

-- A connection session is written when its link is first opened; creating
-- a session writes nothing (the link carries it, sealed).
CREATE TABLE connect_sessions (
    id                  TEXT PRIMARY KEY,
    verification_id     TEXT NOT NULL REFERENCES verifications (id),
    stage               TEXT NOT NULL,
    item                TEXT NOT NULL,
    failures            BIGINT NOT NULL,
    challenge           TEXT NOT NULL,
    account_id          TEXT NOT NULL,
    attempted_selection BIGINT NOT NULL,
    error_code          TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    version             BIGINT NOT NULL
);
CREATE INDEX connect_sessions_verification ON connect_sessions (verification_id);

ALTER TABLE accounts ADD COLUMN partner_id TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN environment TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN verification_id TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN connection TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN error_code TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN error_message TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN scanned_at BIGINT;
ALTER TABLE accounts ADD COLUMN aggregation TEXT NOT NULL DEFAULT 'done';
ALTER TABLE accounts ADD COLUMN aggregation_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
CREATE INDEX accounts_tenant ON accounts (partner_id, environment, id);
CREATE INDEX accounts_aggregation ON accounts (aggregation, lease_until);

-- Aggregated records (identities, employments, paystubs, payroll documents)
-- of an account, one row each, with the columns their listings filter on.
CREATE TABLE account_records (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    partner_id  TEXT NOT NULL,
    environment TEXT NOT NULL,
    source_id   TEXT NOT NULL,
    employment  TEXT NOT NULL,
    record_date TEXT NOT NULL,
    data        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (account_id, kind, source_id)
);
CREATE INDEX account_records_user ON account_records (kind, user_id, id);
CREATE INDEX account_records_account ON account_records (kind, account_id, id);
CREATE INDEX account_records_tenant ON account_records (kind, partner_id, environment, id);
