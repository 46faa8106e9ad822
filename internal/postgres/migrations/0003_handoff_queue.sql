-- The human queue: one row per conversation that was handed off, with its
-- routing (tier, team, priority), SLA deadline and the context packet.
-- Queue order is priority rank desc, due_at, enqueued_at, then id.
CREATE TABLE handoff_queue (
    conversation_id text PRIMARY KEY REFERENCES conversations (id) ON DELETE CASCADE,
    -- id orders entries enqueued in the same microsecond; a re-enqueue
    -- (after a hand-back) takes a new one.
    id             bigserial NOT NULL UNIQUE,
    tier           text NOT NULL CHECK (tier IN ('t1', 't2', 't3', 'exec')),
    team           text NOT NULL CHECK (team <> ''),
    priority       text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    priority_rank  smallint GENERATED ALWAYS AS (
                       CASE priority WHEN 'urgent' THEN 4 WHEN 'high' THEN 3 WHEN 'normal' THEN 2 ELSE 1 END
                   ) STORED,
    status         text NOT NULL DEFAULT 'waiting' CHECK (status IN ('waiting', 'assigned', 'resolved')),
    assignee_id    text NOT NULL DEFAULT '',
    enqueued_at    timestamptz NOT NULL,
    due_at         timestamptz NOT NULL,
    assigned_at    timestamptz,
    resolved_at    timestamptz,
    packet         jsonb NOT NULL
);
-- Positions and the next claim walk the waiting entries of one tier and team
-- in queue order.
CREATE INDEX handoff_queue_waiting ON handoff_queue
    (tier, team, priority_rank DESC, due_at, enqueued_at, id) WHERE status = 'waiting';
-- Listings across teams, and SLA timers scanning by deadline.
CREATE INDEX handoff_queue_order ON handoff_queue (status, priority_rank DESC, due_at, enqueued_at, id);
CREATE INDEX handoff_queue_assignee ON handoff_queue (assignee_id) WHERE status = 'assigned';
