-- The leaders' dashboard: daily rollups in the city's local day (Asia/Ho_Chi_Minh, UTC+7, no DST)
-- and the district of every incident.
--
-- traffic_1d (bucket = local midnight, segment_id):
--   speed_sum float8      sum of speed over readings (sum(avg_speed * samples) of traffic_1h)
--   samples bigint        readings
--   peak_speed_sum float8 / peak_samples bigint: the same for the local peak hours 07:00-09:00 and 17:00-19:00
--   hours bigint          segment-hours with readings
--   congested_hours bigint segment-hours whose mean speed is below 30 % of the segment's speed limit
--                          (the limit when the day was materialised)
-- camera_availability_1d (bucket = local midnight, camera_id):
--   online_hours float8   sum of online_share over the camera-hours with a status report
--   hours bigint          camera-hours with a status report
--
-- On TimescaleDB both are hierarchical continuous aggregates on traffic_1h / camera_availability_1h.
-- On plain PostgreSQL the hourly ones are views over the raw tables, so a view here would scan
-- millions of raw rows per dashboard request: they are tables instead, filled for whole local days
-- by refresh_dashboard_aggregates(from, to), which the app's aggregate refresher calls.

-- Ray casting on a GeoJSON ring ([[lon, lat], ...], closed): true when (x, y) is inside.
CREATE FUNCTION ioc_point_in_ring(ring jsonb, x float8, y float8) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(sum(CASE WHEN (yi > y) <> (yj > y) AND x < (xj - xi) * (y - yi) / (yj - yi) + xi THEN 1 ELSE 0 END) % 2 = 1, false)
  FROM (
    SELECT (p->>0)::float8 AS xi, (p->>1)::float8 AS yi,
      lag((p->>0)::float8) OVER (ORDER BY n) AS xj, lag((p->>1)::float8) OVER (ORDER BY n) AS yj
    FROM jsonb_array_elements(ring) WITH ORDINALITY AS v(p, n)
  ) e
  WHERE xj IS NOT NULL
$$;

-- The district whose GeoJSON Polygon (outer ring, minus holes) holds (lon, lat); the first by id
-- when borders overlap; NULL outside every district.
CREATE FUNCTION ioc_district_at(lon float8, lat float8) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT d.id FROM districts d
  WHERE d.geom->>'type' = 'Polygon'
    AND ioc_point_in_ring(d.geom->'coordinates'->0, lon, lat)
    AND NOT EXISTS (
      SELECT 1 FROM jsonb_array_elements(d.geom->'coordinates') WITH ORDINALITY AS h(ring, n)
      WHERE h.n > 1 AND ioc_point_in_ring(h.ring, lon, lat))
  ORDER BY d.id
  LIMIT 1
$$;

-- Every incident gets its district when stored (and when moved), whatever its source.
CREATE FUNCTION incidents_set_district() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' OR NEW.district_id IS NULL THEN
    NEW.district_id := ioc_district_at(NEW.lon, NEW.lat);
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER incidents_district BEFORE INSERT OR UPDATE OF lat, lon ON incidents
  FOR EACH ROW EXECUTE FUNCTION incidents_set_district();

-- The city model is saved after migrations run: incidents stored before a district existed get it then.
CREATE FUNCTION districts_assign_incidents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE incidents SET district_id = ioc_district_at(lon, lat) WHERE district_id IS NULL;
  RETURN NULL;
END;
$$;
CREATE TRIGGER districts_assign_incidents AFTER INSERT OR UPDATE ON districts
  FOR EACH STATEMENT EXECUTE FUNCTION districts_assign_incidents();

UPDATE incidents SET district_id = ioc_district_at(lon, lat);
CREATE INDEX incidents_district_created ON incidents (district_id, created_at);
CREATE INDEX incidents_resolved ON incidents (resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX incidents_acknowledged ON incidents (acknowledged_at) WHERE acknowledged_at IS NOT NULL;

-- @timescale
CREATE MATERIALIZED VIEW traffic_1d WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 day', t.bucket, 'Asia/Ho_Chi_Minh') AS bucket, t.segment_id,
  sum(t.avg_speed * t.samples) AS speed_sum, sum(t.samples)::bigint AS samples,
  coalesce(sum(t.avg_speed * t.samples) FILTER (
    WHERE extract(hour FROM t.bucket AT TIME ZONE 'Asia/Ho_Chi_Minh') IN (7, 8, 17, 18)), 0) AS peak_speed_sum,
  coalesce(sum(t.samples) FILTER (
    WHERE extract(hour FROM t.bucket AT TIME ZONE 'Asia/Ho_Chi_Minh') IN (7, 8, 17, 18)), 0)::bigint AS peak_samples,
  count(*) AS hours,
  count(*) FILTER (WHERE t.avg_speed < 0.3 * s.speed_limit_kmh) AS congested_hours
FROM traffic_1h t JOIN segments s ON s.id = t.segment_id
GROUP BY 1, t.segment_id
WITH NO DATA;

CREATE MATERIALIZED VIEW camera_availability_1d WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 day', bucket, 'Asia/Ho_Chi_Minh') AS bucket, camera_id,
  sum(online_share) AS online_hours, count(*) AS hours
FROM camera_availability_1h
GROUP BY 1, camera_id
WITH NO DATA;

SELECT add_continuous_aggregate_policy('traffic_1d',
  start_offset => INTERVAL '3 days', end_offset => NULL, schedule_interval => INTERVAL '15 minutes');
SELECT add_continuous_aggregate_policy('camera_availability_1d',
  start_offset => INTERVAL '3 days', end_offset => NULL, schedule_interval => INTERVAL '15 minutes');

-- Never called by the app on TimescaleDB (refresh_continuous_aggregate does it); defined on both so
-- the same name exists everywhere.
CREATE FUNCTION refresh_dashboard_aggregates(p_from timestamptz, p_to timestamptz) RETURNS void
LANGUAGE sql AS $$ SELECT NULL::void $$;

-- @plain
CREATE TABLE traffic_1d (
  bucket timestamptz NOT NULL,
  segment_id text NOT NULL,
  speed_sum float8 NOT NULL,
  samples bigint NOT NULL,
  peak_speed_sum float8 NOT NULL,
  peak_samples bigint NOT NULL,
  hours bigint NOT NULL,
  congested_hours bigint NOT NULL,
  PRIMARY KEY (segment_id, bucket)
);
CREATE INDEX traffic_1d_bucket ON traffic_1d (bucket);

CREATE TABLE camera_availability_1d (
  bucket timestamptz NOT NULL,
  camera_id text NOT NULL,
  online_hours float8 NOT NULL,
  hours bigint NOT NULL,
  PRIMARY KEY (camera_id, bucket)
);
CREATE INDEX camera_availability_1d_bucket ON camera_availability_1d (bucket);

-- Recomputes the local days that [p_from, p_to) touches from the raw tables (read by time range,
-- so the (asset, time) indexes or a scan of just those days serve it).
CREATE FUNCTION refresh_dashboard_aggregates(p_from timestamptz, p_to timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  d0 timestamptz := date_bin(INTERVAL '1 day', coalesce(p_from, (SELECT min(time) FROM traffic_readings), now()),
    TIMESTAMPTZ '2000-01-01 00:00:00+07');
  d1 timestamptz := date_bin(INTERVAL '1 day', coalesce(p_to, now()) - INTERVAL '1 microsecond',
    TIMESTAMPTZ '2000-01-01 00:00:00+07') + INTERVAL '1 day';
BEGIN
  IF p_from IS NULL THEN
    d0 := least(d0, date_bin(INTERVAL '1 day', coalesce((SELECT min(time) FROM camera_status), d0),
      TIMESTAMPTZ '2000-01-01 00:00:00+07'));
  END IF;
  DELETE FROM traffic_1d WHERE bucket >= d0 AND bucket < d1;
  INSERT INTO traffic_1d
  SELECT date_bin(INTERVAL '1 day', h.hour, TIMESTAMPTZ '2000-01-01 00:00:00+07'), h.segment_id,
    sum(h.speed_sum), sum(h.samples),
    coalesce(sum(h.speed_sum) FILTER (WHERE extract(hour FROM h.hour AT TIME ZONE 'Asia/Ho_Chi_Minh') IN (7, 8, 17, 18)), 0),
    coalesce(sum(h.samples) FILTER (WHERE extract(hour FROM h.hour AT TIME ZONE 'Asia/Ho_Chi_Minh') IN (7, 8, 17, 18)), 0),
    count(*),
    count(*) FILTER (WHERE h.speed_sum / h.samples < 0.3 * s.speed_limit_kmh)
  FROM (
    SELECT date_bin(INTERVAL '1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS hour, segment_id,
      sum(speed_kmh)::float8 AS speed_sum, count(*) AS samples
    FROM traffic_readings WHERE time >= d0 AND time < d1
    GROUP BY 1, 2
  ) h JOIN segments s ON s.id = h.segment_id
  GROUP BY 1, 2;

  DELETE FROM camera_availability_1d WHERE bucket >= d0 AND bucket < d1;
  INSERT INTO camera_availability_1d
  SELECT date_bin(INTERVAL '1 day', h.hour, TIMESTAMPTZ '2000-01-01 00:00:00+07'), h.camera_id,
    sum(h.online_share), count(*)
  FROM (
    SELECT date_bin(INTERVAL '1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS hour, camera_id,
      avg(CASE WHEN online THEN 1.0::float8 ELSE 0.0::float8 END) AS online_share
    FROM camera_status WHERE time >= d0 AND time < d1
    GROUP BY 1, 2
  ) h
  GROUP BY 1, 2;
END;
$$;
-- @all
