-- Keep embeddings inline in the row. A vector of 512 or more dimensions is
-- over 2 kB, so by default it went to the TOAST table and every exact
-- scan or re-check fetched it from there: about 7 µs per passage, against
-- 1 µs inline (exact scan of the demo KB's 211 passages: 1.44 ms before,
-- 0.19 ms after). PLAIN needs the row to fit a page, which holds vectors
-- up to kb.MaxDimension (1920) dimensions.
ALTER TABLE kb_passages ALTER COLUMN embedding SET STORAGE PLAIN;
-- Rows already stored keep their out-of-line copy until written again:
-- rewrite them. (An indexed column changes, so every index entry is
-- rewritten too; a KB that is reindexed anyway may be faster to reimport.)
UPDATE kb_passages SET embedding = embedding::real[]::vector;
