// The indicator feed's admin screens (issue 14), their pure parts: a CSV file's preview before it is
// sent, the reasons of refused rows and the server's field refusals in the reader's language, the
// template file, the catalogue's forms. Nothing here touches the page, so it is tested on frozen inputs.
import { type CsvRecord, parseCsv, toCsv } from '#contract/csv.ts';
import {
  API_KEY_HEADER,
  CSV_COLUMNS,
  type IndicatorDef,
  type IndicatorPeriod,
  type IndicatorThresholds,
  MAX_CSV_BYTES,
  periodLabel,
  periodStart,
} from '#contract/indicatorVocab.ts';
import { formatNumber, type Lang, translate } from '../i18n/format.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { numberText, parseNumber } from './alarmRules.ts';

/** An indicator's or agency's name in the reader's language. */
export const nameOf = (lang: Lang, d: { nameVi: string; nameEn: string }): string =>
  lang === 'vi' ? d.nameVi : d.nameEn;

/** A unit of the one vocabulary (common.ts `unit.*`), in the reader's language. */
export const unitLabel = (lang: Lang, unit: string): string => translate(lang, `unit.${unit}` as MessageKey);

// ---------------------------------------------------------------------------------------------
// The CSV import: a file looked at before it is sent

/** Why a file is not sent at all: too large for the import (MAX_CSV_BYTES) or empty. */
export function fileRefusal(bytes: number): 'tooLarge' | 'empty' | null {
  if (bytes > MAX_CSV_BYTES) return 'tooLarge';
  if (bytes === 0) return 'empty';
  return null;
}

/** A byte count as people read it: "812 B", "4,2 MB" (1 MB = 1024 × 1024, the import's limit's MB). */
export function formatBytes(lang: Lang, bytes: number): string {
  if (bytes < 1024) return `${formatNumber(lang, bytes)} B`;
  if (bytes < 1024 * 1024) return `${formatNumber(lang, bytes / 1024, 1)} KB`;
  return `${formatNumber(lang, bytes / 1024 / 1024, 1)} MB`;
}

export interface CsvPreview {
  /** the separator the import will use (a semicolon when the header has semicolons and no comma) */
  separator: ',' | ';';
  /** the header's columns as the import reads them (trimmed, lower case) */
  header: string[];
  /** columns the import does not know, required ones missing, ones given twice: the import refuses the file */
  unknown: string[];
  missing: string[];
  twice: string[];
  /** the first data records, with the file's line numbers (the header is line 1) */
  first: CsvRecord[];
  /** how many data records the file has */
  records: number;
  /** the file cannot be read as CSV (a quote left open): the import refuses it */
  error: string | null;
}

/**
 * What the import will make of a CSV file's text, read by the import's own reader (contract/csv.ts): the
 * header's columns checked as the import checks them, the first `n` records with their line numbers.
 */
export function previewCsv(text: string, n = 5): CsvPreview {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const firstLine = body.slice(0, body.search(/\r?\n|$/));
  const separator: ',' | ';' = !firstLine.includes(',') && firstLine.includes(';') ? ';' : ',';
  const parsed = parseCsv(text);
  const empty = {
    separator,
    header: [],
    unknown: [],
    missing: [],
    twice: [],
    first: [],
    records: 0,
  };
  if ('error' in parsed) return { ...empty, error: parsed.error };
  const [head, ...rest] = parsed.records;
  if (!head) return { ...empty, missing: ['indicator', 'period', 'value'], error: null };
  const header = head.cells.map((c) => c.trim().toLowerCase());
  return {
    separator,
    header,
    unknown: header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h)),
    missing: ['indicator', 'period', 'value'].filter((c) => !header.includes(c)),
    twice: header.filter((h, i) => header.indexOf(h) !== i),
    first: rest.slice(0, n),
    records: rest.length,
    error: null,
  };
}

/** Whether the import would refuse the whole file for its header or its quoting. */
export const previewRefused = (p: CsvPreview): boolean =>
  p.error !== null || p.unknown.length + p.missing.length + p.twice.length > 0;

/**
 * The template to download: every column of the import, then example rows of the seeded catalogue for
 * last month (a figure of the province, one per agency, one with a breakdown), UTF-8 with a BOM so a
 * spreadsheet reads Vietnamese.
 */
export function templateCsv(now: number): string {
  const month = periodLabel('monthly', periodStart('monthly', periodStart('monthly', now) - 1));
  const day = periodLabel('daily', periodStart('daily', now) - 86_400_000);
  const rows: Array<Record<string, string | number>> = [
    { indicator: 'budget_revenue', period: month, value: 1250.5, unit: 'vnd_billion' },
    { indicator: 'cpi', period: month, value: 103.2, unit: 'index_point' },
    { indicator: 'dossier_online_share', period: day, value: 87.5, unit: 'percent', agency: 'so-tu-phap' },
  ];
  // the year's plan (contract v1.6, branch h-svcsim: a `kind` column, `plan` with a year as the period):
  // shown as soon as the import takes the column
  const columns: readonly string[] = CSV_COLUMNS;
  if (columns.includes('kind'))
    rows.push({
      indicator: 'budget_revenue',
      period: month.slice(0, 4),
      value: 17500,
      unit: 'vnd_billion',
      kind: 'plan',
    });
  return toCsv(rows, columns);
}

// ---------------------------------------------------------------------------------------------
// The answer of an import: why a row was refused, in the reader's language

const OPTIONS: Record<string, string> = {
  sentiment: 'positive, neutral, negative',
  channel: 'online, counter, postal',
  kind: 'actual, plan',
};

const FORMATS: Partial<Record<IndicatorPeriod, string>> = {
  monthly: 'YYYY-MM',
  quarterly: 'YYYY-Qn',
  daily: 'YYYY-MM-DD',
};

/**
 * Patterns of the server's details (server/ingest/decode.ts, the import): each names the message that
 * says the same in the reader's language, with its parameters. Unknown details keep the reason's words
 * and show the server's detail beside them.
 */
const DETAILS: Array<{
  re: RegExp;
  key: MessageKey;
  params?: (m: RegExpExecArray, lang: Lang) => Record<string, string>;
}> = [
  { re: /^indicator: required$/, key: 'admin.imp.why.noIndicator' },
  {
    re: /^indicator (\S+) is not in the catalogue$/,
    key: 'admin.imp.why.unknownIndicator',
    params: (m) => ({ id: m[1] as string }),
  },
  {
    re: /^expected (\d+) cells, got (\d+)$/,
    key: 'admin.imp.why.cells',
    params: (m) => ({ expected: m[1] as string, got: m[2] as string }),
  },
  {
    re: /^(\w+): a cell starting with/,
    key: 'admin.imp.why.formula',
    params: (m) => ({ column: m[1] as string }),
  },
  { re: /^value: required/, key: 'admin.imp.why.noValue' },
  {
    re: /^value: Invalid input: expected number/,
    key: 'admin.imp.why.notNumber',
  },
  {
    re: /^value: a whole number ≥ 0 for unit (\w+), got (.+)$/,
    key: 'admin.imp.why.whole',
    params: (m, l) => ({ unit: unitLabel(l, m[1] as string), got: m[2] as string }),
  },
  {
    re: /^value: at least (\S+) for \S+, got (.+)$/,
    key: 'admin.imp.why.min',
    params: (m, l) => ({ min: formatNumber(l, Number(m[1]), 3), got: m[2] as string }),
  },
  {
    re: /^value: at most (\S+) for \S+, got (.+)$/,
    key: 'admin.imp.why.max',
    params: (m, l) => ({ max: formatNumber(l, Number(m[1]), 3), got: m[2] as string }),
  },
  {
    re: /^period: (\w+) figures take .*, got (.+)$/,
    key: 'admin.imp.why.periodFormat',
    params: (m, l) => ({
      got: m[2] as string,
      period: translate(l, `period.${m[1]}` as MessageKey).toLowerCase(),
      format: FORMATS[m[1] as IndicatorPeriod] ?? 'ISO-8601',
    }),
  },
  { re: /^period: give ts or period, not both$/, key: 'admin.imp.why.noTime' },
  { re: /^ts: required/, key: 'admin.imp.why.noTime' },
  { re: /^ts: /, key: 'admin.imp.why.badTime' },
  {
    re: /^the (\w+) period (\S+) has not begun$/,
    key: 'admin.imp.why.future',
    params: (m) => ({ label: m[2] as string }),
  },
  { re: /^ts \S+ is \d+ s ahead/, key: 'admin.imp.why.futureTs' },
  {
    re: /^(?:ts )?(\S+) is older than (\d+) days/,
    key: 'admin.imp.why.old',
    params: (m) => ({ label: m[1] as string, days: m[2] as string }),
  },
  {
    re: /^unit (\S+) is not the unit of \S+ \((\w+)\)$/,
    key: 'admin.imp.why.unit',
    params: (m, l) => ({ got: m[1] as string, unit: `${m[2]} (${unitLabel(l, m[2] as string)})` }),
  },
  { re: /^ward: required/, key: 'admin.imp.why.needWard' },
  { re: /^agency: required/, key: 'admin.imp.why.needAgency' },
  {
    re: /^(ward|agency): \S+ is province-wide$/,
    key: 'admin.imp.why.province',
    params: (m) => ({ column: m[1] as string }),
  },
  { re: /^agency: \S+ is given per ward/, key: 'admin.imp.why.perWard' },
  {
    re: /^ward (\S+) is not a ward of the city$/,
    key: 'admin.imp.why.ward',
    params: (m) => ({ id: m[1] as string }),
  },
  {
    re: /^agency (\S+) is not in the agency list$/,
    key: 'admin.imp.why.agency',
    params: (m) => ({ id: m[1] as string }),
  },
  {
    re: /^(topic|source|sentiment|channel): required for/,
    key: 'admin.imp.why.needDim',
    params: (m) => ({ column: m[1] as string }),
  },
  {
    re: /^(topic|source|sentiment|channel): not a breakdown of/,
    key: 'admin.imp.why.noDim',
    params: (m) => ({ column: m[1] as string }),
  },
  {
    re: /^(sentiment|channel|kind): Invalid option/,
    key: 'admin.imp.why.option',
    params: (m) => ({ column: m[1] as string, options: OPTIONS[m[1] as string] as string }),
  },
  // the year's plans (`kind` plan, contract v1.6)
  {
    re: /^kind: plans are given for monthly and quarterly indicators; \S+ is (\w+)$/,
    key: 'admin.imp.why.planPeriod',
    params: (m, l) => ({ period: translate(l, `period.${m[1]}` as MessageKey).toLowerCase() }),
  },
  { re: /^period: a plan (names its year|takes)/, key: 'admin.imp.why.planYear' },
  {
    re: /^the plan's year (\d+) is after next year/,
    key: 'admin.imp.why.planFuture',
    params: (m) => ({ year: m[1] as string }),
  },
  {
    re: /^the plan's year (\d+) ended more than (\d+) days ago/,
    key: 'admin.imp.why.old',
    params: (m) => ({ label: m[1] as string, days: m[2] as string }),
  },
  {
    re: /^(\w+): a plan is the province's/,
    key: 'admin.imp.why.planPlace',
    params: (m) => ({ column: m[1] as string }),
  },
];

/**
 * Why a row was refused, in the reader's language: the reason (`reject.*`, one vocabulary), and what
 * exactly when the server's detail is one the page knows. `detail` is the server's own words (English)
 * when the page does not know them, to show beside.
 */
export function rejectText(
  lang: Lang,
  reason: string | undefined,
  detail: string | undefined,
): { text: string; detail: string | null } {
  const head = reason
    ? translate(lang, `reject.${reason}` as MessageKey)
    : translate(lang, 'reject.invalid_payload');
  // an unknown code reads as itself (translate answers the key): say the code
  const label = head.startsWith('reject.') ? (reason ?? '') : head;
  if (!detail) return { text: label, detail: null };
  for (const d of DETAILS) {
    const m = d.re.exec(detail);
    if (m) return { text: `${label}: ${translate(lang, d.key, d.params?.(m, lang))}`, detail: null };
  }
  return { text: label, detail };
}

// ---------------------------------------------------------------------------------------------
// The catalogue's forms

export type ThresholdBasis = IndicatorThresholds['basis'];

/** An indicator's form as the admin edits it: numbers as typed. */
export interface IndicatorForm {
  id: string;
  domain: IndicatorDef['domain'];
  nameVi: string;
  nameEn: string;
  unit: IndicatorDef['unit'];
  period: IndicatorDef['period'];
  scope: IndicatorDef['scope'];
  goodDirection: IndicatorDef['goodDirection'];
  dimensions: IndicatorDef['dimensions'];
  min: string;
  max: string;
  basis: ThresholdBasis;
  warning: string;
  critical: string;
}

export type IndicatorField = keyof IndicatorForm;

export const NEW_INDICATOR: IndicatorForm = {
  id: '',
  domain: 'socio_economic',
  nameVi: '',
  nameEn: '',
  unit: 'count',
  period: 'monthly',
  scope: 'province',
  goodDirection: 'up',
  dimensions: [],
  min: '',
  max: '',
  basis: 'value',
  warning: '',
  critical: '',
};

/** The form of a catalogue entry (numbers written in the reader's language). */
export function indicatorForm(lang: Lang, d: IndicatorDef): IndicatorForm {
  const n = (v: number | null) => (v === null ? '' : numberText(lang, v));
  return {
    id: d.id,
    domain: d.domain,
    nameVi: d.nameVi,
    nameEn: d.nameEn,
    unit: d.unit,
    period: d.period,
    scope: d.scope,
    goodDirection: d.goodDirection,
    dimensions: [...d.dimensions],
    min: n(d.min),
    max: n(d.max),
    basis: d.thresholds.basis,
    warning: n(d.thresholds.warning),
    critical: n(d.thresholds.critical),
  };
}

const ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * What the form sends (the numbers read), or the fields that are wrong before anything is sent: an id
 * the server would refuse, an empty name, a number that is not one, a lower bound above the upper.
 */
export function readIndicatorForm(f: IndicatorForm):
  | {
      ok: true;
      body: Omit<IndicatorDef, 'disabled' | 'updatedAt'>;
    }
  | { ok: false; bad: IndicatorField[] } {
  const bad: IndicatorField[] = [];
  const num = (k: 'min' | 'max' | 'warning' | 'critical') => {
    const v = parseNumber(f[k]);
    if (v === undefined) bad.push(k);
    return v ?? null;
  };
  if (!ID.test(f.id.trim())) bad.push('id');
  if (!f.nameVi.trim()) bad.push('nameVi');
  if (!f.nameEn.trim()) bad.push('nameEn');
  const min = num('min');
  const max = num('max');
  const warning = num('warning');
  const critical = num('critical');
  if (min !== null && max !== null && min > max) bad.push('min');
  if (bad.length) return { ok: false, bad };
  return {
    ok: true,
    body: {
      id: f.id.trim(),
      domain: f.domain,
      nameVi: f.nameVi.trim(),
      nameEn: f.nameEn.trim(),
      unit: f.unit,
      period: f.period,
      scope: f.scope,
      goodDirection: f.goodDirection,
      dimensions: f.dimensions,
      min,
      max,
      thresholds: { basis: f.basis, warning, critical },
    },
  };
}

/** A field the server names (`thresholds.warning`, `indicators.2`) as the form's field. */
export function formFieldOf(apiField: string): string {
  if (apiField.startsWith('thresholds.')) return apiField.slice('thresholds.'.length);
  return apiField.split('.')[0] as string;
}

/** What each field must be, in the reader's language: said next to a field the server or the form refused. */
const FIELD_RULE: Record<string, MessageKey> = {
  id: 'admin.ind.bad.id',
  nameVi: 'admin.ind.bad.name',
  nameEn: 'admin.ind.bad.name',
  name: 'admin.ind.bad.name',
  min: 'admin.ind.bad.number',
  max: 'admin.ind.bad.number',
  warning: 'admin.ind.bad.number',
  critical: 'admin.ind.bad.number',
  ratePerMin: 'admin.src.bad.rate',
  indicators: 'admin.src.bad.indicators',
};

/**
 * The server's `400 invalid_field` details as the form's fields, each with why in the reader's language
 * (from the field, never the server's English words; a few known refusals more exactly).
 */
export function fieldErrors(
  lang: Lang,
  details: ReadonlyArray<{ field: string; message: string }>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of details) {
    const field = formFieldOf(d.field);
    if (field in out) continue;
    let text: string;
    if (field === 'min' && /at most max/.test(d.message)) text = translate(lang, 'admin.ind.bad.minMax');
    else if (field === 'indicators' && /no such indicators: (.+)$/.test(d.message))
      text = translate(lang, 'admin.src.bad.unknownIndicators', {
        ids: (/no such indicators: (.+)$/.exec(d.message) as RegExpExecArray)[1] as string,
      });
    else text = translate(lang, FIELD_RULE[field] ?? 'admin.ind.bad.choice');
    out[field] = text;
  }
  return out;
}

/** The form's own refusals (readIndicatorForm's `bad`) in the same words. */
export function formErrors(
  lang: Lang,
  bad: readonly IndicatorField[],
  f: IndicatorForm,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of bad) {
    if (k === 'min' && parseNumber(f.min) !== undefined) out.min = translate(lang, 'admin.ind.bad.minMax');
    else out[k] = translate(lang, FIELD_RULE[k] ?? 'admin.ind.bad.choice');
  }
  return out;
}

/** The changes an edit sends (PATCH): only what differs from the entry. */
export function indicatorChanges(
  d: IndicatorDef,
  body: Omit<IndicatorDef, 'disabled' | 'updatedAt'>,
): Partial<Pick<IndicatorDef, 'nameVi' | 'nameEn' | 'goodDirection' | 'min' | 'max' | 'thresholds'>> {
  const ch: ReturnType<typeof indicatorChanges> = {};
  if (body.nameVi !== d.nameVi) ch.nameVi = body.nameVi;
  if (body.nameEn !== d.nameEn) ch.nameEn = body.nameEn;
  if (body.goodDirection !== d.goodDirection) ch.goodDirection = body.goodDirection;
  if (body.min !== d.min) ch.min = body.min;
  if (body.max !== d.max) ch.max = body.max;
  const t = body.thresholds;
  if (
    t.basis !== d.thresholds.basis ||
    t.warning !== d.thresholds.warning ||
    t.critical !== d.thresholds.critical
  )
    ch.thresholds = t;
  return ch;
}

/**
 * An indicator's thresholds as a sentence in the reader's language: "cảnh báo ≥ 10, nguy cấp ≥ 20 hồ sơ"
 * (read the bad way: at or above when down is good, at or below when up is), `null` when it has none.
 */
export function thresholdsText(
  lang: Lang,
  d: Pick<IndicatorDef, 'thresholds' | 'goodDirection' | 'unit'>,
): string | null {
  const { basis, warning, critical } = d.thresholds;
  if (warning === null && critical === null) return null;
  const op = d.goodDirection === 'down' ? '≥' : '≤';
  const unit = basis === 'baseline_ratio' ? '×' : d.unit === 'percent' ? '%' : ` ${unitLabel(lang, d.unit)}`;
  const v = (x: number) => `${op} ${formatNumber(lang, x, 3)}${unit}`;
  const parts = [
    warning !== null ? translate(lang, 'admin.ind.warningAt', { v: v(warning) }) : '',
    critical !== null ? translate(lang, 'admin.ind.criticalAt', { v: v(critical) }) : '',
  ].filter(Boolean);
  return parts.join(' · ');
}

// ---------------------------------------------------------------------------------------------
// HTTP sources

const EXAMPLE_DIMENSION: Record<string, string> = {
  topic: 'giao-thong',
  source: 'bao-dien-tu',
  sentiment: 'negative',
  channel: 'online',
};

/**
 * How a system sends one value of `indicatorId` as source `sourceId`: a curl command line with the key
 * header, the value shaped as its catalogue entry asks (the last whole period for a figure, now for an
 * event, its place and breakdowns).
 */
export function curlExample(
  origin: string,
  sourceId: string,
  indicatorId: string,
  key: string,
  now: number,
  items?: readonly IndicatorDef[],
): string {
  const d = items?.find((x) => x.id === indicatorId);
  const v: Record<string, string | number> = { indicator: indicatorId };
  if (!d || d.period === 'event' || d.period === 'hourly')
    v.ts = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
  else v.period = periodLabel(d.period, periodStart(d.period, periodStart(d.period, now) - 1));
  if (d && d.period !== 'event') v.value = d.unit === 'percent' ? 96.5 : 100;
  if (d?.scope === 'agency') v.agency = 'so-tu-phap';
  if (d?.scope === 'ward') v.ward = 'tran-phu';
  for (const dim of d?.dimensions ?? []) v[dim] = EXAMPLE_DIMENSION[dim] as string;
  if (d?.period === 'event') v.id = 'evt-000123';
  const body = JSON.stringify({ values: [v] });
  return `curl -X POST '${origin}/api/ingest/${sourceId}' -H 'content-type: application/json' -H '${API_KEY_HEADER}: ${key}' -d '${body}'`;
}
