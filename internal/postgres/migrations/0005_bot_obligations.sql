-- The bot's obligation to answer a customer message lives on the message
-- row: set by the append that stores the message (same statement, so the
-- acknowledgement costs no extra round trip), cleared by the append of the
-- reply that answers it (same commit) or by a drop. bot_due_at is when it
-- is next due: at once, after a back-off, or when a worker's lease ends.
-- NULL means nothing is owed. Rows stored before this migration owe nothing.
ALTER TABLE messages
    ADD COLUMN bot_due_at   timestamptz,
    ADD COLUMN bot_attempts integer NOT NULL DEFAULT 0;
-- Only owed rows are indexed: the index stays as small as the backlog.
CREATE INDEX messages_bot_owed ON messages (conversation_id, seq) WHERE bot_due_at IS NOT NULL;
