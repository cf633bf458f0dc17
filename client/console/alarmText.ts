// An alarm's words in the reader's language: the server sends a title as `{code, params}`, never a sentence.
import type { AlarmItem, AlarmRuleCode, AlarmTitle, AlarmTitleParams } from '#contract/alarmVocab.ts';
import type { AgencyView, IndicatorDef, IndicatorUnit, LabelledDimension } from '#contract/indicatorVocab.ts';
import { formatDateTime, formatNumber, formatTime, type Lang, translate } from '../i18n/format.ts';
import type { MessageKey } from '../i18n/messages.ts';

/**
 * What a title needs besides its params: ward names from the city model, the time now (server clock),
 * and for the indicator rules the catalogue (`GET /api/indicators`): an indicator's, an agency's and a
 * topic's names; without it (not loaded yet) the ids and codes show.
 */
export interface TitleContext {
  wardName: (id: string) => string | undefined;
  now: number;
  indicator?: (id: string) => Pick<IndicatorDef, 'nameVi' | 'nameEn'> | undefined;
  agency?: (id: string) => Pick<AgencyView, 'nameVi' | 'nameEn'> | undefined;
  /** a topic or source code's name in `lang` (the code when it has none) */
  breakdown?: (dimension: LabelledDimension, code: string, lang: Lang) => string;
}

const nameIn = (lang: Lang, x: { nameVi: string; nameEn: string } | undefined, id: string) =>
  x ? (lang === 'vi' ? x.nameVi : x.nameEn) : id;

/** A figure with its unit (the one vocabulary's unit names, unit.*): "94,5%", "23 hồ sơ", "1.250,5 tỷ đồng". */
export function indicatorValue(lang: Lang, value: number, unit: string): string {
  const n = formatNumber(lang, value, 2);
  const u = translate(lang, `unit.${unit}` as MessageKey);
  // a plain count needs no word after it
  if (u === `unit.${unit}` || unit === ('count' satisfies IndicatorUnit)) return n;
  return unit === ('percent' satisfies IndicatorUnit) ? `${n}%` : `${n} ${u}`;
}

/** Where an indicator alarm is: an agency, a ward, or the province. */
function indicatorPlace(lang: Lang, p: AlarmTitleParams, ctx: TitleContext): string {
  const agency = str(p, 'agency');
  if (str(p, 'scope') === 'agency' && agency) return nameIn(lang, ctx.agency?.(agency), agency);
  if (str(p, 'scope') === 'ward') return placeName(lang, str(p, 'ward') || null, ctx);
  return translate(lang, 'alarm.place.province');
}

const str = (p: AlarmTitleParams, k: string): string => {
  const v = p[k];
  return v === null || v === undefined ? '' : String(v);
};
const num = (p: AlarmTitleParams, k: string): number | null => {
  const v = p[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

/** "phường Lê Lợi" / "Lê Lợi ward"; a name that already says what it is stays as it is. */
export function placeName(lang: Lang, wardId: string | null, ctx: TitleContext): string {
  const name = wardId ? (ctx.wardName(wardId) ?? wardId) : null;
  if (!name) return translate(lang, 'alarm.place.unknown');
  if (/^(phường|xã|thị trấn|quận|huyện|ward|district)\b/i.test(name)) return name;
  return translate(lang, 'alarm.place.ward', { name });
}

/** A time of day, or a date and time when it is not today (more than 20 h from now). */
function when(lang: Lang, ts: number, now: number): string {
  return Math.abs(now - ts) > 20 * 3_600_000 ? formatDateTime(lang, ts) : formatTime(lang, ts);
}

/** Minutes as the SLA targets read: "90 phút", "4 giờ". */
function duration(lang: Lang, minutes: number): string {
  if (minutes >= 120 && minutes % 60 === 0)
    return `${formatNumber(lang, minutes / 60)} ${translate(lang, 'unit.h')}`;
  return `${formatNumber(lang, minutes)} ${translate(lang, 'unit.min')}`;
}

/** A message key that may not exist (a category or event kind from a newer server): the key itself then. */
function known(lang: Lang, key: string, fallback: string): string {
  const s = translate(lang, key as MessageKey);
  return s === key ? fallback : s;
}

const FLOOD_KEYS: Partial<Record<AlarmRuleCode, MessageKey>> = {
  road_jam: 'alarm.title.flood.road_jam',
  camera_offline: 'alarm.title.flood.camera_offline',
  asset_silent: 'alarm.title.flood.asset_silent',
  camera_detection: 'alarm.title.flood.camera_detection',
  incident_new: 'alarm.title.flood.incidents',
  incident_ack_overdue: 'alarm.title.flood.incidents',
  incident_resolve_overdue: 'alarm.title.flood.incidents',
};

/** The title of an alarm in `lang`. */
export function alarmTitle(lang: Lang, title: AlarmTitle, ctx: TitleContext): string {
  const p = title.params;
  const n = (k: string) => {
    const v = num(p, k);
    return v === null ? '—' : formatNumber(lang, v);
  };
  const tr = (key: MessageKey, params?: Record<string, string | number>) => translate(lang, key, params);
  switch (title.code) {
    case 'flood_group': {
      const rule = str(p, 'rule') as AlarmRuleCode;
      const place = placeName(lang, str(p, 'wardId') || null, ctx);
      const key = FLOOD_KEYS[rule] ?? 'alarm.title.flood.other';
      return tr(key, { count: n('count'), place, rule: known(lang, `alarm.rule.${rule}`, rule) });
    }
    case 'road_jam':
      return tr('alarm.title.road_jam', {
        segment: str(p, 'segment'),
        speed: n('speedKmh'),
        limit: n('limitKmh'),
        unit: translate(lang, 'unit.kmh'),
      });
    case 'camera_offline': {
      const since = num(p, 'offlineSince');
      return tr('alarm.title.camera_offline', {
        camera: str(p, 'camera'),
        time: since === null ? '—' : when(lang, since, ctx.now),
      });
    }
    case 'asset_silent': {
      const kind = known(lang, `alarm.kind.${str(p, 'kind')}`, str(p, 'kind'));
      const last = num(p, 'lastSeen');
      return last === null
        ? tr('alarm.title.asset_silent_never', { kind, asset: str(p, 'asset') })
        : tr('alarm.title.asset_silent', { kind, asset: str(p, 'asset'), time: when(lang, last, ctx.now) });
    }
    case 'camera_detection': {
      const event = known(lang, `ev.${str(p, 'kind')}`, str(p, 'kind'));
      const pct = num(p, 'confidencePct');
      return pct === null
        ? tr('alarm.title.camera_detection', { camera: str(p, 'camera'), event })
        : tr('alarm.title.camera_detection_conf', {
            camera: str(p, 'camera'),
            event,
            pct: formatNumber(lang, pct),
          });
    }
    case 'incident_new':
      return tr('alarm.title.incident_new', {
        number: str(p, 'number'),
        category: known(lang, `cat.${str(p, 'category')}`, str(p, 'category')),
        severity: n('severity'),
      });
    case 'incident_ack_overdue':
    case 'incident_resolve_overdue': {
      const level = str(p, 'level') === 'warning' ? 'warning' : 'overdue';
      const target = num(p, 'targetMin');
      return tr(`alarm.title.${title.code}.${level}` as MessageKey, {
        number: str(p, 'number'),
        category: known(lang, `cat.${str(p, 'category')}`, str(p, 'category')),
        target: target === null ? '—' : duration(lang, target),
      });
    }
    case 'reject_spike':
      return tr('alarm.title.reject_spike', { rate: n('ratePerSec'), threshold: n('thresholdPerSec') });
    case 'system_health': {
      const part = str(p, 'part');
      if (part === 'db') return tr('alarm.title.system_health.db');
      if (part === 'broker') return tr('alarm.title.system_health.broker');
      if (part === 'ingest_lag') {
        const lag = num(p, 'lagMs');
        return tr('alarm.title.system_health.ingest_lag', {
          lag: lag === null ? '—' : formatNumber(lang, lag / 1000, 1),
        });
      }
      return tr('alarm.title.system_health.other', { part });
    }
    case 'indicator_threshold': {
      const level = str(p, 'level') === 'critical' ? 'critical' : 'warning';
      const unit = str(p, 'unit');
      const v = num(p, 'value');
      const th = num(p, 'threshold');
      const hour = str(p, 'period') === 'event';
      const label = str(p, 'periodLabel');
      const indicator = nameIn(lang, ctx.indicator?.(str(p, 'indicator')), str(p, 'indicator'));
      return tr(`alarm.title.${hour ? 'indicator_hour' : 'indicator'}.${level}` as MessageKey, {
        // a figure names its period (the month of a CPI); a count is of the last hour
        indicator: !hour && label && !label.includes('T') ? `${indicator} ${label}` : indicator,
        place: indicatorPlace(lang, p, ctx),
        value: v === null ? '—' : indicatorValue(lang, v, unit),
        threshold: th === null ? '—' : indicatorValue(lang, th, unit),
      });
    }
    case 'indicator_baseline': {
      const topic = str(p, 'topic');
      return tr(
        str(p, 'sentiment') === 'negative'
          ? 'alarm.title.indicator_baseline_negative'
          : 'alarm.title.indicator_baseline',
        {
          indicator: nameIn(lang, ctx.indicator?.(str(p, 'indicator')), str(p, 'indicator')),
          subject: topic
            ? tr('alarm.place.topic', { topic: ctx.breakdown?.('topic', topic, lang) ?? topic })
            : indicatorPlace(lang, p, ctx),
          count: n('count'),
          ratio: num(p, 'ratio') === null ? '—' : formatNumber(lang, num(p, 'ratio') as number, 1),
          baseline: num(p, 'baseline') === null ? '—' : formatNumber(lang, num(p, 'baseline') as number, 1),
        },
      );
    }
    case 'security_event': {
      const band = str(p, 'band');
      return tr('alarm.title.security_event', {
        band: known(lang, `band.${band}`, band).toLowerCase(),
        level: n('level'),
        agent: str(p, 'agent'),
        // the SIEM's own words (its rules are written in English)
        description: str(p, 'description'),
      });
    }
    case 'system_down': {
      const error = str(p, 'error');
      return tr('alarm.title.system_down', {
        name: str(p, lang === 'vi' ? 'nameVi' : 'nameEn') || str(p, 'system'),
        error: error ? known(lang, `probeError.${error}`, error) : '—',
      });
    }
    case 'cert_expiry':
      return tr('alarm.title.cert_expiry', {
        name: str(p, lang === 'vi' ? 'nameVi' : 'nameEn') || str(p, 'system'),
        days: n('days'),
      });
    case 'crowd_hotspot':
      return tr('alarm.title.crowd_hotspot', {
        camera: str(p, 'camera'),
        count: n('count'),
        threshold: n('threshold'),
      });
    default:
      // a code from a newer server: its rule's name at least
      return known(lang, `alarm.rule.${String((title as { code: string }).code)}`, String(title.code));
  }
}

/** The state as the list shows it, with the flags that matter more than the state. */
export function alarmStateText(lang: Lang, a: Pick<AlarmItem, 'state' | 'shelved' | 'suppressed'>): string {
  const state = translate(lang, `alarm.state.${a.state}` as MessageKey);
  if (a.suppressed) return `${state} · ${translate(lang, 'alarm.flag.suppressed')}`;
  if (a.shelved) return `${state} · ${translate(lang, 'alarm.flag.shelved')}`;
  return state;
}
