import type {
  AgencyView,
  BreakdownLabel,
  IndicatorDef,
  IndicatorDimension,
  IndicatorSourceView,
} from '#contract/indicatorVocab.ts';
import type { Db } from './db.ts';

// The indicator catalogue, the agencies, the names of breakdown codes (sql/019), the HTTP sources (sql/015) and the figures the dashboard reads
// (indicator_1h, indicator_1d: never the raw values). What an API key is, is server/auth/indicatorSources.ts's.

interface IndicatorRow {
  id: string;
  domain: IndicatorDef['domain'];
  name_vi: string;
  name_en: string;
  unit: IndicatorDef['unit'];
  period: IndicatorDef['period'];
  scope: IndicatorDef['scope'];
  good_direction: IndicatorDef['goodDirection'];
  dimensions: string[] | null;
  min_value: number | null;
  max_value: number | null;
  threshold_basis: IndicatorDef['thresholds']['basis'];
  threshold_warning: number | null;
  threshold_critical: number | null;
  disabled: boolean;
  updated_at: Date | string;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

function toDef(r: IndicatorRow): IndicatorDef {
  return {
    id: r.id,
    domain: r.domain,
    nameVi: r.name_vi,
    nameEn: r.name_en,
    unit: r.unit,
    period: r.period,
    scope: r.scope,
    goodDirection: r.good_direction,
    dimensions: (r.dimensions ?? []) as IndicatorDimension[],
    min: num(r.min_value),
    max: num(r.max_value),
    thresholds: {
      basis: r.threshold_basis,
      warning: num(r.threshold_warning),
      critical: num(r.threshold_critical),
    },
    disabled: r.disabled,
    updatedAt: new Date(r.updated_at).getTime(),
  };
}

/** The catalogue, by domain then id (disabled entries included). */
export async function listIndicators(db: Db): Promise<IndicatorDef[]> {
  const { rows } = await db.query<IndicatorRow>('SELECT * FROM indicators ORDER BY domain, id');
  return rows.map(toDef);
}

export async function getIndicator(db: Db, id: string): Promise<IndicatorDef | undefined> {
  const { rows } = await db.query<IndicatorRow>('SELECT * FROM indicators WHERE id = $1', [id]);
  return rows[0] ? toDef(rows[0]) : undefined;
}

/** Adds a catalogue entry; a taken id fails with the database's unique violation (23505). */
export async function insertIndicator(db: Db, d: Omit<IndicatorDef, 'disabled' | 'updatedAt'>) {
  const { rows } = await db.query<IndicatorRow>(
    `INSERT INTO indicators (id, domain, name_vi, name_en, unit, period, scope, good_direction, dimensions,
       min_value, max_value, threshold_basis, threshold_warning, threshold_critical)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING *`,
    [
      d.id,
      d.domain,
      d.nameVi,
      d.nameEn,
      d.unit,
      d.period,
      d.scope,
      d.goodDirection,
      d.dimensions,
      d.min,
      d.max,
      d.thresholds.basis,
      d.thresholds.warning,
      d.thresholds.critical,
    ],
  );
  return toDef(rows[0] as IndicatorRow);
}

/** Changes the fields given (undefined: keep); undefined when there is no such indicator. */
export async function updateIndicator(
  db: Db,
  id: string,
  ch: Partial<
    Pick<IndicatorDef, 'nameVi' | 'nameEn' | 'goodDirection' | 'min' | 'max' | 'thresholds' | 'disabled'>
  >,
): Promise<IndicatorDef | undefined> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (col: string, v: unknown) => {
    params.push(v);
    sets.push(`${col} = $${params.length}`);
  };
  if (ch.nameVi !== undefined) set('name_vi', ch.nameVi);
  if (ch.nameEn !== undefined) set('name_en', ch.nameEn);
  if (ch.goodDirection !== undefined) set('good_direction', ch.goodDirection);
  if (ch.min !== undefined) set('min_value', ch.min);
  if (ch.max !== undefined) set('max_value', ch.max);
  if (ch.thresholds !== undefined) {
    set('threshold_basis', ch.thresholds.basis);
    set('threshold_warning', ch.thresholds.warning);
    set('threshold_critical', ch.thresholds.critical);
  }
  if (ch.disabled !== undefined) set('disabled', ch.disabled);
  sets.push('updated_at = now()');
  const { rows } = await db.query<IndicatorRow>(
    `UPDATE indicators SET ${sets.join(', ')} WHERE id = $1 RETURNING *`,
    params,
  );
  return rows[0] ? toDef(rows[0]) : undefined;
}

export async function listAgencies(db: Db): Promise<AgencyView[]> {
  const { rows } = await db.query<{ id: string; name_vi: string; name_en: string; disabled: boolean }>(
    'SELECT id, name_vi, name_en, disabled FROM agencies ORDER BY id',
  );
  return rows.map((r) => ({ id: r.id, nameVi: r.name_vi, nameEn: r.name_en, disabled: r.disabled }));
}

/** Adds an agency or changes its names; answers it and whether it is new. */
export async function putAgency(db: Db, a: AgencyView): Promise<{ agency: AgencyView; created: boolean }> {
  const { rows } = await db.query<{ created: boolean }>(
    `INSERT INTO agencies (id, name_vi, name_en, disabled) VALUES ($1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en,
       disabled = excluded.disabled, updated_at = now()
     RETURNING (xmax = 0) AS created`,
    [a.id, a.nameVi, a.nameEn, a.disabled],
  );
  return { agency: a, created: Boolean(rows[0]?.created) };
}

/** The names of breakdown codes (sql/019), by dimension then code. */
export async function listLabels(db: Db): Promise<BreakdownLabel[]> {
  const { rows } = await db.query<{
    dimension: BreakdownLabel['dimension'];
    code: string;
    name_vi: string;
    name_en: string;
  }>('SELECT dimension, code, name_vi, name_en FROM indicator_labels ORDER BY dimension, code');
  return rows.map((r) => ({ dimension: r.dimension, code: r.code, nameVi: r.name_vi, nameEn: r.name_en }));
}

/** Names a breakdown code or renames it; answers it and whether it is new. */
export async function putLabel(
  db: Db,
  x: BreakdownLabel,
): Promise<{ label: BreakdownLabel; created: boolean }> {
  const { rows } = await db.query<{ created: boolean }>(
    `INSERT INTO indicator_labels (dimension, code, name_vi, name_en) VALUES ($1, $2, $3, $4)
     ON CONFLICT (dimension, code) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en,
       updated_at = now()
     RETURNING (xmax = 0) AS created`,
    [x.dimension, x.code, x.nameVi, x.nameEn],
  );
  return { label: x, created: Boolean(rows[0]?.created) };
}

/** The ids of the city's wards (districts of the stored city model). */
export async function wardIds(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM districts ORDER BY id');
  return rows.map((r) => r.id);
}

// ---------------------------------------------------------------------------------------------
// HTTP sources

interface SourceRow {
  id: string;
  name: string;
  key_hash: string;
  indicators: string[] | null;
  rate_per_min: number;
  revoked_at: Date | string | null;
  key_created_at: Date | string;
  created_at: Date | string;
}

/** A source with its key's hash: for checking a request's key, never for the API. */
export interface SourceRecord {
  source: IndicatorSourceView;
  keyHash: string;
}

function toSource(r: SourceRow): SourceRecord {
  return {
    source: {
      id: r.id,
      name: r.name,
      indicators: r.indicators ?? [],
      ratePerMin: Number(r.rate_per_min),
      revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at).getTime(),
      createdAt: new Date(r.created_at).getTime(),
      keyCreatedAt: new Date(r.key_created_at).getTime(),
    },
    keyHash: r.key_hash,
  };
}

export async function listSources(db: Db): Promise<SourceRecord[]> {
  const { rows } = await db.query<SourceRow>('SELECT * FROM indicator_sources ORDER BY id');
  return rows.map(toSource);
}

export async function sourceRecord(db: Db, id: string): Promise<SourceRecord | undefined> {
  const { rows } = await db.query<SourceRow>('SELECT * FROM indicator_sources WHERE id = $1', [id]);
  return rows[0] ? toSource(rows[0]) : undefined;
}

/** Adds a source; a taken id fails with the database's unique violation (23505). */
export async function insertSource(
  db: Db,
  s: { id: string; name: string; keyHash: string; indicators: string[]; ratePerMin: number },
): Promise<SourceRecord> {
  const { rows } = await db.query<SourceRow>(
    `INSERT INTO indicator_sources (id, name, key_hash, indicators, rate_per_min)
     VALUES ($1, $2, $3, $4, $5) RETURNING *`,
    [s.id, s.name, s.keyHash, s.indicators, s.ratePerMin],
  );
  return toSource(rows[0] as SourceRow);
}

/** Changes the fields given; `keyHash` is a new key (the revocation is lifted); `revoke` ends the key. */
export async function updateSource(
  db: Db,
  id: string,
  ch: { name?: string; indicators?: string[]; ratePerMin?: number; keyHash?: string; revoke?: boolean },
): Promise<SourceRecord | undefined> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (col: string, v: unknown) => {
    params.push(v);
    sets.push(`${col} = $${params.length}`);
  };
  if (ch.name !== undefined) set('name', ch.name);
  if (ch.indicators !== undefined) set('indicators', ch.indicators);
  if (ch.ratePerMin !== undefined) set('rate_per_min', ch.ratePerMin);
  if (ch.keyHash !== undefined) {
    set('key_hash', ch.keyHash);
    sets.push('revoked_at = NULL', 'key_created_at = now()');
  }
  if (ch.revoke) sets.push('revoked_at = coalesce(revoked_at, now())');
  sets.push('updated_at = now()');
  const { rows } = await db.query<SourceRow>(
    `UPDATE indicator_sources SET ${sets.join(', ')} WHERE id = $1 RETURNING *`,
    params,
  );
  return rows[0] ? toSource(rows[0]) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Figures, from the aggregates

export const SERIES_BREAKDOWNS = ['ward', 'agency', 'topic', 'source', 'sentiment', 'channel'] as const;
export type SeriesBreakdown = (typeof SERIES_BREAKDOWNS)[number];
const BREAKDOWN_COLUMN: Record<SeriesBreakdown, string> = {
  ward: 'ward_id',
  agency: 'agency_id',
  topic: 'topic',
  source: 'source',
  sentiment: 'sentiment',
  channel: 'channel',
};

export interface SeriesPoint {
  /** bucket start, epoch ms (hour; local day) */
  t: number;
  /** the breakdown's value (`by`), null for values without it; absent without `by` */
  key?: string | null;
  /** values (events) in the bucket */
  samples: number;
  sum: number;
  min: number;
  max: number;
}

/**
 * An indicator's buckets in [from, to), from indicator_1h (`1h`) or indicator_1d (`1d`, local days), summed
 * over places and breakdowns, or per `by`; filtered by `ward` / `agency`.
 */
export async function indicatorSeries(
  db: Db,
  q: {
    indicatorId: string;
    from: number;
    to: number;
    bucket: '1h' | '1d';
    by?: SeriesBreakdown;
    ward?: string;
    agency?: string;
  },
): Promise<SeriesPoint[]> {
  const view = q.bucket === '1h' ? 'indicator_1h' : 'indicator_1d';
  const key = q.by ? `, ${BREAKDOWN_COLUMN[q.by]}` : '';
  const params: unknown[] = [q.indicatorId, q.from, q.to];
  const where = [
    'indicator_id = $1',
    'bucket >= to_timestamp($2::float8 / 1000)',
    'bucket < to_timestamp($3::float8 / 1000)',
  ];
  if (q.ward !== undefined) {
    params.push(q.ward);
    where.push(`ward_id = $${params.length}`);
  }
  if (q.agency !== undefined) {
    params.push(q.agency);
    where.push(`agency_id = $${params.length}`);
  }
  const { rows } = await db.query<{
    t: number;
    key?: string | null;
    samples: string | number;
    sum: number;
    min: number;
    max: number;
  }>(
    `SELECT round(extract(epoch FROM bucket) * 1000)::float8 AS t${key ? `${key} AS key` : ''},
       sum(samples)::float8 AS samples, sum(value_sum)::float8 AS sum, min(value_min)::float8 AS min,
       max(value_max)::float8 AS max
     FROM ${view} WHERE ${where.join(' AND ')}
     GROUP BY bucket${key} ORDER BY bucket${key}`,
    params,
  );
  return rows.map((r) => ({
    t: Number(r.t),
    ...(q.by ? { key: r.key ?? null } : {}),
    samples: Number(r.samples),
    sum: Number(r.sum),
    min: Number(r.min),
    max: Number(r.max),
  }));
}

/** A row of `indicator_1h` as the alarm rules read it: `value` a figure, or an hour's sum of events. */
export interface IndicatorHourRow {
  time: number;
  indicatorId: string;
  value: number;
  wardId: string | null;
  agencyId: string | null;
  topic: string | null;
  source: string | null;
  sentiment: string | null;
  channel: string | null;
}

/**
 * What the indicator alarm rules remember, from `indicator_1h` (never the raw values): the latest figure
 * per place and breakdown of `figureIds` since `figuresSince`, and the hourly sums of `eventIds`' events
 * since `eventsSince` (negative ones only where they have a sentiment: the baselines count those).
 */
export async function indicatorAlarmHistory(
  db: Db,
  q: { figureIds: string[]; figuresSince: number; eventIds: string[]; eventsSince: number },
): Promise<{ figures: IndicatorHourRow[]; hours: IndicatorHourRow[] }> {
  type Row = {
    t: number;
    indicator_id: string;
    value: number;
    ward_id: string | null;
    agency_id: string | null;
    topic: string | null;
    source: string | null;
    sentiment: string | null;
    channel: string | null;
  };
  const toRow = (r: Row): IndicatorHourRow => ({
    time: Number(r.t),
    indicatorId: r.indicator_id,
    value: Number(r.value),
    wardId: r.ward_id,
    agencyId: r.agency_id,
    topic: r.topic,
    source: r.source,
    sentiment: r.sentiment,
    channel: r.channel,
  });
  const figures = q.figureIds.length
    ? await db.query<Row>(
        `SELECT DISTINCT ON (indicator_id, ward_id, agency_id, topic, source, sentiment, channel)
           round(extract(epoch FROM bucket) * 1000)::float8 AS t, indicator_id, value_max AS value, ward_id,
           agency_id, topic, source, sentiment, channel
         FROM indicator_1h WHERE indicator_id = ANY($1::text[]) AND bucket >= to_timestamp($2::float8 / 1000)
         ORDER BY indicator_id, ward_id, agency_id, topic, source, sentiment, channel, bucket DESC`,
        [q.figureIds, q.figuresSince],
      )
    : { rows: [] };
  const hours = q.eventIds.length
    ? await db.query<Row>(
        `SELECT round(extract(epoch FROM bucket) * 1000)::float8 AS t, indicator_id, sum(value_sum)::float8 AS value,
           ward_id, agency_id, topic, NULL AS source, sentiment, NULL AS channel
         FROM indicator_1h WHERE indicator_id = ANY($1::text[]) AND bucket >= to_timestamp($2::float8 / 1000)
           AND (sentiment IS NULL OR sentiment = 'negative')
         GROUP BY bucket, indicator_id, ward_id, agency_id, topic, sentiment`,
        [q.eventIds, q.eventsSince],
      )
    : { rows: [] };
  return { figures: figures.rows.map(toRow), hours: hours.rows.map(toRow) };
}

/**
 * When each indicator's newest value was received (`received_at`), epoch ms: what the indicators module
 * starts from (it follows ingest after). Bounded so that it costs a start nothing: `figureIds`' values (a
 * statistics office's months and quarters, a few dozen rows a year each) all, by the key index; the others'
 * (events, hourly and daily figures) only those timed since `eventsSince`, by the time index. An indicator
 * silent since then is left out.
 */
export async function latestReceived(
  db: Db,
  q: { figureIds: string[]; eventsSince: number },
): Promise<Map<string, number>> {
  const r = await db.query<{ id: string; t: number }>(
    `SELECT indicator_id AS id, round(extract(epoch FROM max(received_at)) * 1000)::float8 AS t FROM (
       SELECT indicator_id, received_at FROM indicator_values WHERE time >= to_timestamp($1::float8 / 1000)
       UNION ALL
       SELECT indicator_id, received_at FROM indicator_values WHERE indicator_id = ANY($2::text[])
     ) v GROUP BY indicator_id`,
    [q.eventsSince, q.figureIds],
  );
  return new Map(r.rows.map((x) => [x.id, Number(x.t)]));
}
