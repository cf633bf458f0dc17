-- Plain PostgreSQL only (TimescaleDB keeps sql/015's continuous aggregates): the indicators' hours
-- materialised. sql/015 made indicator_1h a view grouping every raw value, so a dashboard period's bucket
-- range could use no index and a 90-day tab took up to 650 ms (npm run bench:services). Now, as
-- TimescaleDB's real-time aggregation does it:
--
-- indicator_1h_closed     the closed hours, filled by refresh_indicator_aggregates (the app's refresher,
--                         and a late value's refresh); indexed by (indicator_id, bucket) and bucket.
-- indicator_1h_watermark  one row: the hour from which nothing is materialised. Every hour before it is in
--                         indicator_1h_closed (a refresh never leaves a gap below it), none after it;
--                         -infinity until the first refresh on a database that had no values.
-- indicator_1h            (the same name and columns) the closed hours UNION ALL the hours from the watermark
--                         on grouped from the raw values, read by the (time DESC) index: the current hour
--                         is as live as before, at the cost of an hour or so of raw values.
-- refresh_indicator_aggregates(from, to) now materialises the closed hours of the local days [from, to)
-- touches (from the watermark on when it moves it) and rolls those days up from the hours.

-- @plain
CREATE TABLE indicator_1h_closed (
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
CREATE INDEX indicator_1h_closed_indicator_bucket ON indicator_1h_closed (indicator_id, bucket);
CREATE INDEX indicator_1h_closed_bucket ON indicator_1h_closed (bucket);

CREATE TABLE indicator_1h_watermark (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  watermark timestamptz NOT NULL
);

-- every closed hour already stored, once; with none stored yet, nothing is materialised (the watermark at
-- -infinity, as an empty continuous aggregate's): values written before the first refresh all show
INSERT INTO indicator_1h_watermark (watermark)
SELECT CASE WHEN EXISTS (SELECT FROM indicator_values)
  THEN date_bin(INTERVAL '1 hour', now(), TIMESTAMPTZ '2000-01-01 00:00:00+00') ELSE '-infinity' END;
INSERT INTO indicator_1h_closed
SELECT date_bin(INTERVAL '1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), indicator_id, ward_id, agency_id,
  topic, source, sentiment, channel, count(*), sum(value), min(value), max(value)
FROM indicator_values WHERE time < (SELECT watermark FROM indicator_1h_watermark)
GROUP BY 1, indicator_id, ward_id, agency_id, topic, source, sentiment, channel;

-- STABLE, not inlinable (it reads a table): the planner evaluates it for its estimates, so the raw values
-- from the watermark on are read by the time index (a subquery's unknown value was guessed a third of them),
-- and with the query's snapshot, so the watermark and the closed hours a reader sees are one refresh's.
CREATE FUNCTION indicator_1h_watermark() RETURNS timestamptz
LANGUAGE sql STABLE AS $$ SELECT watermark FROM indicator_1h_watermark $$;

-- indicator_1d is a table filled from the raw values (sql/015), nothing depends on the old view
DROP VIEW indicator_1h;
CREATE VIEW indicator_1h AS
SELECT bucket, indicator_id, ward_id, agency_id, topic, source, sentiment, channel, samples, value_sum, value_min,
  value_max
FROM indicator_1h_closed
UNION ALL
SELECT date_bin(INTERVAL '1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), indicator_id, ward_id, agency_id,
  topic, source, sentiment, channel, count(*), sum(value), min(value), max(value)
FROM indicator_values WHERE time >= indicator_1h_watermark()
GROUP BY 1, indicator_id, ward_id, agency_id, topic, source, sentiment, channel;

-- The local days [p_from, p_to) touches (open ends: every day with values): their closed hours (the
-- current one never: values still come in), from the watermark on when they reach past it, then the days
-- rolled up from the hours.
CREATE OR REPLACE FUNCTION refresh_indicator_aggregates(p_from timestamptz, p_to timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  wm timestamptz;
  d0 timestamptz := date_bin(INTERVAL '1 day',
    coalesce(p_from, (SELECT min(time) FROM indicator_values), now()), TIMESTAMPTZ '2000-01-01 00:00:00+07');
  d1 timestamptz := date_bin(INTERVAL '1 day', coalesce(p_to, now()) - INTERVAL '1 microsecond',
    TIMESTAMPTZ '2000-01-01 00:00:00+07') + INTERVAL '1 day';
  h0 timestamptz := d0;
  h1 timestamptz := least(d1, date_bin(INTERVAL '1 hour', now(), TIMESTAMPTZ '2000-01-01 00:00:00+00'));
BEGIN
  -- one refresh at a time (the refresher, a late value's refresh, another instance): two deleting and
  -- inserting the same hours at once would each insert them. Each statement after it sees the other's rows.
  SELECT watermark INTO wm FROM indicator_1h_watermark FOR UPDATE;
  IF h1 > wm THEN
    h0 := least(h0, wm);
  END IF;
  IF h1 > h0 THEN
    DELETE FROM indicator_1h_closed WHERE bucket >= h0 AND bucket < h1;
    INSERT INTO indicator_1h_closed
    SELECT date_bin(INTERVAL '1 hour', time, TIMESTAMPTZ '2000-01-01 00:00:00+00'), indicator_id, ward_id,
      agency_id, topic, source, sentiment, channel, count(*), sum(value), min(value), max(value)
    FROM indicator_values WHERE time >= h0 AND time < h1
    GROUP BY 1, indicator_id, ward_id, agency_id, topic, source, sentiment, channel;
    IF h1 > wm THEN
      UPDATE indicator_1h_watermark SET watermark = h1;
    END IF;
  END IF;

  DELETE FROM indicator_1d WHERE bucket >= d0 AND bucket < d1;
  INSERT INTO indicator_1d
  SELECT date_bin(INTERVAL '1 day', bucket, TIMESTAMPTZ '2000-01-01 00:00:00+07'), indicator_id, ward_id, agency_id,
    topic, source, sentiment, channel, sum(samples)::bigint, sum(value_sum), min(value_min), max(value_max)
  FROM indicator_1h WHERE bucket >= d0 AND bucket < d1
  GROUP BY 1, indicator_id, ward_id, agency_id, topic, source, sentiment, channel;
END;
$$;
-- @all
