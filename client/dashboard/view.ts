// The dashboard's view (tab, period, district, the socio-economic charts chosen), kept in the URL's query
// string so a view can be shared, linked to and printed as it is on screen.
import { DAY_MS, localDateStart, localDayStart } from '#contract/cityTime.ts';

/** The tabs, in order: the summary first (what a leader opens), then one per service. */
export const TABS = [
  'summary',
  'traffic',
  'public-services',
  'online-information',
  'socio-economic',
  /** operators and admins only (issue 15) */
  'security',
] as const;
export type TabKey = (typeof TABS)[number];

export const PERIODS = ['today', '7d', '30d', '90d', 'custom'] as const;
export type PeriodKey = (typeof PERIODS)[number];

export interface View {
  /** absent: the summary */
  tab?: TabKey;
  period: PeriodKey;
  /** custom period: local dates YYYY-MM-DD, both included */
  from?: string;
  to?: string;
  district?: string;
  /** socio-economic indicators whose charts are shown (absent: the first ones of the table) */
  indicators?: string[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const PRESET_DAYS: Record<Exclude<PeriodKey, 'custom'>, number> = { today: 1, '7d': 7, '30d': 30, '90d': 90 };

const INDICATOR_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * Reads a view from a query string; anything unknown falls back to the summary of the last 7 days, whole
 * city.
 */
export function parseView(search: string): View {
  const q = new URLSearchParams(search);
  const p = q.get('period');
  const tabArg = q.get('tab') ?? '';
  const tab =
    (TABS as readonly string[]).includes(tabArg) && tabArg !== 'summary' ? (tabArg as TabKey) : undefined;
  const district = q.get('district') || undefined;
  const indicators = (q.get('indicators') ?? '').split(',').filter((x) => INDICATOR_ID.test(x));
  const rest = {
    ...(district ? { district } : {}),
    ...(tab === 'socio-economic' && q.has('indicators') ? { indicators } : {}),
  };
  const from = q.get('from') ?? '';
  const to = q.get('to') ?? '';
  if (p === 'custom' && DATE.test(from) && DATE.test(to) && localDateStart(from) <= localDateStart(to)) {
    return { ...(tab ? { tab } : {}), period: 'custom', from, to, ...rest };
  }
  const period = (PERIODS as readonly string[]).includes(p ?? '') && p !== 'custom' ? (p as PeriodKey) : '7d';
  return { ...(tab ? { tab } : {}), period, ...rest };
}

/** The query string of a view (without `?`), in a stable order. */
export function viewToSearch(v: View): string {
  const q = new URLSearchParams();
  if (v.tab && v.tab !== 'summary') q.set('tab', v.tab);
  q.set('period', v.period);
  if (v.period === 'custom' && v.from && v.to) {
    q.set('from', v.from);
    q.set('to', v.to);
  }
  if (v.district) q.set('district', v.district);
  if (v.tab === 'socio-economic' && v.indicators) q.set('indicators', v.indicators.join(','));
  return q.toString();
}

/** The tab a view shows. */
export function viewTab(v: View): TabKey {
  return v.tab ?? 'summary';
}

/** The view's time range [from, to), epoch ms, whole local days; presets end with today. */
export function viewRange(v: View, now: number): { from: number; to: number } {
  if (v.period === 'custom' && v.from && v.to)
    return { from: localDateStart(v.from), to: localDateStart(v.to) + DAY_MS };
  // presets end at the midnight after today
  const to = localDayStart(now) + DAY_MS;
  const days = PRESET_DAYS[v.period === 'custom' ? '7d' : v.period];
  return { from: to - days * DAY_MS, to };
}

/** The API's query string for a view: from/to as ISO instants, district when chosen. */
export function apiQuery(v: View, now: number, extra: Record<string, string> = {}): string {
  const { from, to } = viewRange(v, now);
  const q = new URLSearchParams({
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    ...extra,
  });
  if (v.district) q.set('district', v.district);
  return q.toString();
}

/** How often a view that reaches now is loaded again while on screen (a projector left open). */
export const REFRESH_MS = 5 * 60_000;

/**
 * Whether the view on screen is due to be loaded again: it reached now when it was loaded (today's
 * figures still move; a preset also moves on to the next day after midnight) and that was
 * REFRESH_MS ago. A view of past days only never changes.
 */
export function dueForRefresh(v: View, loadedAt: number, now: number): boolean {
  return now - loadedAt >= REFRESH_MS && viewRange(v, loadedAt).to > loadedAt;
}
