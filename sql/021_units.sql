-- Urban security and order (issue 15): patrol and field units on the map, and dispatch to a unit.
--
-- units           a patrol car's tracker or a field officer's phone: its name, kind, and the field account it is
--                 linked to (that account sees the unit's tasks on /report). A phone shared from /report makes
--                 its own unit (`field-{username}`); the simulation registers its patrol units.
-- unit_positions  every position (MQTT ioc/unit/{unitId}/position, or the phone over HTTP): a hypertable
--                 (1-day chunks, kept 30 days) on TimescaleDB, a table otherwise. Redelivered (msg_id, time) once.
-- unit_tasks      an incident given to a unit: assigned → accepted → on_scene → done (or cancelled when the
--                 incident goes to another unit). Each step is also in incident_events (the incident's history).

CREATE TABLE units (
  id text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('patrol', 'field')),
  account text,
  on_duty boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX units_account ON units (lower(account)) WHERE account IS NOT NULL;

CREATE TABLE unit_positions (
  time timestamptz NOT NULL,
  unit_id text NOT NULL,
  lat double precision NOT NULL,
  lon double precision NOT NULL,
  accuracy_m real,
  heading_deg real,
  speed_kmh real,
  msg_id text
);

-- @timescale
SELECT create_hypertable('unit_positions', by_range('time', INTERVAL '1 day'), create_default_indexes => false);
SELECT add_retention_policy('unit_positions', INTERVAL '30 days');
-- @all

CREATE UNIQUE INDEX unit_positions_msg ON unit_positions (msg_id, time);
CREATE INDEX unit_positions_unit_time ON unit_positions (unit_id, time DESC);

CREATE TABLE unit_tasks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id),
  unit_id text NOT NULL REFERENCES units (id),
  status text NOT NULL DEFAULT 'assigned' CHECK (status IN ('assigned', 'accepted', 'on_scene', 'done', 'cancelled')),
  assigned_by text,
  note text,
  assigned_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  accepted_at timestamptz,
  on_scene_at timestamptz,
  done_at timestamptz
);
CREATE INDEX unit_tasks_open ON unit_tasks (unit_id) WHERE status IN ('assigned', 'accepted', 'on_scene');
CREATE INDEX unit_tasks_incident ON unit_tasks (incident_id);
