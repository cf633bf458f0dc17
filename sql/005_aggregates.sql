-- Time-bucketed series for history and dashboards. Continuous aggregates on TimescaleDB with
-- real-time aggregation (materialized_only = false) so the newest, not yet refreshed buckets
-- show; plain views with the same names and columns otherwise. Buckets are aligned in UTC
-- (time_bucket's default; date_bin with a UTC origin in the views).
--
-- Columns: bucket timestamptz, <asset>_id text, and
--   traffic_5m / traffic_1h: avg_speed float8, min_speed real, volume bigint, samples bigint
--   camera_availability_1h:  online_share float8 (0..1), samples bigint

-- @timescale
CREATE MATERIALIZED VIEW traffic_5m WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '5 minutes', time) AS bucket, segment_id,
  avg(speed_kmh) AS avg_speed, min(speed_kmh) AS min_speed, sum(volume) AS volume, count(*) AS samples
FROM traffic_readings
GROUP BY bucket, segment_id
WITH NO DATA;

-- Hierarchical: rolls traffic_5m up, so refreshing it reads 12x fewer rows than the raw table.
CREATE MATERIALIZED VIEW traffic_1h WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 hour', bucket) AS bucket, segment_id,
  sum(avg_speed * samples) / sum(samples) AS avg_speed, min(min_speed) AS min_speed,
  sum(volume)::bigint AS volume, sum(samples)::bigint AS samples
FROM traffic_5m
GROUP BY 1, segment_id
WITH NO DATA;

CREATE MATERIALIZED VIEW camera_availability_1h WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 hour', time) AS bucket, camera_id,
  avg(CASE WHEN online THEN 1.0::float8 ELSE 0.0::float8 END) AS online_share, count(*) AS samples
FROM camera_status
GROUP BY bucket, camera_id
WITH NO DATA;

-- Background policies for a TimescaleDB server; PGlite has no background workers, so the
-- embedded database refreshes on a timer instead (aggregates.startAggregateRefresher).
SELECT add_continuous_aggregate_policy('traffic_5m',
  start_offset => INTERVAL '3 hours', end_offset => NULL, schedule_interval => INTERVAL '1 minute');
SELECT add_continuous_aggregate_policy('traffic_1h',
  start_offset => INTERVAL '1 day', end_offset => NULL, schedule_interval => INTERVAL '5 minutes');
SELECT add_continuous_aggregate_policy('camera_availability_1h',
  start_offset => INTERVAL '1 day', end_offset => NULL, schedule_interval => INTERVAL '5 minutes');

-- @plain
CREATE VIEW traffic_5m AS
SELECT date_bin(INTERVAL '5 minutes', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket, segment_id,
  avg(speed_kmh) AS avg_speed, min(speed_kmh) AS min_speed, sum(volume) AS volume, count(*) AS samples
FROM traffic_readings
GROUP BY 1, segment_id;

CREATE VIEW traffic_1h AS
SELECT date_bin(INTERVAL '1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket, segment_id,
  avg(speed_kmh) AS avg_speed, min(speed_kmh) AS min_speed, sum(volume) AS volume, count(*) AS samples
FROM traffic_readings
GROUP BY 1, segment_id;

CREATE VIEW camera_availability_1h AS
SELECT date_bin(INTERVAL '1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket, camera_id,
  avg(CASE WHEN online THEN 1.0::float8 ELSE 0.0::float8 END) AS online_share, count(*) AS samples
FROM camera_status
GROUP BY 1, camera_id;
-- @all
