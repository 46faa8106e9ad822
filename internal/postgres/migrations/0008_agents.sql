-- Agents, teams and SLA rules (issue 11). The queue row keeps its routing
-- columns; what the SLA clocks and the console need besides (deadlines,
-- first and last reply, tags, warned/breached targets, the epoch that
-- makes stale timers do nothing) is in state.
ALTER TABLE handoff_queue ADD COLUMN state jsonb NOT NULL DEFAULT '{}';

-- An agent's working profile, keyed by the user id of internal/auth's
-- account. The row is locked by every claim for that agent, so capacity is
-- checked against what they hold at that moment.
CREATE TABLE agents (
    user_id          text PRIMARY KEY,
    name             text NOT NULL CHECK (name <> ''),
    tiers            text[] NOT NULL,
    teams            text[] NOT NULL,
    skills           text[] NOT NULL DEFAULT '{}',
    capacity         integer NOT NULL CHECK (capacity >= 0),
    presence         text NOT NULL DEFAULT 'offline' CHECK (presence IN ('online', 'away', 'offline')),
    last_seen_at     timestamptz,
    last_assigned_at timestamptz NOT NULL DEFAULT '-infinity'
);

-- Teams (with business hours), SLA policies and canned replies: small
-- documents read whole and cached by each node.
CREATE TABLE handoff_directory (
    kind text NOT NULL CHECK (kind IN ('team', 'sla_policy', 'canned_reply')),
    id   text NOT NULL,
    doc  jsonb NOT NULL,
    PRIMARY KEY (kind, id)
);
