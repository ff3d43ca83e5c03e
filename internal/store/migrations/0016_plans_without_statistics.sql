-- verigate schema, version 16: indexes that match each hot query's filter and
-- order, so that plans do not depend on whether statistics exist.
--
-- Listings by user filter on partner_id, environment and user_id and order by
-- id. Without statistics SQLite's planner prefers the index matching the most
-- equality conditions, so it chose the tenant index (partner_id, environment,
-- id) over (user_id, id) and walked the whole tenant newest first looking for
-- one user's rows. These match all three conditions and the order.
CREATE INDEX verifications_user_listing ON verifications (partner_id, environment, user_id, id);
CREATE INDEX accounts_user_listing ON accounts (partner_id, environment, user_id, id);
CREATE INDEX user_reports_user_listing ON user_reports (partner_id, environment, user_id, id);
CREATE INDEX user_uploads_user_listing ON user_uploads (partner_id, environment, user_id, id);
CREATE INDEX user_uploads_account_listing ON user_uploads (partner_id, environment, account_id, id);

-- The webhook claim takes the pending delivery due first. Its index holds the
-- pending deliveries only, in the claim's order, so a claim reads the head of
-- the queue whatever the number of delivered ones; the ordering check (no
-- earlier pending delivery of the same order key) reads pending ones only.
-- They replace the indexes over every delivery that served both before.
CREATE INDEX webhook_deliveries_claim ON webhook_deliveries (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_pending_order ON webhook_deliveries (subscription_id, order_key, id) WHERE state = 'pending';
DROP INDEX webhook_deliveries_due;
DROP INDEX webhook_deliveries_order;
DROP INDEX webhook_deliveries_order_key;
