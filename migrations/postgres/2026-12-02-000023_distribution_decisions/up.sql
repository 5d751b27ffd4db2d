-- D1: the decisions a distribution rests on (JSON array of log indexes), each
-- used for that distribution only under the authority rules; NULL before.
ALTER TABLE distributions ADD COLUMN decisions TEXT;
