-- E2: the lender a pledge is given to (its unified social credit code, or a
-- person's commitment); NULL for seizures, objections and pledges made before
-- the authority rules.
ALTER TABLE encumbrances ADD COLUMN pledgee TEXT;
