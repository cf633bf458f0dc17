-- The 5-minute traffic aggregate was the embedded default's largest table (issue 18): ~300 MB of its
-- ~500 MB for the 7-day history (2 M rows, as much again in indexes), more than the compressed raw
-- readings it sums. Its days older than one are compressed as the raw readings are (sql/026), by
-- segment (TimescaleDB's default for an aggregate: its GROUP BY), so the replay's moment across every
-- segment and a segment's day both stay tens of milliseconds on PGlite. One-day chunks (ten before)
-- so that yesterday can be compressed while today fills; the hourly one after two days (its refresh
-- window is a day). Chunks made before this keep their ten days. On PGlite the policies are run by the
-- maintenance lane (server/store/aggregates.ts runPolicies).
-- @timescale
ALTER MATERIALIZED VIEW traffic_5m SET (timescaledb.compress = true);
ALTER MATERIALIZED VIEW traffic_1h SET (timescaledb.compress = true);
SELECT set_chunk_time_interval('traffic_5m', INTERVAL '1 day');
SELECT set_chunk_time_interval('traffic_1h', INTERVAL '1 day');
SELECT add_compression_policy('traffic_5m', compress_after => INTERVAL '1 day');
SELECT add_compression_policy('traffic_1h', compress_after => INTERVAL '2 days');
