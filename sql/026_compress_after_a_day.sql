-- Raw readings are compressed once a day old, not a week (issue 18: the embedded default's data folder
-- for 7 days of history). Every read of the last week that matters to a screen goes through the
-- continuous aggregates or per asset (the compression's segmentby); a late reading still goes into a
-- compressed chunk. On PGlite the policies are run by the maintenance lane (server/store/aggregates.ts).
-- @timescale
SELECT remove_compression_policy('traffic_readings', if_exists => true);
SELECT remove_compression_policy('camera_status', if_exists => true);
SELECT remove_compression_policy('camera_events', if_exists => true);
SELECT add_compression_policy('traffic_readings', INTERVAL '1 day');
SELECT add_compression_policy('camera_status', INTERVAL '1 day');
SELECT add_compression_policy('camera_events', INTERVAL '1 day');
