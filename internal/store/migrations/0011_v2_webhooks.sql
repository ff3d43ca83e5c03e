-- verigate schema, version 11: /v2 webhook subscriptions and account events.
--
-- days_synced is a subscription's config.days_synced for *.partially_synced
-- events (0 = not given, which means 30 days).
ALTER TABLE webhook_subscriptions ADD COLUMN days_synced BIGINT NOT NULL DEFAULT 0;

-- order_key names the sequence a delivery is ordered in for its
-- subscription: the verification for verifications.* events, the user for
-- account, data and user events; '' = not ordered.
ALTER TABLE webhook_deliveries ADD COLUMN order_key TEXT NOT NULL DEFAULT '';
UPDATE webhook_deliveries SET order_key = verification_id;
CREATE INDEX webhook_deliveries_order_key ON webhook_deliveries (subscription_id, order_key, id);
