-- verigate schema, version 5: generated reports, user uploads, and the
-- refreshes waiting for an account's re-aggregation.

-- A report's files live in the report file store; the row records where and
-- their SHA-256, so a download can prove the file is the one generated.
-- One report per verification: generating twice reuses the first.
CREATE TABLE reports (
    id              TEXT PRIMARY KEY,
    partner_id      TEXT NOT NULL,
    environment     TEXT NOT NULL,
    verification_id TEXT NOT NULL REFERENCES verifications (id),
    user_id         TEXT NOT NULL,
    type            TEXT NOT NULL,
    schema_version  TEXT NOT NULL,
    pdf_name        TEXT NOT NULL,
    pdf_sha256      TEXT NOT NULL,
    pdf_size        BIGINT NOT NULL,
    json_name       TEXT NOT NULL,
    json_sha256     TEXT NOT NULL,
    json_size       BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX reports_verification ON reports (verification_id);
CREATE INDEX reports_tenant ON reports (partner_id, environment, id);

-- Documents a partner uploaded for a user, with what the uploader stated
-- about them (verigate does no OCR).
CREATE TABLE user_uploads (
    id            TEXT PRIMARY KEY,
    partner_id    TEXT NOT NULL,
    environment   TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id),
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    document_type TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    stored_name   TEXT NOT NULL,
    stated        TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX user_uploads_user ON user_uploads (user_id, id);
CREATE INDEX user_uploads_tenant ON user_uploads (partner_id, environment, id);

-- A refreshed payroll verification waits here until its account's next
-- aggregation completes it.
CREATE TABLE account_refreshes (
    verification_id TEXT PRIMARY KEY REFERENCES verifications (id),
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    created_at      BIGINT NOT NULL
);
CREATE INDEX account_refreshes_account ON account_refreshes (account_id);

-- The documents evaluator looks for verifications by status across tenants.
CREATE INDEX verifications_status ON verifications (data_source, state, code, updated_at);
