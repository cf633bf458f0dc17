-- Incidents and their audit trail. msg_id is the reporter's idempotency key (MQTT `id`,
-- the field app's client-made UUID): a report submitted twice is stored once.
CREATE TABLE incidents (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  msg_id text UNIQUE,
  source text NOT NULL CHECK (source IN ('mqtt', 'field', 'open311', 'camera')),
  category text NOT NULL,
  severity smallint NOT NULL DEFAULT 3 CHECK (severity BETWEEN 1 AND 5),
  status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'acknowledged', 'dispatched', 'resolved', 'closed')),
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  description text,
  reporter text,
  photo_url text,
  camera_id text,
  assignee text,
  district_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  acknowledged_at timestamptz,
  dispatched_at timestamptz,
  resolved_at timestamptz,
  closed_at timestamptz
);
CREATE INDEX incidents_open ON incidents (created_at DESC) WHERE status <> 'closed';
CREATE INDEX incidents_created ON incidents (created_at DESC);

CREATE TABLE incident_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id),
  time timestamptz NOT NULL DEFAULT now(),
  action text NOT NULL,
  actor text,
  from_status text,
  to_status text,
  note text
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, time);

-- The audit trail is evidence: who acknowledged, assigned, resolved, when. Rows are only added.
CREATE FUNCTION incident_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'incident_events is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER incident_events_no_update_delete BEFORE UPDATE OR DELETE ON incident_events
  FOR EACH ROW EXECUTE FUNCTION incident_events_append_only();
CREATE TRIGGER incident_events_no_truncate BEFORE TRUNCATE ON incident_events
  FOR EACH STATEMENT EXECUTE FUNCTION incident_events_append_only();
