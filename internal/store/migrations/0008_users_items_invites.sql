-- verigate schema, version 8: the /v2 users listing, item filters and
-- invites.

-- GET /v2/users filters by external_id, newest first, within a tenant.
CREATE INDEX users_external_id ON users (partner_id, environment, external_id, id);

-- An item filter is a named set of conditions on items (filters: a JSON
-- object), kept per tenant.
CREATE TABLE item_filters (
    id          TEXT PRIMARY KEY,
    partner_id  TEXT NOT NULL REFERENCES partners (id),
    environment TEXT NOT NULL,
    name        TEXT NOT NULL,
    filters     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL
);
CREATE INDEX item_filters_tenant ON item_filters (partner_id, environment, id);

-- An invite belongs to the user it created; token is the opaque part of its
-- shareable URL. flow_items and reply_to are JSON arrays, deliveries a JSON
-- array of delivery attempts (newest first); email and phone_number are ''
-- when not given; revoked_at is NULL until the invite is revoked.
CREATE TABLE invites (
    id           TEXT PRIMARY KEY,
    partner_id   TEXT NOT NULL REFERENCES partners (id),
    environment  TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    token        TEXT NOT NULL UNIQUE,
    first_name   TEXT NOT NULL,
    last_name    TEXT NOT NULL,
    email        TEXT NOT NULL,
    phone_number TEXT NOT NULL,
    status       TEXT NOT NULL,
    flow_id      TEXT,
    flow_items   TEXT NOT NULL,
    reply_to     TEXT NOT NULL,
    deliveries   TEXT NOT NULL,
    revoked_at   BIGINT,
    invited_at   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL
);
CREATE INDEX invites_tenant ON invites (partner_id, environment, status, id);
CREATE INDEX invites_user ON invites (user_id);
