-- Voluntary returns of contracted land (C6).
ALTER TABLE contracts ADD COLUMN returned_at BIGINT;
ALTER TABLE contracts ADD COLUMN return_effective TEXT;
ALTER TABLE contracts ADD COLUMN return_compensation_fen BIGINT;
