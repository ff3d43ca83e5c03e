-- verigate schema, version 6: what a connection session keeps for banking
-- links.

-- connection: the bank connection (sealed with the stored-secrets key)
-- between a successful sign-in and the borrower's choice of accounts; empty
-- at every other stage. The page never carries it.
ALTER TABLE connect_sessions ADD COLUMN connection TEXT NOT NULL DEFAULT '';
-- experience: the session's configuration.experience (a customization id),
-- recorded when the link is first opened; empty when none was given.
ALTER TABLE connect_sessions ADD COLUMN experience TEXT NOT NULL DEFAULT '';
-- used_at: when a single_use_url link connected an account (Unix
-- milliseconds); from then on the link refuses any further use. NULL
-- otherwise.
ALTER TABLE connect_sessions ADD COLUMN used_at BIGINT;
