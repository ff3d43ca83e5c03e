-- verigate schema, version 14: API keys can be revoked and rotated, and
-- record when they were last used. changed_at moves with every change that
-- authentication must see (creation, revocation), so that every process
-- notices a change with one small query.
ALTER TABLE api_keys ADD COLUMN revoked_at BIGINT;
ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT;
ALTER TABLE api_keys ADD COLUMN changed_at BIGINT NOT NULL DEFAULT 0;
UPDATE api_keys SET changed_at = created_at;
CREATE INDEX api_keys_partner ON api_keys (partner_id, created_at);
