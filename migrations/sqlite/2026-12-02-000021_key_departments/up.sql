-- A county key's department (DOMAIN.md A2); NULL for the root key and every
-- key bound before the authority rules.
ALTER TABLE actor_keys ADD COLUMN department TEXT;
