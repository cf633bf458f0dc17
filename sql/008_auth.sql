-- Accounts, sessions and the audit log (issue 6).

-- People who log in. `role` decides what they may do (server/auth/policy.ts); a disabled account's
-- sessions end within a minute. Passwords are argon2id hashes, never stored or logged in clear.
CREATE TABLE users (
  id uuid PRIMARY KEY,
  username text NOT NULL,
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'operator', 'field', 'leader')),
  password_hash text NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  last_login_at timestamptz
);
CREATE UNIQUE INDEX users_username ON users (lower(username));

-- One row per login. The cookie carries a signed token naming `id`; the row decides whether it is
-- still good (logout, disable, idle and absolute timeouts), so every instance sees a revocation.
CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  ip text,
  user_agent text
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;

-- The key that signs session tokens, made on first start and shared by every instance on this database.
CREATE TABLE auth_keys (
  id text PRIMARY KEY,
  secret bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Who did what, when (UTC), from where: logins, denials, user and device changes, incident actions, uploads.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  ts timestamptz NOT NULL DEFAULT now(),
  actor text,
  actor_role text,
  action text NOT NULL,
  target text,
  outcome text NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
  ip text,
  details jsonb
);
CREATE INDEX audit_log_ts ON audit_log (ts DESC);
CREATE INDEX audit_log_actor ON audit_log (actor, ts DESC);

-- Field reports belong to the account that sent them: a field user sees only their own.
ALTER TABLE incidents ADD COLUMN owner_user_id uuid REFERENCES users (id);
CREATE INDEX incidents_owner ON incidents (owner_user_id) WHERE owner_user_id IS NOT NULL;
