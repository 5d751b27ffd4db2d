ALTER TABLE actor_keys DROP COLUMN department;
