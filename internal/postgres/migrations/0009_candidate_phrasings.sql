-- Candidate phrasings: customers' questions that were resolved by an
-- article (picked from the bot's suggestions, answered by an agent with
-- it), waiting for an editor's review. The same question (text_key) of the
-- same article is one row whose count grows.
CREATE TABLE kb_candidates (
    id          text PRIMARY KEY,
    article_id  text NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    text        text NOT NULL,
    text_key    text NOT NULL,
    source      text NOT NULL CHECK (source IN ('picked', 'agent')),
    locale      text NOT NULL DEFAULT '',
    count       integer NOT NULL DEFAULT 1,
    state       text NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    phrasing_id text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    UNIQUE (article_id, text_key)
);
CREATE INDEX kb_candidates_review ON kb_candidates (state, count DESC, created_at DESC);

-- Accepted candidates become phrasings of source 'learned'.
ALTER TABLE kb_phrasings DROP CONSTRAINT kb_phrasings_source_check;
ALTER TABLE kb_phrasings ADD CONSTRAINT kb_phrasings_source_check
    CHECK (source IN ('editor', 'unanswered', 'import', 'learned'));
