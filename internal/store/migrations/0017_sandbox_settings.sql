-- verigate schema, version 17: a sandbox tenant's controls — shorter link
-- and user-token lifetimes (0: the default) and its clock, moved forward by
-- an offset. One row per partner, for its sandbox only.
CREATE TABLE sandbox_settings (
    partner_id             TEXT PRIMARY KEY REFERENCES partners (id),
    link_lifetime_seconds  BIGINT NOT NULL DEFAULT 0,
    token_lifetime_seconds BIGINT NOT NULL DEFAULT 0,
    clock_offset_seconds   BIGINT NOT NULL DEFAULT 0,
    updated_at             BIGINT NOT NULL
);
