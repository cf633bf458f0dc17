-- Device readings. Hypertables (1-day chunks) on TimescaleDB, plain tables otherwise.
-- UNIQUE (msg_id, time) makes a redelivered message a no-op (INSERT ... ON CONFLICT DO NOTHING);
-- a NULL msg_id never conflicts. The index includes `time` as hypertables require.
CREATE TABLE traffic_readings (
  time timestamptz NOT NULL,
  segment_id text NOT NULL,
  speed_kmh real NOT NULL,
  volume int,
  occupancy real,
  msg_id text
);

CREATE TABLE camera_status (
  time timestamptz NOT NULL,
  camera_id text NOT NULL,
  online boolean NOT NULL,
  fps real,
  bitrate_kbps real,
  msg_id text
);

CREATE TABLE camera_events (
  time timestamptz NOT NULL,
  camera_id text NOT NULL,
  kind text NOT NULL,
  confidence real,
  count int,
  snapshot_url text,
  msg_id text
);

-- @timescale
-- create_default_indexes => false: the (asset, time DESC) indexes below serve every query we run.
SELECT create_hypertable('traffic_readings', by_range('time', INTERVAL '1 day'), create_default_indexes => false);
SELECT create_hypertable('camera_status', by_range('time', INTERVAL '1 day'), create_default_indexes => false);
SELECT create_hypertable('camera_events', by_range('time', INTERVAL '1 day'), create_default_indexes => false);
-- @all

CREATE UNIQUE INDEX traffic_readings_msg ON traffic_readings (msg_id, time);
CREATE INDEX traffic_readings_segment_time ON traffic_readings (segment_id, time DESC);
CREATE UNIQUE INDEX camera_status_msg ON camera_status (msg_id, time);
CREATE INDEX camera_status_camera_time ON camera_status (camera_id, time DESC);
CREATE UNIQUE INDEX camera_events_msg ON camera_events (msg_id, time);
CREATE INDEX camera_events_camera_time ON camera_events (camera_id, time DESC);

-- @timescale
-- Compress after a week (segmented by asset, as every read is per asset), keep raw 90 days.
-- The continuous aggregates keep the history past that.
ALTER TABLE traffic_readings SET (
  timescaledb.compress, timescaledb.compress_segmentby = 'segment_id', timescaledb.compress_orderby = 'time DESC'
);
ALTER TABLE camera_status SET (
  timescaledb.compress, timescaledb.compress_segmentby = 'camera_id', timescaledb.compress_orderby = 'time DESC'
);
ALTER TABLE camera_events SET (
  timescaledb.compress, timescaledb.compress_segmentby = 'camera_id', timescaledb.compress_orderby = 'time DESC'
);
SELECT add_compression_policy('traffic_readings', INTERVAL '7 days');
SELECT add_compression_policy('camera_status', INTERVAL '7 days');
SELECT add_compression_policy('camera_events', INTERVAL '7 days');
SELECT add_retention_policy('traffic_readings', INTERVAL '90 days');
SELECT add_retention_policy('camera_status', INTERVAL '90 days');
SELECT add_retention_policy('camera_events', INTERVAL '90 days');
-- @all
