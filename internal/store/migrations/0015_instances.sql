-- verigate schema, version 15: the verigate processes serving one database
-- announce themselves every second, so that each takes its share of a
-- per-key rate limit.
CREATE TABLE instances (
    id      TEXT PRIMARY KEY,
    seen_at BIGINT NOT NULL
);
