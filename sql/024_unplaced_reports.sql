-- Open311 reports that give only an address (address_string or address_id): this server cannot
-- geocode, so they wait here, unplaced, until an operator places them on the map; placing one stores
-- its incident (incident_id). The Open311 client follows it by token (GET tokens/{token}.json).
CREATE TABLE unplaced_reports (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  token uuid NOT NULL UNIQUE,
  category text NOT NULL,
  description text,
  address text,
  address_id text,
  reporter text,
  media_url text,
  -- an uploaded photo: its files are saved already, its photos row is made with the incident
  photo jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  incident_id bigint REFERENCES incidents (id),
  placed_at timestamptz,
  placed_by text
);
CREATE INDEX unplaced_reports_waiting ON unplaced_reports (created_at) WHERE incident_id IS NULL;
