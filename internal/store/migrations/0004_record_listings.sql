-- verigate schema, version 4: indexes for the connected-data listings
-- (paystubs and payroll documents), which page by (record_date, id) newest
-- first within a user, an account or a whole tenant.

CREATE INDEX account_records_user_date ON account_records (kind, user_id, record_date, id);
CREATE INDEX account_records_account_date ON account_records (kind, account_id, record_date, id);
CREATE INDEX account_records_tenant_date ON account_records (kind, partner_id, environment, record_date, id);
CREATE INDEX account_records_employment_date ON account_records (kind, employment, record_date, id);
