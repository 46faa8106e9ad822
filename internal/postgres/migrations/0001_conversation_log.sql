-- The conversation log: conversations, their messages (gapless seq per
-- conversation, idempotent by client message id) and events (audit trail).
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;

CREATE TABLE conversations (
    id          text PRIMARY KEY,
    site_key    text NOT NULL DEFAULT '',
    visitor_id  text NOT NULL,
    customer_id text NOT NULL DEFAULT '',
    status      text NOT NULL DEFAULT 'bot'
                CHECK (status IN ('bot', 'queued', 'assigned', 'resolved')),
    private     boolean NOT NULL DEFAULT false,
    assignee_id text NOT NULL DEFAULT '',
    last_seq    bigint NOT NULL DEFAULT 0,
    profile     jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversations_visitor ON conversations (visitor_id, created_at DESC);
CREATE INDEX conversations_customer ON conversations (customer_id, created_at DESC) WHERE customer_id <> '';

CREATE TABLE messages (
    conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             bigint NOT NULL,
    client_msg_id   text,
    author          text NOT NULL CHECK (author IN ('customer', 'bot', 'agent', 'system')),
    author_id       text NOT NULL DEFAULT '',
    author_name     text NOT NULL DEFAULT '',
    body            text NOT NULL,
    meta            jsonb NOT NULL DEFAULT '{}',
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conversation_id, seq),
    UNIQUE (conversation_id, client_msg_id)
);

CREATE TABLE events (
    id              bigserial PRIMARY KEY,
    conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    kind            text NOT NULL,
    actor           text NOT NULL DEFAULT '',
    seq             bigint NOT NULL DEFAULT 0,
    data            jsonb,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_conversation ON events (conversation_id, id);
CREATE INDEX events_kind ON events (kind, id);
