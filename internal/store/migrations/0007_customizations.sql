-- verigate schema, version 7: partners' customizations of the connection
-- experience: payroll flows (flow_id) and banking experiences (experience).

CREATE TABLE customizations (
    id            TEXT NOT NULL,
    kind          TEXT NOT NULL,
    partner_id    TEXT NOT NULL REFERENCES partners (id),
    environment   TEXT NOT NULL,
    name          TEXT NOT NULL,
    brand_name    TEXT NOT NULL,
    accent_color  TEXT NOT NULL,
    intro         TEXT NOT NULL,
    allowed       TEXT NOT NULL,
    frame_origins TEXT NOT NULL,
    logo          TEXT NOT NULL,
    logo_type     TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL,
    PRIMARY KEY (partner_id, environment, kind, id)
);
