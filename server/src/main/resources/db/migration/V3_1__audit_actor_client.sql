-- Service accounts acting through the admin API: which OAuth client acted, and for which user it
-- said it acted (the identity-propagation header, e.g. X-Gatehouse-User). Both NULL for users and
-- for the admin secret acting on its own.
ALTER TABLE audit_events ADD COLUMN actor_client TEXT NULL;
ALTER TABLE audit_events ADD COLUMN actor_on_behalf_of TEXT NULL;
