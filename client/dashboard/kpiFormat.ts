import type { AlarmHealthKpi, Kpi, KpiUnit } from '#contract/dashboardApi.ts';
import { formatNumber, type Lang, translate } from '../i18n/format.ts';

/** Whether a rise of this figure is good news (green), bad news (red), or neither. */
const RISE_IS: Record<string, 'good' | 'bad' | 'neutral'> = {
  avgSpeed: 'good',
  peakSpeed: 'good',
  congestedHours: 'bad',
  congestionShare: 'bad',
  received: 'neutral',
  resolved: 'good',
  open: 'bad',
  onTimeRate: 'good',
  ackMedian: 'bad',
  ackP90: 'bad',
  resolveMedian: 'bad',
  resolveP90: 'bad',
  cameraAvailability: 'good',
  alarmsRaised: 'bad',
  alarmRate: 'bad',
  alarmPeakRate: 'bad',
  alarmFloodShare: 'bad',
  alarmAckMedian: 'bad',
  alarmStanding: 'bad',
  alarmChattering: 'bad',
};

/**
 * A figure in its unit: km/h and shares (as %) with one decimal always (a tile does not jump between
 * "38" and "38,1" as the figure moves), minutes (hours past two hours), counts.
 */
export function formatValue(lang: Lang, v: number | null, unit: KpiUnit): { text: string; unit: string } {
  if (v === null || !Number.isFinite(v)) return { text: '—', unit: '' };
  switch (unit) {
    case 'kmh':
      return { text: formatNumber(lang, v, 1, 1), unit: translate(lang, 'unit.kmh') };
    case 'share':
      return { text: formatNumber(lang, v * 100, 1, 1), unit: '%' };
    case 'minutes':
      return v >= 120
        ? { text: formatNumber(lang, v / 60, 1), unit: translate(lang, 'unit.h') }
        : { text: formatNumber(lang, v, v < 10 ? 1 : 0), unit: translate(lang, 'unit.min') };
    case 'rate':
      // alarms per 10 minutes per position: two decimals under 10 (0,24 against the target of 1)
      return { text: formatNumber(lang, v, v < 10 ? 2 : 1), unit: translate(lang, 'unit.alarmRate') };
    case 'hours':
      return { text: formatNumber(lang, v, 0), unit: translate(lang, 'unit.h') };
    default:
      return { text: formatNumber(lang, v, 0), unit: '' };
  }
}

/** From this many times the previous period's figure on, a rise is said in times, not per cent. */
export const TIMES_FROM = 10;

/**
 * A relative change ((value − previous) / previous) with its sign: "+12,5%", "−3%"; a rise to ten times
 * the previous figure or more as "gấp 70 lần" / "×70" (a previous period nearly empty made "+6.900%",
 * which nobody reads at a glance).
 */
export function ratioDeltaText(lang: Lang, deltaRatio: number, sign: string): string {
  const times = 1 + deltaRatio;
  if (times >= TIMES_FROM) return translate(lang, 'dash.deltaTimes', { n: formatNumber(lang, times, 0) });
  return `${sign}${formatNumber(lang, Math.abs(deltaRatio) * 100, 1)}%`;
}

/**
 * The change against the previous period: percentage points for shares, per cent otherwise (times from
 * ten times on); its tone says whether it is good news.
 */
export function formatDelta(
  lang: Lang,
  k: Kpi,
): { text: string; tone: 'good' | 'bad' | 'neutral'; arrow: string } | null {
  if (k.delta === null) return null;
  const rise = RISE_IS[k.key] ?? 'neutral';
  const eps = k.unit === 'share' ? 0.0005 : 1e-9;
  const dir = k.delta > eps ? 1 : k.delta < -eps ? -1 : 0;
  const tone = dir === 0 || rise === 'neutral' ? 'neutral' : dir > 0 === (rise === 'good') ? 'good' : 'bad';
  const arrow = dir > 0 ? '▲' : dir < 0 ? '▼' : '=';
  const sign = dir > 0 ? '+' : dir < 0 ? '−' : '±';
  let text: string;
  if (k.unit === 'share')
    text = `${sign}${formatNumber(lang, Math.abs(k.delta) * 100, 1)} ${lang === 'vi' ? 'điểm %' : 'pts'}`;
  else if (k.deltaRatio !== null) text = ratioDeltaText(lang, k.deltaRatio, sign);
  else text = `${sign}${formatValue(lang, Math.abs(k.delta), k.unit).text}`;
  return { text, tone, arrow };
}

/**
 * Whether an alarm figure meets its target, said in words with a mark (✓ / ✗), so that it does not
 * rest on colour alone; null for a figure without a target or a value.
 */
export function formatTarget(lang: Lang, k: AlarmHealthKpi): { met: boolean; text: string } | null {
  if (k.target === null || k.withinTarget === null) return null;
  const v = formatValue(lang, k.target, k.unit);
  const target = k.unit === 'share' ? `${v.text}%` : v.text;
  return {
    met: k.withinTarget,
    text: translate(lang, k.withinTarget ? 'dash.alarm.met' : 'dash.alarm.missed', { target }),
  };
}
