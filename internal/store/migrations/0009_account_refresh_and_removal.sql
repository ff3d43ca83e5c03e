-- verigate schema, version 9: an account's ongoing refresh can be disabled
-- (POST /v2/accounts/{id}/disable-ongoing-refresh); the time it was is
-- kept, and NULL means refreshes run.

ALTER TABLE accounts ADD COLUMN refresh_disabled_at BIGINT;

-- Deleting an account (DELETE /v2/accounts/{id}) removes its uploads and
-- makes the link sessions that connected it forget it; both are found by
-- account.
CREATE INDEX user_uploads_account ON user_uploads (account_id);
CREATE INDEX connect_sessions_account ON connect_sessions (account_id);

-- Record listings filtered by user, account or employment: SQLite's planner
-- prefers the index matching the most equality conditions, and every listing
-- also has kind, partner_id and environment, so with 0004's indexes it
-- walked the whole tenant's records in date order (account_records_tenant_date)
-- looking for one user's. These carry the tenant columns after the filter,
-- so the filter's index matches more conditions and is chosen; they replace
-- 0004's, which they cover.
CREATE INDEX account_records_user_listing ON account_records (kind, user_id, partner_id, environment, record_date, id);
CREATE INDEX account_records_account_listing ON account_records (kind, account_id, partner_id, environment, record_date, id);
CREATE INDEX account_records_employment_listing ON account_records (kind, employment, partner_id, environment, record_date, id);
DROP INDEX account_records_user_date;
DROP INDEX account_records_account_date;
DROP INDEX account_records_employment_date;
