// The province row (issue 14): the pure parts of the three service tiles and their panels, so they are
// tested without a browser: order, freshness, levels, the periods the panels ask for, ranking, sparklines.
import { DAY_MS, HOUR_MS, localDate, localDayStart } from '#contract/cityTime.ts';
import {
  INDICATOR_DOMAINS,
  type IndicatorDomain,
  periodLabel,
  periodStart,
} from '#contract/indicatorVocab.ts';
import type {
  DossierDay,
  DossierFigures,
  MentionBucket,
  MentionFigures,
  ServiceLevel,
  ServiceSpan,
  ServiceTile,
} from '#contract/servicesApi.ts';

/** The tiles, left to right, and the order key S walks the panels in. */
export const SERVICES: readonly IndicatorDomain[] = INDICATOR_DOMAINS.filter(
  // information security has its own tile and panel (operators and admins only)
  (d) => d !== 'information_security',
);

/** How often the tiles are asked for: figures that move by the minute at most (issue: 30–60 s). */
export const TILES_POLL_MS = 45_000;
/** How often an open panel reloads its lists. */
export const PANEL_POLL_MS = 60_000;

/**
 * How old a headline's newest value may be before its tile says it is stale. The portal sends the
 * overdue count every hour, night included; mentions come in all day; the statistics office gives a
 * quarter about a month after it ends, so a quarter's figure is due within about four months of its end.
 */
export const STALE_AFTER_MS: Record<ServiceTile['key'], number> = {
  onTimeRate: 3 * HOUR_MS,
  negativeShare: 1 * HOUR_MS,
  grdpGrowth: 120 * DAY_MS,
};

/** A quarter, at its longest: a GRDP figure's period ends this long after its `periodStart`. */
const QUARTER_MS = 92 * DAY_MS;

/**
 * How a tile says its figure's age: `ago` (the newest value behind it was received `ms` ago: "3 phút
 * trước"; `asOf` is its receipt time, servicesApi.ts), `period` (a quarter's figure: its quarter, which
 * says more than when the office sent it), `none` (nothing yet).
 */
export type TileAge = { kind: 'none' } | { kind: 'ago'; ms: number } | { kind: 'period'; label: string };

export function tileAge(tile: ServiceTile | null, now: number): TileAge {
  if (!tile || tile.asOf === null) return { kind: 'none' };
  if (tile.key === 'grdpGrowth') return { kind: 'period', label: periodLabel('quarterly', tile.periodStart) };
  // a clock a little ahead of the server's is no value from the future
  return { kind: 'ago', ms: Math.max(0, now - tile.asOf) };
}

export type Freshness = 'fresh' | 'stale' | 'missing';

/** Whether a tile's figure is there and recent: `missing` without a value, `stale` when its newest value is old. */
export function tileFreshness(tile: ServiceTile | null, now: number): Freshness {
  if (!tile || tile.value === null || tile.asOf === null) return 'missing';
  // a quarter's figure is as old as its quarter's end, whenever it was sent
  const age = tile.key === 'grdpGrowth' ? now - tile.periodStart - QUARTER_MS : now - tile.asOf;
  return age > STALE_AFTER_MS[tile.key] ? 'stale' : 'fresh';
}

/** The three tiles in their fixed order, a service the answer left out as null (its tile says "no data"). */
export function orderTiles(
  items: readonly ServiceTile[],
): Array<{ service: IndicatorDomain; tile: ServiceTile | null }> {
  return SERVICES.map((service) => ({ service, tile: items.find((x) => x.service === service) ?? null }));
}

/**
 * Nothing has come in for any service yet: the row shows one empty state instead of three dashes. A count
 * of 0 (mentions today, overdue now) is what the server says of nothing, so it is no figure either.
 */
export function noServiceData(items: readonly ServiceTile[]): boolean {
  return items.every((x) => x.value === null && x.asOf === null && !x.secondary?.value);
}

/**
 * The shape beside every level's colour, so no level is told by colour alone; critical and warning as
 * the alarms' priority 1 and 2 glyphs (map/layers/style.ts ALARM_GLYPHS), ok a tick, none a ring.
 */
export const LEVEL_GLYPHS: Record<ServiceLevel, string> = { critical: '▲', warning: '◆', ok: '✓', none: '○' };

/** A stale or missing figure has no level worth a colour: the tile greys it out and says why. */
export function shownLevel(tile: ServiceTile | null, now: number): ServiceLevel {
  return tileFreshness(tile, now) === 'fresh' && tile ? tile.level : 'none';
}

/** The service after `current` in the order S walks them; after the last, none (the panel closes). */
export function nextService(current: IndicatorDomain | null): IndicatorDomain | null {
  if (current === null) return SERVICES[0];
  const i = SERVICES.indexOf(current);
  return i < 0 || i === SERVICES.length - 1 ? null : SERVICES[i + 1];
}

/**
 * How a headline's span reads: the current period by name (`prov.span.<key>`: "tháng này", "hôm nay"), an
 * earlier or a quarter's one by its contract label (`2026-Q3`, `2026-11`, `2026-12-04`) for formatPeriodLabel.
 */
export function spanText(
  span: ServiceSpan,
  start: number,
  now: number,
): { key: 'now' | 'hour' | 'today' | 'month' } | { label: string } {
  if (span === 'today') return start >= localDayStart(now) ? { key: 'today' } : { label: localDate(start) };
  if (span === 'month')
    return start >= periodStart('monthly', now) ? { key: 'month' } : { label: periodLabel('monthly', start) };
  if (span === 'quarter') return { label: periodLabel('quarterly', start) };
  if (span === 'year') return { label: periodLabel('monthly', start).slice(0, 4) };
  return { key: span };
}

/** The periods a service panel asks the dashboard endpoints for, epoch ms ([from, to) widened to days by the server). */
export function panelPeriods(now: number): {
  month: { from: number; to: number };
  week: { from: number; to: number };
  today: { from: number; to: number };
} {
  const today = localDayStart(now);
  return {
    month: { from: periodStart('monthly', now), to: now },
    // the 7 local days that end with today
    week: { from: today - 6 * DAY_MS, to: now },
    today: { from: today, to: now },
  };
}

/**
 * Agencies best first as the contract ranks them (on-time rate, none resolved last), and among equals
 * the more overdue first: the one that needs a call comes before its twin. An agency with nothing this
 * period (no dossier received, resolved, returned or overdue) is left out: a dozen rows of dashes hide the
 * three that matter; the panel counts them instead.
 */
export function rankAgencies(items: readonly DossierFigures[]): DossierFigures[] {
  return items
    .filter(hasDossiers)
    .sort(
      (a, b) =>
        (b.onTimeRate ?? -1) - (a.onTimeRate ?? -1) ||
        (b.overdueNow ?? 0) - (a.overdueNow ?? 0) ||
        a.nameVi.localeCompare(b.nameVi, 'vi'),
    );
}

function hasDossiers(a: DossierFigures): boolean {
  return a.received + a.resolvedOnTime + a.resolvedLate + a.returned > 0 || (a.overdueNow ?? 0) > 0;
}

/** Hot topics first (mentions), and among equals the more negative first. */
export function rankTopics(items: readonly MentionFigures[]): MentionFigures[] {
  return [...items].sort(
    (a, b) =>
      b.mentions - a.mentions || (b.negativeShare ?? 0) - (a.negativeShare ?? 0) || a.id.localeCompare(b.id),
  );
}

export interface SparkSeries {
  /** SVG path in a W × H box */
  d: string;
  /** y of the values given as guides (thresholds) */
  guides: number[];
}

/**
 * A line through the points in a `w` × `h` box, x by time over [t0, t1], y over [yMin, yMax]; a null
 * value breaks the line (a day with nothing resolved is no 0 % day).
 */
export function sparkPath(
  points: ReadonlyArray<{ t: number; v: number | null }>,
  box: { w: number; h: number; t0: number; t1: number; yMin: number; yMax: number },
  guides: number[] = [],
): SparkSeries {
  const x = (t: number) => ((t - box.t0) / Math.max(1, box.t1 - box.t0)) * box.w;
  const span = Math.max(1e-9, box.yMax - box.yMin);
  const y = (v: number) => box.h - ((v - box.yMin) / span) * box.h;
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p.v === null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`;
    pen = true;
  }
  return { d, guides: guides.map(y) };
}

/** The y range of the on-time sparkline: down to the worst day (at most to 0), up to 100 %, with a margin. */
export function onTimeRange(days: readonly DossierDay[]): { yMin: number; yMax: number } {
  const rates = days.map((d) => d.onTimeRate).filter((v): v is number => v !== null);
  const low = rates.length ? Math.min(...rates) : 90;
  return { yMin: Math.max(0, Math.floor((Math.min(low, 90) - 2) / 5) * 5), yMax: 100 };
}

/**
 * Mentions stacked by sentiment per bucket, negative at the bottom where the eye starts: each band's
 * upper edge as cumulative counts, for three filled areas.
 */
export function stackMentions(buckets: readonly MentionBucket[]): {
  t: number[];
  negative: number[];
  neutral: number[];
  positive: number[];
  max: number;
} {
  const sorted = [...buckets].sort((a, b) => a.t - b.t);
  const negative = sorted.map((b) => b.negative);
  const neutral = sorted.map((b, i) => negative[i] + b.neutral);
  const positive = sorted.map((b, i) => neutral[i] + b.positive);
  return { t: sorted.map((b) => b.t), negative, neutral, positive, max: Math.max(0, ...positive) };
}
