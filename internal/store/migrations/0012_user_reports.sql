-- verigate schema, version 12: reports generated on request for a user
-- (POST /v2/reports/{type}), which belong to no verification.

-- Like reports, a user report's files live in the report file store and the
-- row records their SHA-256. accounts is the JSON array of the payroll
-- accounts it was built from; metadata is the client's JSON object;
-- external_id is the user's when the report was generated.
-- Deleting a report deletes its row (and then its files).
CREATE TABLE user_reports (
    id             TEXT PRIMARY KEY,
    partner_id     TEXT NOT NULL,
    environment    TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    type           TEXT NOT NULL,
    schema_version TEXT NOT NULL,
    metadata       TEXT NOT NULL,
    external_id    TEXT,
    accounts       TEXT NOT NULL,
    last_synced_at BIGINT,
    pdf_name       TEXT NOT NULL,
    pdf_sha256     TEXT NOT NULL,
    pdf_size       BIGINT NOT NULL,
    json_name      TEXT NOT NULL,
    json_sha256    TEXT NOT NULL,
    json_size      BIGINT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX user_reports_tenant ON user_reports (partner_id, environment, id);
CREATE INDEX user_reports_user ON user_reports (user_id, created_at);

-- GET /v2/user-uploads lists a tenant's uploads newest first.
CREATE INDEX user_uploads_tenant_account ON user_uploads (account_id, id);
