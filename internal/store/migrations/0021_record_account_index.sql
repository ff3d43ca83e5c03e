-- verigate schema, version 21: account_records_account (kind, account_id, id)
-- goes. An account's records are read through the unique index on
-- (account_id, kind, source_id), and the store puts them in id order
-- itself; every record an aggregation stored was written into one more
-- B-tree for it (docs/perf.md, "Aggregation").
DROP INDEX account_records_account;
