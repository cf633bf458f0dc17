-- The city model: loaded from GeoJSON at start-up (assetsRepo.saveCity), upserted by id.
-- No foreign keys between assets: a city file may name a district it does not define.
CREATE TABLE districts (
  id text PRIMARY KEY,
  name text NOT NULL,
  geom jsonb NOT NULL -- GeoJSON Polygon geometry
);

CREATE TABLE segments (
  id text PRIMARY KEY,
  name text NOT NULL,
  speed_limit_kmh real NOT NULL,
  district_id text,
  coords jsonb NOT NULL -- [[lon, lat], ...]
);

CREATE TABLE cameras (
  id text PRIMARY KEY,
  name text NOT NULL,
  lon double precision NOT NULL,
  lat double precision NOT NULL,
  segment_id text,
  district_id text
);
