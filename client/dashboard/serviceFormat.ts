// How the service tabs write their figures: pure functions of the value, its unit (the indicator
// vocabulary's) and the language. Unit words are common.ts `unit.<code>`, the ones the console uses too.
import { LOCAL_OFFSET_MS } from '#contract/cityTime.ts';
import type { IndicatorUnit } from '#contract/indicatorVocab.ts';
import type { ServiceKpi, ServiceLevel, ServiceSpan } from '#contract/servicesApi.ts';
import { formatIndicator, formatNumber, formatPeriodLabel, type Lang, translate } from '../i18n/format.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { ratioDeltaText } from './kpiFormat.ts';

/** The unit's word in the reader's language ("hồ sơ", "tỷ đồng", "%"). */
export function unitLabel(lang: Lang, unit: IndicatorUnit): string {
  return translate(lang, `unit.${unit}` as MessageKey);
}

/** The figure and its unit as one string ("96,6%", "1.234 hồ sơ"); "—" without a value. */
export function indicatorText(lang: Lang, v: number | null | undefined, unit: IndicatorUnit): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return withUnit(lang, formatIndicator(lang, v, unit).num, unit);
}

/** A number already written, with its unit's word after it. */
function withUnit(lang: Lang, text: string, unit: IndicatorUnit): string {
  // the per cent sign right after the number, in both languages (formatPct)
  return unit === 'percent' ? `${text}%` : `${text} ${unitLabel(lang, unit)}`;
}

/**
 * Which way of each service KPI is good news; a key not listed is neither (its change is shown in grey).
 * The keys are those of /api/dashboard/{public-services,online-information}/kpis.
 */
const GOOD_WAY: Record<string, 'up' | 'down'> = {
  onTimeRate: 'up',
  resolvedOnTime: 'up',
  resolvedLate: 'down',
  overdueNow: 'down',
  returned: 'down',
  onlineShare: 'up',
  negative: 'down',
  negativeShare: 'down',
  positive: 'up',
  positiveShare: 'up',
};

/**
 * The change against the previous period: percentage points for a percentage, per cent otherwise (times
 * from ten times on); its tone says whether it is good news.
 */
export function formatServiceDelta(
  lang: Lang,
  k: Pick<ServiceKpi, 'key' | 'unit' | 'delta' | 'deltaRatio'>,
): { text: string; tone: 'good' | 'bad' | 'neutral'; arrow: string } | null {
  if (k.delta === null) return null;
  const good = GOOD_WAY[k.key];
  const eps = k.unit === 'percent' ? 0.005 : 1e-9;
  const dir = k.delta > eps ? 1 : k.delta < -eps ? -1 : 0;
  const tone = dir === 0 || !good ? 'neutral' : dir > 0 === (good === 'up') ? 'good' : 'bad';
  const arrow = dir > 0 ? '▲' : dir < 0 ? '▼' : '=';
  const sign = dir > 0 ? '+' : dir < 0 ? '−' : '±';
  let text: string;
  if (k.unit === 'percent')
    text = `${sign}${formatNumber(lang, Math.abs(k.delta), 2)} ${translate(lang, 'dash.svc.points')}`;
  else if (k.deltaRatio !== null) text = ratioDeltaText(lang, k.deltaRatio, sign);
  else text = `${sign}${formatIndicator(lang, Math.abs(k.delta), k.unit).num}`;
  return { text, tone, arrow };
}

/**
 * A period label of the feed (`2026-10`, `2026-Q3`, `2026-10-05`) in words: months and quarters as
 * formatPeriodLabel says them ("tháng 10/2026" / "Oct 2026"), a day "05/10/2026" / "5 Oct 2026"; `short`
 * for an axis ("10/2026" / "Oct 26", "Q3/2026" / "Q3 26").
 */
export function periodName(lang: Lang, label: string, short = false): string {
  const q = /^(\d{4})-Q([1-4])$/.exec(label);
  const m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(label);
  const day = m?.[3] !== undefined;
  if (!short && !day) return formatPeriodLabel(lang, label);
  if (q) return lang === 'vi' ? `Q${q[2]}/${q[1]}` : `Q${q[2]} ${q[1].slice(2)}`;
  if (!m) return label;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), day ? Number(m[3]) : undefined];
  if (lang === 'vi') return d !== undefined ? `${m[3]}/${m[2]}/${y}` : `${m[2]}/${y}`;
  return new Date(Date.UTC(y, mo - 1, d ?? 1)).toLocaleDateString('en-GB', {
    ...(d !== undefined ? { day: 'numeric' } : {}),
    month: 'short',
    year: d !== undefined ? 'numeric' : '2-digit',
    timeZone: 'UTC',
  });
}

/** The local calendar parts of an instant in the city. */
function localParts(ms: number): { y: number; m: number; d: number } {
  const d = new Date(ms + LOCAL_OFFSET_MS);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() };
}

/** What span a headline figure covers, in words: "tháng 12/2026", "hôm nay 05/12", "Quý IV/2026". */
export function spanText(lang: Lang, span: ServiceSpan, periodStart: number): string {
  const p = localParts(periodStart);
  const mm = String(p.m).padStart(2, '0');
  switch (span) {
    case 'now':
      return translate(lang, 'dash.span.now');
    case 'hour':
      return translate(lang, 'dash.span.hour');
    case 'today':
      return translate(lang, 'dash.span.today', {
        date: periodName(lang, `${p.y}-${mm}-${String(p.d).padStart(2, '0')}`),
      });
    case 'month':
      return periodName(lang, `${p.y}-${mm}`);
    case 'quarter':
      return periodName(lang, `${p.y}-Q${Math.floor((p.m - 1) / 3) + 1}`);
    case 'year':
      return translate(lang, 'dash.span.year', { year: p.y });
  }
}

/** A threshold level in words: the colour is never the only sign. */
export function levelText(lang: Lang, level: ServiceLevel): string {
  return translate(lang, `serviceLevel.${level}` as MessageKey);
}

/** "3,2 lần" / "3.2×": a count against its usual. */
export function ratioText(lang: Lang, r: number | null): string {
  if (r === null || !Number.isFinite(r)) return '—';
  return translate(lang, 'dash.svc.times', { n: formatNumber(lang, r, 1, 1) });
}

/** A percentage that the API gives as 0..100 (shares of the feed), with one decimal. */
export function percentText(lang: Lang, v: number | null): string {
  return v === null || !Number.isFinite(v) ? '—' : withUnit(lang, formatNumber(lang, v, 1, 1), 'percent');
}
