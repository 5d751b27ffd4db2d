ALTER TABLE contracts DROP COLUMN return_compensation_fen;
ALTER TABLE contracts DROP COLUMN return_effective;
ALTER TABLE contracts DROP COLUMN returned_at;
