-- verigate schema, version 1: tenancy, users, verifications and their history.
-- Written in the SQL that SQLite and PostgreSQL share: TEXT ids, BIGINT
-- Unix milliseconds for times, TEXT for JSON documents.

CREATE TABLE secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE partners (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE clients (
    id         TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners (id),
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX clients_partner ON clients (partner_id);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    partner_id  TEXT NOT NULL REFERENCES partners (id),
    client_id   TEXT NOT NULL REFERENCES clients (id),
    name        TEXT NOT NULL,
    environment TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    partner_id          TEXT NOT NULL REFERENCES partners (id),
    environment         TEXT NOT NULL,
    client_id           TEXT NOT NULL REFERENCES clients (id),
    profile             TEXT NOT NULL,
    external_id         TEXT,
    items_connected     TEXT NOT NULL,
    employers_connected TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    version             BIGINT NOT NULL
);
CREATE INDEX users_tenant ON users (partner_id, environment, id);

CREATE TABLE verifications (
    id                   TEXT PRIMARY KEY,
    partner_id           TEXT NOT NULL REFERENCES partners (id),
    environment          TEXT NOT NULL,
    client_id            TEXT NOT NULL REFERENCES clients (id),
    user_id              TEXT NOT NULL REFERENCES users (id),
    channel              TEXT NOT NULL,
    data_source          TEXT NOT NULL,
    report_type          TEXT NOT NULL,
    state                TEXT NOT NULL,
    code                 TEXT NOT NULL,
    errors               TEXT NOT NULL,
    report_id            TEXT,
    file_url             TEXT,
    json_url             TEXT,
    report_configuration TEXT,
    employments          TEXT NOT NULL,
    loan                 TEXT NOT NULL,
    billing              TEXT NOT NULL,
    loan_number          TEXT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    version              BIGINT NOT NULL
);
CREATE INDEX verifications_tenant ON verifications (partner_id, environment, id);
CREATE INDEX verifications_user ON verifications (user_id, id);

CREATE TABLE verification_status_history (
    id              TEXT PRIMARY KEY,
    verification_id TEXT NOT NULL REFERENCES verifications (id),
    state           TEXT NOT NULL,
    code            TEXT NOT NULL,
    errors          TEXT NOT NULL,
    reason          TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX verification_status_history_verification ON verification_status_history (verification_id, id);

CREATE TABLE accounts (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL REFERENCES users (id),
    data_source       TEXT NOT NULL,
    item              TEXT NOT NULL,
    source            TEXT NOT NULL,
    employers         TEXT NOT NULL,
    connection_status TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX accounts_user ON accounts (user_id, data_source);
