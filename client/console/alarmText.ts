// An alarm's words in the reader's language: the server sends a title as `{code, params}`, never a sentence.
import type { AlarmItem, AlarmRuleCode, AlarmTitle, AlarmTitleParams } from '#contract/alarmVocab.ts';
import { formatDateTime, formatNumber, formatTime, type Lang, translate } from '../i18n/format.ts';
import type { MessageKey } from '../i18n/messages.ts';

/** What a title needs besides its params: ward names from the city model, the time now (server clock). */
export interface TitleContext {
  wardName: (id: string) => string | undefined;
  now: number;
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
