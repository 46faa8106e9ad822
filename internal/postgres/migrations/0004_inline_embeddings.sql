-- Passage vectors move to a narrow table of their own and stay inline in
-- its rows (STORAGE PLAIN). In kb_passages a 512-dimension vector (2 kB)
-- went to the TOAST table, so an exact scan fetched every vector from
-- there (demo KB, 211 passages: 1.44 ms; inline 0.19 ms); keeping it
-- inline there instead made every row fat and full-text ranking, which
-- reads rows, three times slower. PLAIN needs a row to fit a page: vectors
-- of up to kb.MaxDimension (1920) dimensions do.
CREATE TABLE kb_vectors (
    passage_id text PRIMARY KEY REFERENCES kb_passages (id) ON DELETE CASCADE,
    -- The filters a vector query applies before its limit, copied from
    -- the passage (they never change: passages are replaced, not edited).
    audience   text NOT NULL,
    lang       text NOT NULL,
    embedding  vector NOT NULL
);
ALTER TABLE kb_vectors ALTER COLUMN embedding SET STORAGE PLAIN;
INSERT INTO kb_vectors (passage_id, audience, lang, embedding)
    SELECT id, audience, lang, embedding FROM kb_passages;
-- Drops the per-dimension HNSW indexes too; rebuild them on kb_vectors.
ALTER TABLE kb_passages DROP COLUMN embedding;
DO $$
DECLARE
    dims int[] := ARRAY(SELECT DISTINCT vector_dims(embedding) FROM kb_vectors);
    d int;
BEGIN
    FOREACH d IN ARRAY dims LOOP
        EXECUTE format('CREATE INDEX kb_vectors_hnsw_%s ON kb_vectors USING hnsw ((embedding::vector(%s)) vector_cosine_ops) '
                       'WITH (m = 24, ef_construction = 128) WHERE vector_dims(embedding) = %s', d, d, d);
    END LOOP;
END $$;
