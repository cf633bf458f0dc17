-- Maintenance of the aggregates in small, cheap steps (the embedded database's one connection is shared
-- with ingest and health checks: server/store/aggregates.ts).
--
-- The raw readings by time alone. The hypertables were created without TimescaleDB's default time index
-- (sql/002), so every read of the newest readings (real-time aggregation, the refresh of a closed bucket,
-- the plain-PostgreSQL dashboard refresh) went through a whole (asset, time) index or the whole table:
-- a cost that grew with the day (materialising one closed 5-minute bucket: 0.8-1.3 s at 4 M readings
-- today on PGlite, 0.1 s with this index). Readings arrive in time order: an insert adds to the index's
-- newest page.
CREATE INDEX traffic_readings_time ON traffic_readings (time DESC);
CREATE INDEX camera_status_time ON camera_status (time DESC);
CREATE INDEX camera_events_time ON camera_events (time DESC);

-- @timescale
-- refresh_continuous_aggregate with nested loops off, for the daily aggregates (sql/007, sql/010), which
-- join the level below with segments or cameras. The planner cannot estimate the rows of a real-time
-- aggregate for a day (filters on nested time_bucket()s; PGlite runs no autovacuum, so no statistics
-- either) and expects a few dozen: it then joins by a nested loop, segments x the day's hourly rows
-- (4 s for a day of 6 hours at 967 segments on PGlite, growing with the hours). A hash join costs a few
-- milliseconds. Called like refresh_continuous_aggregate, outside a transaction block.
CREATE PROCEDURE ioc_refresh_daily_aggregate(
  view regclass, window_start timestamptz, window_end timestamptz, force boolean DEFAULT false
) LANGUAGE plpgsql AS $$
DECLARE
  nestloop text := current_setting('enable_nestloop');
BEGIN
  -- session-wide, not SET LOCAL: the refresh commits as it goes; restored after it (and by the app when
  -- the refresh fails)
  PERFORM set_config('enable_nestloop', 'off', false);
  CALL refresh_continuous_aggregate(view, window_start, window_end, force => force);
  PERFORM set_config('enable_nestloop', nestloop, false);
END;
$$;
-- @all
