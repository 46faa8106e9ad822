-- The knowledge base: articles (working copy + state), immutable revisions,
-- phrasings, the passage index (embedding + full text) and the feedback the
-- reports are built from. HNSW indexes on passages are created per
-- embedding dimension by the store (see kb.go), since the dimension is a
-- deployment setting.

CREATE TABLE kb_articles (
    id                    text PRIMARY KEY,
    slug                  text NOT NULL CONSTRAINT kb_articles_slug_key UNIQUE,
    title                 text NOT NULL,
    body                  text NOT NULL,
    tags                  text[] NOT NULL DEFAULT '{}',
    locale                text NOT NULL,
    audience              text NOT NULL CHECK (audience IN ('public', 'customers')),
    state                 text NOT NULL CHECK (state IN ('draft', 'review', 'published', 'archived')),
    published_revision_id text NOT NULL DEFAULT '',
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL
);
CREATE INDEX kb_articles_state ON kb_articles (state, slug);

CREATE TABLE kb_revisions (
    id         text PRIMARY KEY,
    article_id text NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    number     integer NOT NULL,
    title      text NOT NULL,
    body       text NOT NULL,
    tags       text[] NOT NULL DEFAULT '{}',
    author     text NOT NULL,
    created_at timestamptz NOT NULL,
    UNIQUE (article_id, number)
);

CREATE TABLE kb_phrasings (
    id         text PRIMARY KEY,
    article_id text NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    text       text NOT NULL,
    source     text NOT NULL CHECK (source IN ('editor', 'unanswered', 'import')),
    created_at timestamptz NOT NULL,
    seq        bigserial
);
CREATE INDEX kb_phrasings_article ON kb_phrasings (article_id, seq);

CREATE TABLE kb_passages (
    id          text PRIMARY KEY,
    article_id  text NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    revision_id text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('chunk', 'phrasing')),
    ordinal     integer NOT NULL,
    heading     text NOT NULL DEFAULT '',
    text        text NOT NULL,
    index_text  text NOT NULL,
    locale      text NOT NULL,
    lang        text NOT NULL, -- locale's language subtag, the locale filter
    audience    text NOT NULL,
    fts         tsvector NOT NULL,
    embedding   vector NOT NULL
);
CREATE INDEX kb_passages_article ON kb_passages (article_id, ordinal);
CREATE INDEX kb_passages_fts ON kb_passages USING gin (fts);

-- How many passages hold each lexeme (of any language), kept by the store as
-- passages are replaced. Full-text search reads it to leave out terms so
-- common that ranking their matches would cost more than they tell.
CREATE TABLE kb_lexemes (
    lexeme text PRIMARY KEY,
    ndoc   integer NOT NULL CHECK (ndoc >= 0)
);

CREATE TABLE kb_index_state (
    name       text PRIMARY KEY,
    data       bytea NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE kb_questions (
    id                  text PRIMARY KEY,
    conversation_id     text NOT NULL,
    text                text NOT NULL,
    abstained           boolean NOT NULL,
    article_ids         text[] NOT NULL DEFAULT '{}',
    resolved_article_id text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL,
    seq                 bigserial
);
CREATE INDEX kb_questions_created ON kb_questions (created_at DESC, seq DESC);
CREATE INDEX kb_questions_conversation ON kb_questions (conversation_id);

CREATE TABLE kb_handoffs (
    conversation_id text NOT NULL,
    at              timestamptz NOT NULL
);
CREATE INDEX kb_handoffs_conversation ON kb_handoffs (conversation_id, at);
