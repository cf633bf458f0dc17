-- Crowd hotspots (issue 15): the `crowd_hotspot` alarm rule (a camera's people count past its threshold)
-- and the cameras' own thresholds. Plain tables on every database (no TimescaleDB objects).

-- The rule codes are the server's vocabulary (ALARM_RULES), checked on every write by the admin API: a
-- list of them here had to be rewritten by each migration that adds a rule, and two such migrations
-- written side by side would refuse each other's rows. The shape of a code is what the table keeps.
ALTER TABLE alarm_rules DROP CONSTRAINT IF EXISTS alarm_rules_rule_check;
ALTER TABLE alarm_rules ADD CONSTRAINT alarm_rules_rule_check CHECK (rule ~ '^[a-z][a-z0-9_]{0,62}$');
-- the shipped settings (ALARM_RULE_DEFAULTS.crowd_hotspot; a test keeps them equal): 50 people by
-- default, cleared below 40 for 5 minutes
INSERT INTO alarm_rules (rule, enabled, priority, latched, threshold, margin, delay_ms, clear_delay_ms) VALUES
  ('crowd_hotspot', true, 2, false, 50, 0.2, 0, 300000)
ON CONFLICT (rule) DO NOTHING;

-- A camera's own threshold (a square holds more than a lane), edited on /admin; a camera without a row
-- has the rule's threshold. Cameras are the city model's (not a table), so no foreign key.
CREATE TABLE crowd_thresholds (
  camera_id text PRIMARY KEY,
  threshold integer NOT NULL CHECK (threshold BETWEEN 1 AND 100000),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text
);
