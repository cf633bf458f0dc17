-- The indicator feed (issue 14): figures and events of the province's other systems (the public-service
-- portal, media monitoring, the statistics office) on one way in: MQTT ioc/kpi/{indicatorId}, HTTP
-- POST /api/ingest/{source} with a per-source API key, and a CSV import on /admin.
--
-- indicators        the catalogue (seeded below; admins edit it): unit, period, scope, good direction, bounds,
--                   alarm thresholds. The same vocabulary as contract/indicatorVocab.ts (CHECKs below).
-- agencies          the agencies values are given for (sở, ngành, UBND), seeded with Bình Định's.
-- indicator_sources systems that send over HTTP: the API key's hash (Mosquitto's $7$ PBKDF2-SHA512, like a
--                   device secret), the indicators each may send, its requests a minute, revocation.
-- indicator_values  every value and event: a hypertable (30-day chunks) on TimescaleDB, a table otherwise.
--   dedupe_key: events, the message id (NULL: never deduplicated); figures (every other period), the place
--   and breakdown, so that one figure per period and place exists and sending it again replaces it.
--   UNIQUE (indicator_id, dedupe_key, time) makes a re-sent value a no-op. No retention: monthly figures
--   are kept for years (a few thousand rows a year); events are small.
-- indicator_1h, indicator_1d (bucket, indicator_id, ward_id, agency_id, topic, source, sentiment, channel):
--   samples bigint, value_sum, value_min, value_max float8. Hourly buckets in UTC, daily ones at local
--   midnight (UTC+7). Continuous aggregates on TimescaleDB (indicator_1d rolls indicator_1h up, both
--   real-time); on plain PostgreSQL indicator_1h is a view and indicator_1d a table that
--   refresh_indicator_aggregates(from, to) fills (refresh_dashboard_aggregates calls it too).
--   The dashboard reads these, never indicator_values.

CREATE TABLE agencies (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  name_vi text NOT NULL,
  name_en text NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO agencies (id, name_vi, name_en) VALUES
  ('so-tu-phap', 'Sở Tư pháp', 'Department of Justice'),
  ('so-ke-hoach-dau-tu', 'Sở Kế hoạch và Đầu tư', 'Department of Planning and Investment'),
  ('so-tai-nguyen-moi-truong', 'Sở Tài nguyên và Môi trường', 'Department of Natural Resources and Environment'),
  ('so-xay-dung', 'Sở Xây dựng', 'Department of Construction'),
  ('so-giao-thong-van-tai', 'Sở Giao thông vận tải', 'Department of Transport'),
  ('so-lao-dong-tbxh', 'Sở Lao động - Thương binh và Xã hội', 'Department of Labour, Invalids and Social Affairs'),
  ('so-cong-thuong', 'Sở Công Thương', 'Department of Industry and Trade'),
  ('so-y-te', 'Sở Y tế', 'Department of Health'),
  ('so-giao-duc-dao-tao', 'Sở Giáo dục và Đào tạo', 'Department of Education and Training'),
  ('so-nong-nghiep-ptnt', 'Sở Nông nghiệp và Phát triển nông thôn', 'Department of Agriculture and Rural Development'),
  ('cong-an-tinh', 'Công an tỉnh', 'Provincial Police'),
  ('ubnd-tp-quy-nhon', 'UBND thành phố Quy Nhơn', 'Quy Nhơn City People''s Committee');

CREATE TABLE indicators (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  domain text NOT NULL CHECK (domain IN ('public_services', 'online_information', 'socio_economic')),
  name_vi text NOT NULL,
  name_en text NOT NULL,
  unit text NOT NULL CHECK (unit IN ('count', 'dossier', 'mention', 'enterprise', 'percent', 'vnd_billion',
    'usd_million', 'index_point')),
  period text NOT NULL CHECK (period IN ('event', 'hourly', 'daily', 'monthly', 'quarterly')),
  scope text NOT NULL CHECK (scope IN ('ward', 'agency', 'province')),
  good_direction text NOT NULL CHECK (good_direction IN ('up', 'down')),
  dimensions text[] NOT NULL DEFAULT '{}'
    CHECK (dimensions <@ ARRAY['topic', 'source', 'sentiment', 'channel']::text[]),
  min_value float8,
  max_value float8,
  threshold_basis text NOT NULL DEFAULT 'value' CHECK (threshold_basis IN ('value', 'baseline_ratio')),
  threshold_warning float8,
  threshold_critical float8,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (min_value IS NULL OR max_value IS NULL OR min_value <= max_value)
);

INSERT INTO indicators (id, domain, name_vi, name_en, unit, period, scope, good_direction, dimensions,
  min_value, max_value, threshold_basis, threshold_warning, threshold_critical) VALUES
  -- public-service monitoring (giám sát dịch vụ công): dossier events per agency (and ward), as the
  -- one-stop-shop system (một cửa điện tử) records them; the overdue count now; the online share
  ('dossier_received', 'public_services', 'Hồ sơ tiếp nhận', 'Dossiers received', 'dossier', 'event', 'agency', 'up',
    '{channel}', 0, 10000, 'value', NULL, NULL),
  ('dossier_resolved_on_time', 'public_services', 'Hồ sơ giải quyết đúng hạn', 'Dossiers resolved on time', 'dossier',
    'event', 'agency', 'up', '{}', 0, 10000, 'value', NULL, NULL),
  ('dossier_resolved_late', 'public_services', 'Hồ sơ giải quyết trễ hạn', 'Dossiers resolved late', 'dossier',
    'event', 'agency', 'down', '{}', 0, 10000, 'value', 5, 10),
  ('dossier_returned', 'public_services', 'Hồ sơ trả lại, yêu cầu bổ sung', 'Dossiers returned for completion',
    'dossier', 'event', 'agency', 'down', '{}', 0, 10000, 'value', NULL, NULL),
  ('dossier_overdue', 'public_services', 'Hồ sơ quá hạn đang xử lý', 'Overdue dossiers in progress', 'dossier',
    'hourly', 'agency', 'down', '{}', 0, 100000, 'value', 10, 20),
  ('dossier_online_share', 'public_services', 'Tỷ lệ hồ sơ trực tuyến', 'Share of dossiers submitted online',
    'percent', 'daily', 'agency', 'up', '{}', 0, 100, 'value', NULL, NULL),
  ('dossier_on_time_rate', 'public_services', 'Tỷ lệ hồ sơ giải quyết đúng hạn', 'On-time resolution rate',
    'percent', 'monthly', 'province', 'up', '{}', 0, 100, 'value', 95, 90),
  -- monitoring of information on the internet (giám sát thông tin trên mạng): one event per mention; the
  -- alarm counts a topic's negative mentions of the last hour against its usual (3x)
  ('online_mentions', 'online_information', 'Lượt đề cập trên mạng', 'Online mentions', 'mention', 'event',
    'province', 'down', '{topic,source,sentiment}', 0, 100000, 'baseline_ratio', 2, 3),
  -- socio-economic information (kinh tế - xã hội): the statistics office's monthly and quarterly figures
  ('grdp_growth', 'socio_economic', 'Tốc độ tăng trưởng GRDP (so với cùng kỳ)', 'GRDP growth (year on year)',
    'percent', 'quarterly', 'province', 'up', '{}', -50, 50, 'value', NULL, NULL),
  ('budget_revenue', 'socio_economic', 'Thu ngân sách nhà nước trên địa bàn', 'State budget revenue',
    'vnd_billion', 'monthly', 'province', 'up', '{}', 0, 1000000, 'value', NULL, NULL),
  ('retail_sales', 'socio_economic', 'Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng',
    'Retail sales of goods and consumer services', 'vnd_billion', 'monthly', 'province', 'up', '{}', 0, 1000000,
    'value', NULL, NULL),
  ('cpi', 'socio_economic', 'Chỉ số giá tiêu dùng (cùng kỳ năm trước = 100)',
    'Consumer price index (same month last year = 100)', 'index_point', 'monthly', 'province', 'down', '{}', 50,
    200, 'value', 104, 105),
  ('fdi_registered', 'socio_economic', 'Vốn đầu tư trực tiếp nước ngoài đăng ký', 'Foreign direct investment registered',
    'usd_million', 'monthly', 'province', 'up', '{}', 0, 100000, 'value', NULL, NULL),
  ('new_enterprises', 'socio_economic', 'Doanh nghiệp thành lập mới', 'New enterprises registered', 'enterprise',
    'monthly', 'province', 'up', '{}', 0, 100000, 'value', NULL, NULL);

CREATE TABLE indicator_sources (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  name text NOT NULL,
  key_hash text NOT NULL CHECK (key_hash LIKE '$7$%'),
  indicators text[] NOT NULL DEFAULT '{}',
  rate_per_min integer NOT NULL DEFAULT 600 CHECK (rate_per_min > 0),
  revoked_at timestamptz,
  key_created_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE indicator_values (
  time timestamptz NOT NULL,
  indicator_id text NOT NULL,
  value float8 NOT NULL,
  ward_id text,
  agency_id text,
  topic text,
  source text,
  sentiment text,
  channel text,
  dedupe_key text,
  msg_id text,
  -- how it came in (mqtt, http, csv) and from whom (the HTTP source, the importing admin)
  via text NOT NULL,
  sender text,
  received_at timestamptz NOT NULL DEFAULT now()
);

-- @timescale
SELECT create_hypertable('indicator_values', by_range('time', INTERVAL '30 days'), create_default_indexes => false);
-- @all

-- Two indexes only, each costs ingest (an (indicator_id, time) one took 15 % of HTTP ingest's rate on PGlite):
-- the key, whose leading column also serves one indicator's values, and time, for the aggregates' refreshes.
CREATE UNIQUE INDEX indicator_values_key ON indicator_values (indicator_id, dedupe_key, time);
CREATE INDEX indicator_values_time ON indicator_values (time DESC);

-- @timescale
CREATE MATERIALIZED VIEW indicator_1h WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 hour', time) AS bucket, indicator_id, ward_id, agency_id, topic, source, sentiment,
  channel, count(*) AS samples, sum(value) AS value_sum, min(value) AS value_min, max(value) AS value_max
FROM indicator_values
GROUP BY 1, indicator_id, ward_id, agency_id, topic, source, sentiment, channel
WITH NO DATA;

CREATE MATERIALIZED VIEW indicator_1d WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(INTERVAL '1 day', bucket, 'Asia/Ho_Chi_Minh') AS bucket, indicator_id, ward_id, agency_id, topic,
  source, sentiment, channel, sum(samples)::bigint AS samples, sum(value_sum) AS value_sum,
  min(value_min) AS value_min, max(value_max) AS value_max
FROM indicator_1h
GROUP BY 1, indicator_id, ward_id, agency_id, topic, source, sentiment, channel
WITH NO DATA;

SELECT add_continuous_aggregate_policy('indicator_1h',
  start_offset => INTERVAL '1 day', end_offset => NULL, schedule_interval => INTERVAL '5 minutes');
SELECT add_continuous_aggregate_policy('indicator_1d',
  start_offset => INTERVAL '3 days', end_offset => NULL, schedule_interval => INTERVAL '15 minutes');

-- the same name on every database; the app refreshes the continuous aggregates themselves here
CREATE FUNCTION refresh_indicator_aggregates(p_from timestamptz, p_to timestamptz) RETURNS void
LANGUAGE sql AS $$ SELECT NULL::void $$;

-- @plain
CREATE VIEW indicator_1h AS
SELECT date_bin(INTERVAL '1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket, indicator_id, ward_id,
  agency_id, topic, source, sentiment, channel, count(*) AS samples, sum(value) AS value_sum,
  min(value) AS value_min, max(value) AS value_max
FROM indicator_values
GROUP BY 1, indicator_id, ward_id, agency_id, topic, source, sentiment, channel;

CREATE TABLE indicator_1d (
  bucket timestamptz NOT NULL,
  indicator_id text NOT NULL,
  ward_id text,
  agency_id text,
  topic text,
  source text,
  sentiment text,
  channel text,
  samples bigint NOT NULL,
  value_sum float8 NOT NULL,
  value_min float8 NOT NULL,
  value_max float8 NOT NULL
);
CREATE INDEX indicator_1d_indicator_bucket ON indicator_1d (indicator_id, bucket);
CREATE INDEX indicator_1d_bucket ON indicator_1d (bucket);

-- The local days [p_from, p_to) touches (open ends: every day with values) recomputed from the raw values.
CREATE FUNCTION refresh_indicator_aggregates(p_from timestamptz, p_to timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  d0 timestamptz := date_bin(INTERVAL '1 day',
    coalesce(p_from, (SELECT min(time) FROM indicator_values), now()), TIMESTAMPTZ '2000-01-01 00:00:00+07');
  d1 timestamptz := date_bin(INTERVAL '1 day', coalesce(p_to, now()) - INTERVAL '1 microsecond',
    TIMESTAMPTZ '2000-01-01 00:00:00+07') + INTERVAL '1 day';
BEGIN
  DELETE FROM indicator_1d WHERE bucket >= d0 AND bucket < d1;
  INSERT INTO indicator_1d
  SELECT date_bin(INTERVAL '1 day', time, TIMESTAMPTZ '2000-01-01 00:00:00+07'), indicator_id, ward_id, agency_id,
    topic, source, sentiment, channel, count(*), sum(value), min(value), max(value)
  FROM indicator_values WHERE time >= d0 AND time < d1
  GROUP BY 1, indicator_id, ward_id, agency_id, topic, source, sentiment, channel;
END;
$$;

-- what the app's aggregate refresher calls (sql/010) now fills the indicators' days too
CREATE OR REPLACE FUNCTION refresh_dashboard_aggregates(p_from timestamptz, p_to timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_dashboard_segment_aggregates(p_from, p_to);
  PERFORM refresh_dashboard_district_aggregates(p_from, p_to);
  PERFORM refresh_indicator_aggregates(p_from, p_to);
END;
$$;
-- @all
