-- The leaders' dashboard per district and day, so that city-wide and district figures cost the same
-- whatever the number of segments and cameras: a 90-day summary reads ~90 x districts rows instead of
-- ~90 x 2,000 segment-days (on PGlite at 30 days of history that was 218 ms p95; now constant).
--
-- traffic_district_1d (bucket = local midnight, district_id; NULL = segments outside every district):
--   the columns of traffic_1d summed over the district's segments
-- camera_availability_district_1d (bucket, district_id): camera_availability_1d summed likewise
--
-- A segment's (camera's) district is the one it had when its day was materialised: a city model that
-- moves it later changes the district figures of the days refreshed after that only (city-wide
-- figures never change).

-- @timescale
CREATE MATERIALIZED VIEW traffic_district_1d WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 day', t.bucket, 'Asia/Ho_Chi_Minh') AS bucket, s.district_id,
  sum(t.speed_sum) AS speed_sum, sum(t.samples)::bigint AS samples,
  sum(t.peak_speed_sum) AS peak_speed_sum, sum(t.peak_samples)::bigint AS peak_samples,
  sum(t.hours)::bigint AS hours, sum(t.congested_hours)::bigint AS congested_hours
FROM traffic_1d t JOIN segments s ON s.id = t.segment_id
GROUP BY 1, s.district_id
WITH NO DATA;

CREATE MATERIALIZED VIEW camera_availability_district_1d WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 day', a.bucket, 'Asia/Ho_Chi_Minh') AS bucket, c.district_id,
  sum(a.online_hours) AS online_hours, sum(a.hours)::bigint AS hours
FROM camera_availability_1d a JOIN cameras c ON c.id = a.camera_id
GROUP BY 1, c.district_id
WITH NO DATA;

SELECT add_continuous_aggregate_policy('traffic_district_1d',
  start_offset => INTERVAL '3 days', end_offset => NULL, schedule_interval => INTERVAL '15 minutes');
SELECT add_continuous_aggregate_policy('camera_availability_district_1d',
  start_offset => INTERVAL '3 days', end_offset => NULL, schedule_interval => INTERVAL '15 minutes');

-- @after-commit timescale
-- An existing installation: every closed day already in traffic_1d rolled up once (the policies and
-- the embedded refresher only look back a few days). Cheap: it reads the daily aggregates.
CALL refresh_continuous_aggregate('traffic_district_1d', NULL, date_bin(INTERVAL '1 day', now(), TIMESTAMPTZ '2000-01-01 00:00:00+07'));
CALL refresh_continuous_aggregate('camera_availability_district_1d', NULL, date_bin(INTERVAL '1 day', now(), TIMESTAMPTZ '2000-01-01 00:00:00+07'));

-- @plain
CREATE TABLE traffic_district_1d (
  bucket timestamptz NOT NULL,
  district_id text,
  speed_sum float8 NOT NULL,
  samples bigint NOT NULL,
  peak_speed_sum float8 NOT NULL,
  peak_samples bigint NOT NULL,
  hours bigint NOT NULL,
  congested_hours bigint NOT NULL
);
CREATE INDEX traffic_district_1d_bucket ON traffic_district_1d (bucket, district_id);

CREATE TABLE camera_availability_district_1d (
  bucket timestamptz NOT NULL,
  district_id text,
  online_hours float8 NOT NULL,
  hours bigint NOT NULL
);
CREATE INDEX camera_availability_district_1d_bucket ON camera_availability_district_1d (bucket, district_id);

-- The local days [p_from, p_to) touches (open ends: all) rolled up again from the daily tables.
CREATE FUNCTION refresh_dashboard_district_aggregates(p_from timestamptz, p_to timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  d0 timestamptz := coalesce(date_bin(INTERVAL '1 day', p_from, TIMESTAMPTZ '2000-01-01 00:00:00+07'), '-infinity');
  d1 timestamptz := coalesce(date_bin(INTERVAL '1 day', p_to - INTERVAL '1 microsecond',
    TIMESTAMPTZ '2000-01-01 00:00:00+07') + INTERVAL '1 day', 'infinity');
BEGIN
  DELETE FROM traffic_district_1d WHERE bucket >= d0 AND bucket < d1;
  INSERT INTO traffic_district_1d
  SELECT t.bucket, s.district_id, sum(t.speed_sum), sum(t.samples), sum(t.peak_speed_sum), sum(t.peak_samples),
    sum(t.hours), sum(t.congested_hours)
  FROM traffic_1d t JOIN segments s ON s.id = t.segment_id
  WHERE t.bucket >= d0 AND t.bucket < d1
  GROUP BY 1, 2;

  DELETE FROM camera_availability_district_1d WHERE bucket >= d0 AND bucket < d1;
  INSERT INTO camera_availability_district_1d
  SELECT a.bucket, c.district_id, sum(a.online_hours), sum(a.hours)
  FROM camera_availability_1d a JOIN cameras c ON c.id = a.camera_id
  WHERE a.bucket >= d0 AND a.bucket < d1
  GROUP BY 1, 2;
END;
$$;

-- refresh_dashboard_aggregates (what the app calls, sql/007) now fills both levels: the per-segment
-- days from the raw tables, then the district days from those.
ALTER FUNCTION refresh_dashboard_aggregates(timestamptz, timestamptz) RENAME TO refresh_dashboard_segment_aggregates;
CREATE FUNCTION refresh_dashboard_aggregates(p_from timestamptz, p_to timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_dashboard_segment_aggregates(p_from, p_to);
  PERFORM refresh_dashboard_district_aggregates(p_from, p_to);
END;
$$;

SELECT refresh_dashboard_district_aggregates(NULL, NULL);
-- @all
