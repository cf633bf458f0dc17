import { CITY_TZ } from '#contract/cityTime.ts';
import { COUNT_UNITS, type IndicatorUnit } from '#contract/indicatorVocab.ts';
import { en, type MessageKey, vi } from './messages.ts';

export type Lang = 'vi' | 'en';
export const LANGS: readonly Lang[] = ['vi', 'en'];

const BCP47: Record<Lang, string> = { vi: 'vi-VN', en: 'en-GB' };
const DICTS: Record<Lang, Record<MessageKey, string>> = { vi, en };

/** Looks a message up and fills `{name}` placeholders. */
export function translate(lang: Lang, key: MessageKey, params?: Record<string, string | number>): string {
  const s = DICTS[lang][key] ?? vi[key] ?? key;
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>(
  key: string,
  make: () => T,
): T {
  let f = cache.get(key);
  if (!f) {
    f = make();
    cache.set(key, f);
  }
  return f as T;
}

/** A number in the language's conventions (vi: `1.234,5`, en: `1,234.5`). */
export function formatNumber(lang: Lang, n: number, maxDigits = 0, minDigits = 0): string {
  return cached(
    `n:${lang}:${maxDigits}:${minDigits}`,
    () =>
      new Intl.NumberFormat(BCP47[lang], {
        maximumFractionDigits: maxDigits,
        minimumFractionDigits: minDigits,
      }),
  ).format(n);
}

/**
 * A percentage given as 0..100, written the one way the product writes percent: the number in the
 * language's conventions, the sign right after it (CLDR's vi-VN and en-GB: "12,3%", "12.3%").
 */
export function formatPct(lang: Lang, pct: number, maxDigits = 1, minDigits = 0): string {
  return `${formatNumber(lang, pct, maxDigits, minDigits)}%`;
}

/** A fraction 0..1 as a percentage. */
export function formatPercent(lang: Lang, f: number): string {
  return cached(
    `p:${lang}`,
    () => new Intl.NumberFormat(BCP47[lang], { style: 'percent', maximumFractionDigits: 0 }),
  ).format(f);
}

/** Clock time HH:MM:SS in the city's zone. */
export function formatTime(lang: Lang, ts: number, tz = CITY_TZ): string {
  return cached(
    `t:${lang}:${tz}`,
    () =>
      new Intl.DateTimeFormat(BCP47[lang], {
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
        timeZone: tz,
      }),
  ).format(ts);
}

/** Date and time, for readings that may be days old. */
export function formatDateTime(lang: Lang, ts: number, tz = CITY_TZ): string {
  return cached(
    `dt:${lang}:${tz}`,
    () =>
      new Intl.DateTimeFormat(BCP47[lang], {
        day: '2-digit',
        month: '2-digit',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
        timeZone: tz,
      }),
  ).format(ts);
}

/** "5 giây trước" / "5 seconds ago"; minutes and hours past 90 s and 90 min. */
export function formatAgo(lang: Lang, ageMs: number): string {
  const s = Math.max(0, Math.round(ageMs / 1000));
  if (s < 1) return translate(lang, 'ago.now');
  const rtf = cached(
    `r:${lang}`,
    () => new Intl.RelativeTimeFormat(BCP47[lang], { numeric: 'always', style: 'long' }),
  );
  if (s < 90) return rtf.format(-s, 'second');
  const m = Math.round(s / 60);
  if (m < 90) return rtf.format(-m, 'minute');
  const h = Math.round(m / 60);
  if (h < 48) return rtf.format(-h, 'hour');
  return rtf.format(-Math.round(h / 24), 'day');
}

/**
 * A span to the whole minute above (a timer never reads "0 min" while time is left or once late):
 * "12 phút" / "12 min", "1 giờ 20 phút" / "1 h 20 min", from two days on "3 ngày 2 giờ" / "3 d 2 h".
 * The units are the messages' `unit.*`, the ones every page writes.
 */
export function formatDuration(lang: Lang, ms: number): string {
  const totalMin = Math.max(1, Math.ceil(Math.abs(ms) / 60_000));
  const n = (x: number) => formatNumber(lang, x);
  const part = (x: number, unit: MessageKey) => `${n(x)} ${translate(lang, unit)}`;
  if (totalMin < 60) return part(totalMin, 'unit.min');
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  if (h < 48) return m === 0 ? part(h, 'unit.h') : `${part(h, 'unit.h')} ${part(m, 'unit.min')}`;
  const d = Math.floor(h / 24);
  const rh = h % 24;
  return rh === 0 ? part(d, 'unit.d') : `${part(d, 'unit.d')} ${part(rh, 'unit.h')}`;
}

/** Decimals an indicator's figure is written with: counts whole, rates and money to one place. */
export function indicatorDigits(unit: IndicatorUnit): number {
  return COUNT_UNITS.includes(unit) ? 0 : 1;
}

/**
 * An indicator's figure and its unit label (the messages' `unit.<unit>`, the one vocabulary), apart so a
 * page can set the number large: `{ num: '96,6', unit: '%' }`; a missing figure is an em dash.
 */
export function formatIndicator(
  lang: Lang,
  value: number | null,
  unit: IndicatorUnit,
): { num: string; unit: string } {
  const label = translate(lang, `unit.${unit}`);
  if (value === null || !Number.isFinite(value)) return { num: '—', unit: label };
  // fixed decimals: a tile that reads 96,6 then 97 jumps in width
  const d = indicatorDigits(unit);
  return { num: formatNumber(lang, value, d, d), unit: label };
}

/**
 * An indicator's figure and its unit as one phrase, for a sentence: "8,5%" (the sign right after the
 * number, as formatPct writes it), "12 hồ sơ"; a missing figure is an em dash.
 */
export function indicatorPhrase(lang: Lang, value: number | null, unit: IndicatorUnit): string {
  const f = formatIndicator(lang, value, unit);
  if (f.num === '—') return f.num;
  return unit === 'percent' ? `${f.num}%` : `${f.num} ${f.unit}`;
}

const MONTH_NAMES_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * A period label of the contract (`periodLabel`: `2026-10`, `2026-Q3`, `2026`) as a reader says it:
 * "tháng 10/2026" / "Oct 2026", "quý 3/2026" / "Q3 2026", "năm 2026" / "2026"; anything else as given.
 */
export function formatPeriodLabel(lang: Lang, label: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(label);
  if (m) {
    const month = Number(m[2]);
    // Vietnamese says the month's number, English its name
    const name = lang === 'en' ? MONTH_NAMES_EN[month - 1] : String(month);
    return translate(lang, 'periodLabel.month', { month: name ?? m[2], y: m[1] });
  }
  const q = /^(\d{4})-Q([1-4])$/.exec(label);
  if (q) return translate(lang, 'periodLabel.quarter', { q: q[2], y: q[1] });
  if (/^\d{4}$/.test(label)) return translate(lang, 'periodLabel.year', { y: label });
  return label;
}
