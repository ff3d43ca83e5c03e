-- verigate schema, version 18: a record can keep, next to its data, the
-- JSON the /v2 API shows for it (less the id, account, employment and
-- timestamps, which the row holds), written at aggregation so that a
-- listing copies it out instead of decoding and re-encoding every record.
-- '' where a record was stored without one; the API then renders the data.
ALTER TABLE account_records ADD COLUMN rendered TEXT NOT NULL DEFAULT '';
