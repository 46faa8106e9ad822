-- The bot's obligation to answer a customer message: one row per owed
-- message, inserted by the statement that appends the message (so the
-- acknowledgement costs no extra round trip) and deleted by the statement
-- that appends the reply answering it (or by a drop). due_at is when it is
-- next due: at once, after a back-off, or when a worker's lease ends.
-- A narrow table of its own keeps messages append-only: claims and
-- completions touch these small rows, never the messages and their indexes.
-- Messages stored before this migration owe nothing. (Messages go only
-- with their conversation, so that is the key referenced: the conversation
-- row is locked by the append already.)
CREATE TABLE bot_obligations (
    conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             bigint NOT NULL,
    due_at          timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, seq)
);
