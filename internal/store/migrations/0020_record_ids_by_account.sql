-- verigate schema, version 20: how an account's records are named. Records
-- of accounts created from now on have ids that begin with bytes of their
-- account's, so that an aggregation's inserts fill a few neighbouring pages
-- of the id index instead of one page per record. Accounts stored before
-- keep naming their records as they did ('hashed'): refreshed records must
-- keep their ids, and the employments and bank accounts they point to.
ALTER TABLE accounts ADD COLUMN record_ids TEXT NOT NULL DEFAULT '';
UPDATE accounts SET record_ids = 'hashed';
