// The alarm rules tab's form, apart from the page: a rule's settings as the admin reads and types them
// (shares as percentages, milliseconds as seconds, the reader's decimal comma) and back to what the API
// takes; and the server's refusals, field by field, in the reader's language.
import {
  ALARM_RULE_DEFAULTS,
  ALARM_RULE_META,
  type AlarmPriority,
  type AlarmRuleCode,
  type AlarmRuleConfig,
} from '#contract/alarmVocab.ts';
import { formatNumber, type Lang, translate } from '../i18n/format.ts';
import type { MessageKey } from '../i18n/messages.ts';

/** The units of ALARM_RULE_META, as the form shows them: the API's value times `scale`. */
type MetaUnit =
  | 'share_of_limit'
  | 'confidence'
  | 'severity'
  | 'share_of_target'
  | 'per_second'
  | 'ms'
  | 'share_of_threshold'
  | 'count_per_hour'
  | 'rule_level'
  | 'days'
  | 'people';
const UNITS: Record<MetaUnit, { scale: number; label: MessageKey }> = {
  share_of_limit: { scale: 100, label: 'unit.shareOfLimit' },
  confidence: { scale: 100, label: 'unit.confidence' },
  severity: { scale: 1, label: 'unit.severity' },
  share_of_target: { scale: 100, label: 'unit.shareOfTarget' },
  per_second: { scale: 1, label: 'unit.msgPerSec' },
  ms: { scale: 0.001, label: 'unit.s' },
  share_of_threshold: { scale: 100, label: 'unit.shareOfThreshold' },
  count_per_hour: { scale: 1, label: 'unit.perHour' },
  rule_level: { scale: 1, label: 'unit.ruleLevel' },
  days: { scale: 1, label: 'unit.days' },
  people: { scale: 1, label: 'unit.people' },
};

/** Rules whose thresholds are each indicator's, edited in the indicator catalogue, not here. */
export const CATALOGUE_THRESHOLDS: readonly AlarmRuleCode[] = ['indicator_threshold', 'indicator_baseline'];
/** Delays are typed in seconds. */
const SECOND = 1000;
const MAX_DELAY_MS = 24 * 3_600_000;

export type NumberField = 'threshold' | 'margin' | 'delay' | 'clearDelay';
export type RuleField = NumberField | 'priority' | 'enabled' | 'latched';

/** A rule's row as the admin edits it: numbers as typed. */
export interface RuleForm {
  enabled: boolean;
  priority: AlarmPriority;
  latched: boolean;
  threshold: string;
  margin: string;
  delay: string;
  clearDelay: string;
}

/** The API's name of each form field (the `field` of a 400 `invalid_field` detail). */
const API_FIELD: Record<RuleField, string> = {
  threshold: 'threshold',
  margin: 'margin',
  delay: 'delayMs',
  clearDelay: 'clearDelayMs',
  priority: 'priority',
  enabled: 'enabled',
  latched: 'latched',
};

const unitOf = (u: string): { scale: number; label: MessageKey | null } =>
  UNITS[u as MetaUnit] ?? { scale: 1, label: null };

/** Rounds away the float noise of scaling (0.3 × 100 = 30.000000000000004). */
const clean = (n: number) => Number(n.toPrecision(12));

/** A number as the reader types it: no grouping, a decimal comma in Vietnamese. */
export function numberText(lang: Lang, n: number): string {
  const s = String(clean(n));
  return lang === 'vi' ? s.replace('.', ',') : s;
}

/** A typed number: `null` when empty, `undefined` when it is not a number; a comma or a point as decimal mark. */
export function parseNumber(text: string): number | null | undefined {
  const s = text.trim().replace(/\s/g, '');
  if (!s) return null;
  if (!/^[-+]?(\d+([.,]\d*)?|[.,]\d+)$/.test(s)) return undefined;
  const n = Number(s.replace(',', '.'));
  return Number.isFinite(n) ? n : undefined;
}

/** What the form shows for a rule's settings. */
export function toForm(lang: Lang, c: AlarmRuleConfig): RuleForm {
  const meta = ALARM_RULE_META[c.rule];
  const shown = (v: number | null, m: { unit: string } | null) =>
    v === null || m === null ? '' : numberText(lang, v * unitOf(m.unit).scale);
  return {
    enabled: c.enabled,
    priority: c.priority,
    latched: c.latched,
    threshold: shown(c.threshold, meta.threshold),
    margin: shown(c.margin, meta.margin),
    delay: numberText(lang, c.delayMs / SECOND),
    clearDelay: numberText(lang, c.clearDelayMs / SECOND),
  };
}

/**
 * The form as the API takes it (`PUT /api/admin/alarm-rules/{rule}`), or the fields that are not
 * numbers at all. Bounds are the server's to check: its refusal names the field (`fieldError`).
 */
export function fromForm(
  rule: AlarmRuleCode,
  f: RuleForm,
): { ok: true; body: AlarmRuleConfig } | { ok: false; bad: NumberField[] } {
  const meta = ALARM_RULE_META[rule];
  const bad: NumberField[] = [];
  const num = (field: NumberField, scale: number, need: boolean): number | null => {
    const n = parseNumber(f[field]);
    if (n === undefined || (need && n === null)) {
      bad.push(field);
      return null;
    }
    return n === null ? null : clean(n / scale);
  };
  const threshold = meta.threshold ? num('threshold', unitOf(meta.threshold.unit).scale, false) : null;
  const margin = meta.margin ? num('margin', unitOf(meta.margin.unit).scale, false) : null;
  const delay = num('delay', 1 / SECOND, true);
  const clearDelay = num('clearDelay', 1 / SECOND, true);
  if (bad.length) return { ok: false, bad };
  return {
    ok: true,
    body: {
      rule,
      enabled: f.enabled,
      priority: f.priority,
      latched: f.latched,
      threshold,
      margin,
      // the API counts whole milliseconds
      delayMs: Math.round(delay ?? 0),
      clearDelayMs: Math.round(clearDelay ?? 0),
    },
  };
}

/** Whether the form says something else than the stored settings. */
export function isChanged(lang: Lang, c: AlarmRuleConfig, f: RuleForm): boolean {
  const shown = toForm(lang, c);
  return (Object.keys(shown) as RuleField[]).some((k) =>
    typeof shown[k] === 'string'
      ? parseNumber(shown[k] as string) !== parseNumber(f[k] as string)
      : shown[k] !== f[k],
  );
}

/** Whether a rule has its shipped settings. */
export function isDefault(c: AlarmRuleConfig): boolean {
  const d = ALARM_RULE_DEFAULTS[c.rule];
  return (Object.keys(d) as Array<keyof AlarmRuleConfig>).every((k) => d[k] === c[k]);
}

/** The unit of a number field, in the reader's language (`''` for a field the rule does not have). */
export function unitText(lang: Lang, rule: AlarmRuleCode, field: NumberField): string {
  if (field === 'delay' || field === 'clearDelay') return translate(lang, 'unit.s');
  const label = ALARM_RULE_META[rule][field] && unitOf(ALARM_RULE_META[rule][field].unit).label;
  return label ? translate(lang, label) : '';
}

/** The bounds of a number field as the form shows them ("5–90"), `''` for a field the rule does not have. */
export function rangeText(lang: Lang, rule: AlarmRuleCode, field: NumberField): string {
  if (field === 'delay' || field === 'clearDelay')
    return `${formatNumber(lang, 0)}–${formatNumber(lang, MAX_DELAY_MS / SECOND)}`;
  const m = ALARM_RULE_META[rule][field];
  if (!m) return '';
  const s = unitOf(m.unit).scale;
  return `${formatNumber(lang, clean(m.min * s), 3)}–${formatNumber(lang, clean(m.max * s), 3)}`;
}

/** The form's field for a field the API names (`delayMs` → `delay`), undefined for another. */
export function formField(apiField: string): RuleField | undefined {
  return (Object.keys(API_FIELD) as RuleField[]).find((k) => API_FIELD[k] === apiField);
}

/**
 * Why a field is refused, in the reader's language: decided from the field and the rule's bounds,
 * never from the server's English words. `value` is what was typed (empty: nothing typed).
 */
export function fieldError(lang: Lang, rule: AlarmRuleCode, field: RuleField, value?: string): string {
  if (field === 'priority') return translate(lang, 'admin.alarms.bad.priority');
  if (field === 'enabled' || field === 'latched') return translate(lang, 'admin.alarms.bad.field');
  const parsed = value === undefined ? 0 : parseNumber(value);
  if (parsed === undefined) return translate(lang, 'admin.alarms.bad.number');
  if (field === 'threshold' || field === 'margin') {
    if (!ALARM_RULE_META[rule][field]) return translate(lang, 'admin.alarms.bad.none');
    if (parsed === null) return translate(lang, 'admin.alarms.bad.required');
  } else if (parsed === null) return translate(lang, 'admin.alarms.bad.required');
  return translate(lang, 'admin.alarms.bad.range', {
    range: rangeText(lang, rule, field),
    unit: unitText(lang, rule, field),
  });
}

/** A delay in words ("5 phút", "1 giờ 30 phút"), for the hint under a delay typed in seconds. */
export function durationText(lang: Lang, ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const parts: string[] = [];
  if (h) parts.push(translate(lang, 'admin.alarms.hours', { n: formatNumber(lang, h) }));
  if (m) parts.push(translate(lang, 'admin.alarms.minutes', { n: formatNumber(lang, m) }));
  if (sec || parts.length === 0)
    parts.push(translate(lang, 'admin.alarms.seconds', { n: formatNumber(lang, sec) }));
  return parts.join(' ');
}
