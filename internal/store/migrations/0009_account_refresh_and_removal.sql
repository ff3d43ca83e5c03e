-- verigate schema, version 9: an account's ongoing refresh can be disabled
-- (POST /v2/accounts/{id}/disable-ongoing-refresh); the time it was is
-- kept, and NULL means refreshes run.

ALTER TABLE accounts ADD COLUMN refresh_disabled_at BIGINT;

-- Deleting an account (DELETE /v2/accounts/{id}) removes its uploads and
-- makes the link sessions that connected it forget it; both are found by
-- account.
CREATE INDEX user_uploads_account ON user_uploads (account_id);
CREATE INDEX connect_sessions_account ON connect_sessions (account_id);
