-- The editors' reports tell KB gaps from hand-off triggers: a question the
-- bot handed to a person for a signal (a request for a person, a severe
-- topic, frustration) records those signals and leaves the gap list. And
-- the help centre's "Was this helpful?" votes, counted in article stats.

ALTER TABLE kb_questions ADD COLUMN handoff_signals text[] NOT NULL DEFAULT '{}';

CREATE TABLE kb_votes (
    seq        bigserial PRIMARY KEY,
    article_id text NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    helpful    boolean NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX kb_votes_article ON kb_votes (article_id);
