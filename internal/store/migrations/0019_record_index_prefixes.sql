-- verigate schema, version 19: two indexes of account_records that no query
-- needs, each a prefix of a listing index followed by id. Every listing
-- orders by (record_date, id) and uses the listing indexes of 0004 and 0009;
-- (kind, user_id, id) served no query, and (kind, partner_id, environment,
-- id) only tempted SQLite, once statistics exist, into reading a tenant's
-- records in id order and sorting them by date. Both were written on every
-- aggregated record: about a fifth of the bytes an aggregation writes.
DROP INDEX account_records_user;
DROP INDEX account_records_tenant;
