-- People who sign in (agents, supervisors, editors, admins), their sessions
-- and API tokens. Passwords are argon2id hashes (PHC strings); session and
-- API tokens are kept only as the SHA-256 of what the client holds.
CREATE TABLE users (
    id            text PRIMARY KEY,
    email         text NOT NULL CHECK (email <> '' AND email = lower(email)),
    name          text NOT NULL,
    roles         text[] NOT NULL CHECK (cardinality(roles) > 0
                      AND roles <@ ARRAY['agent', 'supervisor', 'editor', 'admin']),
    password_hash text NOT NULL,
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE api_tokens (
    id         text PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       text NOT NULL,
    token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz
);
CREATE INDEX api_tokens_user_id ON api_tokens (user_id, created_at DESC);
