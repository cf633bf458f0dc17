import { localYear } from '#contract/cityTime.ts';
import type { IndicatorRecord } from '../domain/records.ts';
import type { Db } from './db.ts';

/** What a write did to each indicator value it stored: new, or replacing a figure's value. The rest were duplicates. */
export type IndicatorWrite = Map<IndicatorRecord, 'stored' | 'revised'>;

type Tx = Omit<Db, 'transaction' | 'close'>;

const COLUMNS = [
  'indicator_id',
  'value',
  'ward_id',
  'agency_id',
  'topic',
  'source',
  'sentiment',
  'channel',
  'dedupe_key',
  'msg_id',
  'via',
  'sender',
] as const;

// `t` is epoch ms (float8), `n` the row's place in the list written, `figure` whether a repeat replaces it
const STAGE_DDL = `CREATE TEMP TABLE IF NOT EXISTS stage_indicator_values (n int, t float8, figure boolean,
  indicator_id text, value float8, ward_id text, agency_id text, topic text, source text, sentiment text,
  channel text, dedupe_key text, msg_id text, via text, sender text) ON COMMIT DELETE ROWS;`;

const keyOf = (indicatorId: string, dedupeKey: string, time: number) =>
  `${indicatorId}\u0000${dedupeKey}\u0000${time}`;

/**
 * The values of one list that reach the database: of the same event (indicator, message id, time) the
 * first; of the same figure (indicator, period, place and breakdown) the last, as if written in order.
 * Events without a message id all stay.
 */
export function dedupeIndicatorValues(rows: readonly IndicatorRecord[]): IndicatorRecord[] {
  const last = new Map<string, number>();
  rows.forEach((r, i) => {
    if (r.dedupeKey === null) return;
    const k = keyOf(r.indicatorId, r.dedupeKey, r.time);
    if (!r.figure && last.has(k)) return;
    last.set(k, i);
  });
  return rows.filter(
    (r, i) => r.dedupeKey === null || last.get(keyOf(r.indicatorId, r.dedupeKey, r.time)) === i,
  );
}

/**
 * Stores indicator values inside the caller's transaction: COPY into a staging table, INSERT ... ON
 * CONFLICT DO NOTHING (a value sent again is stored once), then for figures already stored with another
 * value an UPDATE (sent again with a new value, a figure is revised). Answers which rows were new and
 * which revised: when the insert's count says some were not, the new ones are found by the time this
 * transaction stamped on them (received_at = now()).
 */
export async function writeIndicatorValues(
  tx: Tx,
  input: readonly IndicatorRecord[],
): Promise<IndicatorWrite> {
  const out: IndicatorWrite = new Map();
  if (input.length === 0) return out;
  // plans (a year's target) are few: a table of their own, written one by one
  const plans = input.filter((r) => r.kind === 'plan');
  if (plans.length > 0) {
    await writePlans(tx, plans, out);
    if (plans.length === input.length) return out;
  }
  const rows = dedupeIndicatorValues(plans.length > 0 ? input.filter((r) => r.kind !== 'plan') : input);
  await tx.exec(STAGE_DDL);
  await tx.copyRows(
    'stage_indicator_values',
    ['n', 't', 'figure', ...COLUMNS],
    rows.map((r, n) => [
      n,
      r.time,
      r.figure,
      r.indicatorId,
      r.value,
      r.wardId,
      r.agencyId,
      r.topic,
      r.source,
      r.sentiment,
      r.channel,
      r.dedupeKey,
      r.msgId,
      r.via,
      r.sender,
    ]),
  );
  const inserted = await tx.query(
    `INSERT INTO indicator_values (time, ${COLUMNS.join(', ')})
     SELECT to_timestamp(t / 1000), ${COLUMNS.join(', ')} FROM stage_indicator_values
     ON CONFLICT DO NOTHING`,
  );
  // the usual case, every one new: nothing more to ask (RETURNING every row cost as much as the insert)
  if (inserted.rowCount === rows.length) {
    for (const r of rows) out.set(r, 'stored');
    return out;
  }
  // some were stored already: ours are those stamped with this transaction's time (now())
  const mine = await tx.query<{ n: number }>(
    `SELECT s.n FROM stage_indicator_values s
     JOIN indicator_values v ON v.indicator_id = s.indicator_id AND v.dedupe_key = s.dedupe_key
       AND v.time = to_timestamp(s.t / 1000)
     WHERE v.received_at = now()`,
  );
  for (const r of rows) if (r.dedupeKey === null) out.set(r, 'stored');
  for (const x of mine.rows) {
    const r = rows[Number(x.n)];
    if (r) out.set(r, 'stored');
  }
  if (rows.some((r) => r.figure && !out.has(r))) {
    const revised = await tx.query<{ n: number }>(
      `UPDATE indicator_values v SET value = s.value, msg_id = s.msg_id, via = s.via, sender = s.sender,
         received_at = now()
       FROM stage_indicator_values s
       WHERE s.figure AND v.indicator_id = s.indicator_id AND v.dedupe_key = s.dedupe_key
         AND v.time = to_timestamp(s.t / 1000) AND v.value IS DISTINCT FROM s.value
       RETURNING s.n`,
    );
    for (const x of revised.rows) {
      const r = rows[Number(x.n)];
      if (r && !out.has(r)) out.set(r, 'revised');
    }
  }
  return out;
}

/**
 * Stores years' plans (indicator_plans): new, `stored`; the year's plan with another target, `revised`
 * (replaced); the same target again, a duplicate (left out of `out`). Of one list the last of a year wins.
 */
async function writePlans(tx: Tx, plans: readonly IndicatorRecord[], out: IndicatorWrite): Promise<void> {
  const rows = dedupeIndicatorValues(plans);
  for (const r of rows) {
    const year = localYear(r.time);
    // xmax = 0 on the row an INSERT made; an updated row carries the updating transaction's id
    const res = await tx.query<{ inserted: boolean }>(
      `INSERT INTO indicator_plans (indicator_id, year, target, via, sender) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (indicator_id, year) DO UPDATE SET target = EXCLUDED.target, via = EXCLUDED.via,
         sender = EXCLUDED.sender, received_at = now()
       WHERE indicator_plans.target IS DISTINCT FROM EXCLUDED.target
       RETURNING (xmax = 0) AS inserted`,
      [r.indicatorId, year, r.value, r.via, r.sender],
    );
    const got = res.rows[0];
    if (got) out.set(r, got.inserted ? 'stored' : 'revised');
  }
}
