-- verigate schema, version 3: webhook subscriptions, the events verifications
-- raise, and one delivery per event and subscription (the outbox).

CREATE TABLE webhook_subscriptions (
    id               TEXT PRIMARY KEY,
    partner_id       TEXT NOT NULL REFERENCES partners (id),
    environment      TEXT NOT NULL,
    name             TEXT NOT NULL,
    url              TEXT NOT NULL,
    events           TEXT NOT NULL,
    secret           TEXT NOT NULL,
    include_resource BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    deleted_at       BIGINT
);
CREATE INDEX webhook_subscriptions_tenant ON webhook_subscriptions (partner_id, environment, id);

-- Events are written in the same transaction as the change that raised them.
CREATE TABLE webhook_events (
    id              TEXT PRIMARY KEY,
    partner_id      TEXT NOT NULL,
    environment     TEXT NOT NULL,
    event           TEXT NOT NULL,
    verification_id TEXT NOT NULL,
    data            TEXT NOT NULL,
    resource        TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id),
    event_id        TEXT NOT NULL REFERENCES webhook_events (id),
    event           TEXT NOT NULL,
    verification_id TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT NOT NULL,
    last_status     BIGINT,
    last_error      TEXT NOT NULL,
    delivered_at    BIGINT,
    created_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (subscription_id, verification_id, id);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id);
