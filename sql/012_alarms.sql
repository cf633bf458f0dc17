-- Alarms an operator must answer (issue 13): ISA-18.2 states, their history, the rules' settings and
-- the assets out of service. Plain tables on every database (no TimescaleDB objects).

-- The rules' settings, edited on /admin. The rows below are the shipped defaults (the same as
-- ALARM_RULE_DEFAULTS in contract/alarms.ts; a test keeps them equal). What threshold and margin mean
-- depends on the rule (ALARM_RULE_META).
CREATE TABLE alarm_rules (
  rule text PRIMARY KEY CHECK (rule IN ('road_jam', 'camera_offline', 'asset_silent', 'camera_detection',
    'incident_new', 'incident_ack_overdue', 'incident_resolve_overdue', 'reject_spike', 'system_health')),
  enabled boolean NOT NULL DEFAULT true,
  priority smallint NOT NULL CHECK (priority BETWEEN 1 AND 4),
  latched boolean NOT NULL DEFAULT false,
  threshold double precision,
  margin double precision,
  delay_ms integer NOT NULL CHECK (delay_ms >= 0),
  clear_delay_ms integer NOT NULL CHECK (clear_delay_ms >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by text
);
INSERT INTO alarm_rules (rule, enabled, priority, latched, threshold, margin, delay_ms, clear_delay_ms) VALUES
  ('road_jam', true, 3, false, 0.3, 0.1, 300000, 180000),
  ('camera_offline', true, 3, false, NULL, NULL, 60000, 0),
  ('asset_silent', true, 4, false, NULL, NULL, 600000, 0),
  ('camera_detection', true, 2, true, 0.6, NULL, 0, 600000),
  ('incident_new', true, 3, false, 3, NULL, 0, 0),
  ('incident_ack_overdue', true, 2, false, 0.8, NULL, 0, 0),
  ('incident_resolve_overdue', true, 3, false, 0.8, NULL, 0, 0),
  ('reject_spike', true, 3, false, 20, 10, 60000, 120000),
  ('system_health', true, 1, true, 5000, NULL, 10000, 30000);

-- One row per alarm key (`rule:asset[:sub]`, `flood:rule:ward` for a flood parent): its current state
-- and flags. The row stays when the alarm returns to normal and is reused when it activates again.
-- `version` is bumped by every change: a change applies only to the version it was decided on, so two
-- instances (or two operators) cannot both acknowledge.
CREATE TABLE alarms (
  id bigserial PRIMARY KEY,
  key text NOT NULL UNIQUE,
  rule text NOT NULL,
  priority smallint NOT NULL CHECK (priority BETWEEN 1 AND 4),
  state text NOT NULL DEFAULT 'normal' CHECK (state IN ('unack_active', 'ack_active', 'unack_cleared', 'normal')),
  asset_id text,
  ward_id text,
  title_code text NOT NULL,
  title_params jsonb NOT NULL DEFAULT '{}',
  lat double precision,
  lon double precision,
  latched boolean NOT NULL DEFAULT false,
  -- shelved: by whom, why, when; shelved_until NULL with shelved_at set = one-shot, until it clears
  shelved_by text,
  shelved_reason text,
  shelved_at timestamptz,
  shelved_until timestamptz,
  -- suppressed by design (asset out of service)
  suppressed_by text,
  suppressed_reason text,
  suppressed_at timestamptz,
  parent_id bigint REFERENCES alarms (id),
  chatter_count integer NOT NULL DEFAULT 0,
  activation_count integer NOT NULL DEFAULT 0,
  activated_at timestamptz,
  cleared_at timestamptz,
  acked_at timestamptz,
  acked_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  version integer NOT NULL DEFAULT 0,
  CHECK ((shelved_at IS NULL) = (shelved_by IS NULL)),
  CHECK ((suppressed_at IS NULL) = (suppressed_by IS NULL))
);
-- the alarm list: open alarms by priority, newest first
CREATE INDEX alarms_open ON alarms (priority, activated_at DESC) WHERE state <> 'normal';
CREATE INDEX alarms_parent ON alarms (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX alarms_asset ON alarms (asset_id) WHERE asset_id IS NOT NULL;

-- Every transition: who, when, from, to, note. Append-only, like incident_events.
CREATE TABLE alarm_history (
  id bigserial PRIMARY KEY,
  alarm_id bigint NOT NULL REFERENCES alarms (id),
  time timestamptz NOT NULL DEFAULT now(),
  event text NOT NULL CHECK (event IN ('activate', 'clear', 'acknowledge', 'shelve', 'unshelve', 'suppress',
    'unsuppress')),
  actor text NOT NULL,
  from_state text NOT NULL,
  to_state text NOT NULL,
  note text,
  details jsonb
);
CREATE INDEX alarm_history_alarm ON alarm_history (alarm_id, time DESC);
CREATE INDEX alarm_history_time ON alarm_history (time DESC);

CREATE FUNCTION alarm_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'alarm_history is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER alarm_history_no_update_delete BEFORE UPDATE OR DELETE ON alarm_history
  FOR EACH ROW EXECUTE FUNCTION alarm_history_append_only();
CREATE TRIGGER alarm_history_no_truncate BEFORE TRUNCATE ON alarm_history
  FOR EACH STATEMENT EXECUTE FUNCTION alarm_history_append_only();

-- Assets put out of service (a camera under maintenance): their alarms are suppressed, not lost.
CREATE TABLE asset_out_of_service (
  asset_id text PRIMARY KEY,
  by text NOT NULL,
  reason text NOT NULL,
  since timestamptz NOT NULL DEFAULT now(),
  until timestamptz,
  CHECK (until IS NULL OR until > since)
);
