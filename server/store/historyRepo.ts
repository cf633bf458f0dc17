import type { TrafficHistory, TrafficHistoryPoint } from '#contract/api.ts';
import type { Db } from './db.ts';

export type HistoryBucket = '5m' | '15m' | '1h' | '1d';

/** Bucket width in ms and the aggregate it is rolled up from. */
export const HISTORY_BUCKETS: Record<HistoryBucket, { ms: number; source: 'traffic_5m' | 'traffic_1h' }> = {
  '5m': { ms: 300_000, source: 'traffic_5m' },
  '15m': { ms: 900_000, source: 'traffic_5m' },
  '1h': { ms: 3_600_000, source: 'traffic_1h' },
  '1d': { ms: 86_400_000, source: 'traffic_1h' },
};

/**
 * Speed and volume of one segment in UTC-aligned buckets from `from` (rounded down to a bucket) to
 * `to` (exclusive), read from the continuous aggregates only, re-bucketed with sample weights.
 */
export async function trafficHistory(
  db: Db,
  q: { segmentId: string; from: number; to: number; bucket: HistoryBucket },
): Promise<TrafficHistory> {
  const spec = HISTORY_BUCKETS[q.bucket];
  if (!spec) throw new RangeError(`unknown bucket ${q.bucket}`);
  if (!(q.to > q.from)) throw new RangeError('`to` must be after `from`');
  const from = Math.floor(q.from / spec.ms) * spec.ms;
  const r = await db.query<TrafficHistoryPoint>(
    `SELECT (extract(epoch FROM date_bin($4::interval, bucket, TIMESTAMPTZ '2000-01-01 00:00:00+00')) * 1000)::float8 AS t,
       (sum(avg_speed * samples) / nullif(sum(samples), 0))::float8 AS "avgSpeedKmh",
       min(min_speed)::numeric::float8 AS "minSpeedKmh",
       sum(volume)::float8 AS volume,
       sum(samples)::int AS samples
     FROM ${spec.source}
     WHERE segment_id = $1 AND bucket >= to_timestamp($2::float8 / 1000) AND bucket < to_timestamp($3::float8 / 1000)
     GROUP BY 1
     ORDER BY 1`,
    [q.segmentId, from, q.to, `${spec.ms / 1000} seconds`],
  );
  return { segmentId: q.segmentId, from, to: q.to, bucket: q.bucket, source: spec.source, points: r.rows };
}
