-- MQTT devices and their credentials (issue 6).

-- A device logs in to the broker with username = id and a random secret; it may publish only for
-- the assets it owns (ioc/traffic/{segmentId}, ioc/camera/{cameraId}/...), and to
-- ioc/incident/report when may_report. `secret_hash` is in Mosquitto 2.0's PBKDF2-SHA512 format
-- (`$7$<iterations>$<base64 salt>$<base64 hash>`), so `npm run mosquitto-config` writes it into a
-- Mosquitto password file unchanged. The secret itself is never stored.
CREATE TABLE devices (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  name text NOT NULL,
  username text NOT NULL UNIQUE,
  secret_hash text NOT NULL CHECK (secret_hash LIKE '$7$%'),
  assets text[] NOT NULL DEFAULT '{}',
  may_report boolean NOT NULL DEFAULT false,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (username = id)
);
