// The province's other services on the indicator feed (issue 14), simulated: the one-stop-shop system's
// dossier events and figures per agency and ward, media monitoring's mentions per topic, source and
// sentiment, and the statistics office's monthly and quarterly figures with the year's plans. Pure
// functions of (seed, time): the same seed gives the same messages and ids, live or backfilled, so a
// restart that sends them again stores nothing twice.
import { DAY_MS, HOUR_MS, LOCAL_OFFSET_MS, localDate, localYear } from '#contract/cityTime.ts';
import type { DossierChannel, Sentiment } from '#contract/indicatorVocab.ts';
import { topics } from '#contract/mqtt.ts';
import { hashFloat, rngFor } from './rng.ts';
import type { SimMessage } from './simulation.ts';

/** A message and the time it is due. */
export interface TimedMessage {
  ts: number;
  msg: SimMessage;
}

/**
 * The agencies of sql/015's seed with what the simulation gives them: dossiers received per office hour,
 * the share of them resolved on time (the province publishes ≈ 96 %; land and construction run late),
 * the share submitted online, and whether they open on Saturday mornings.
 */
export const AGENCIES: readonly {
  id: string;
  perHour: number;
  onTime: number;
  online: number;
  saturday: boolean;
}[] = [
  { id: 'ubnd-tp-quy-nhon', perHour: 14, onTime: 0.965, online: 0.45, saturday: true },
  { id: 'cong-an-tinh', perHour: 12, onTime: 0.98, online: 0.55, saturday: true },
  { id: 'so-tai-nguyen-moi-truong', perHour: 9, onTime: 0.89, online: 0.3, saturday: false },
  { id: 'so-tu-phap', perHour: 9, onTime: 0.975, online: 0.6, saturday: true },
  { id: 'so-giao-thong-van-tai', perHour: 9, onTime: 0.97, online: 0.5, saturday: false },
  { id: 'so-ke-hoach-dau-tu', perHour: 8, onTime: 0.97, online: 0.75, saturday: false },
  { id: 'so-lao-dong-tbxh', perHour: 5, onTime: 0.96, online: 0.35, saturday: false },
  { id: 'so-xay-dung', perHour: 4, onTime: 0.92, online: 0.4, saturday: false },
  { id: 'so-y-te', perHour: 4, onTime: 0.955, online: 0.45, saturday: false },
  { id: 'so-cong-thuong', perHour: 3, onTime: 0.97, online: 0.65, saturday: false },
  { id: 'so-giao-duc-dao-tao', perHour: 3, onTime: 0.965, online: 0.5, saturday: false },
  { id: 'so-nong-nghiep-ptnt', perHour: 2, onTime: 0.95, online: 0.3, saturday: false },
];

/** What the province's people write about online; codes as media monitoring tags them. */
export const MENTION_TOPICS = [
  'giao-thong',
  'moi-truong',
  'y-te',
  'giao-duc',
  'an-ninh',
  'dich-vu-cong',
  'du-lich',
  'dat-dai',
] as const;
export type MentionTopic = (typeof MENTION_TOPICS)[number];
// share of mentions, and of a topic's mentions the negative and positive shares (Quy Nhơn's beaches are
// praised; land disputes and public order are complained about)
const TOPIC_SHARE = [0.18, 0.1, 0.1, 0.1, 0.12, 0.1, 0.18, 0.12];
const TOPIC_NEGATIVE = [0.25, 0.25, 0.2, 0.15, 0.3, 0.22, 0.08, 0.3];
const TOPIC_POSITIVE = [0.15, 0.15, 0.25, 0.3, 0.1, 0.2, 0.5, 0.1];
export const MENTION_SOURCES = ['facebook', 'news', 'youtube', 'tiktok', 'forum'] as const;
const SOURCE_SHARE = [0.5, 0.2, 0.1, 0.12, 0.08];
/** Mentions an hour at the day's usual level (1.0 of MENTION_SHAPE). */
const MENTIONS_PER_HOUR = 60;
/** Mentions by local hour: quiet at night, steady by day, the peak after dinner (19–22 h). */
export const MENTION_SHAPE = [
  0.25, 0.15, 0.1, 0.1, 0.1, 0.2, 0.45, 0.7, 0.85, 0.9, 0.9, 0.95, 1.0, 0.85, 0.75, 0.75, 0.8, 0.9, 1.1, 1.6,
  1.9, 1.9, 1.6, 0.9,
];
/** The incident categories people talk about, and the topic they talk about them under. */
const INCIDENT_TOPIC: Partial<Record<string, MentionTopic>> = {
  traffic_accident: 'giao-thong',
  traffic_jam: 'giao-thong',
  flooding: 'moi-truong',
  environment: 'moi-truong',
  waste: 'moi-truong',
  fire: 'an-ninh',
  public_order: 'an-ninh',
};
/** Of the serious incidents (severity ≥ 4), the share that spreads online. */
const VIRAL_SHARE = 0.12;
/** A day's chance of a storm of complaints of its own (a land-use decision, a clinic's queue). */
const OWN_SPIKE_PER_DAY = 0.2;

/** What the simulated services need of the incident model: the reports of an hour. */
export type IncidentsOfHour = (
  hour: number,
) => readonly { id: string; ts: number; category: string; severity: number }[];

export interface ServicesModelOptions {
  seed: number;
  /** the city's wards (dossiers name the applicant's) */
  wards: readonly string[];
  /** the city's incident reports; serious ones set off negative mentions of their topic */
  incidentsOfHour?: IncidentsOfHour;
}

export interface ServicesModel {
  /** events, hourly and daily figures, and the monthly reports due in (a, b], in time order */
  between(a: number, b: number): TimedMessage[];
  /**
   * What the offices have published by `now`: the monthly figures of the last 24 months and quarterly ones
   * of the last 8 quarters (each once its report is out), and this and last year's plans
   */
  published(now: number): SimMessage[];
}

// ---------------------------------------------------------------------------------------------
// Office hours and the calendar, in the city's local time

interface LocalTime {
  day: number;
  /** 0 Sunday … 6 Saturday */
  dow: number;
  hour: number;
}
function local(ms: number): LocalTime {
  const t = ms + LOCAL_OFFSET_MS;
  const day = Math.floor(t / DAY_MS);
  // 1970-01-01 was a Thursday
  return { day, dow: (day + 4) % 7, hour: Math.floor((t - day * DAY_MS) / HOUR_MS) };
}

const MORNING: [number, number] = [7 * 60 + 30, 11 * 60 + 30];
const AFTERNOON: [number, number] = [13 * 60 + 30, 17 * 60];

/**
 * The minutes [from, to) of the hour starting at `hourStart` when an agency's counters are open:
 * Monday–Friday 7:30–11:30 and 13:30–17:00, Saturday 7:30–11:30 for those that open then. Null: closed.
 */
export function officeMinutes(hourStart: number, saturday: boolean): [number, number] | null {
  const { dow, hour } = local(hourStart);
  const spans = dow >= 1 && dow <= 5 ? [MORNING, AFTERNOON] : dow === 6 && saturday ? [MORNING] : [];
  for (const [s, e] of spans) {
    const from = Math.max(s, hour * 60);
    const to = Math.min(e, hour * 60 + 60);
    if (from < to) return [from - hour * 60, to - hour * 60];
  }
  return null;
}

/** Tết (lunar new year's day) by year: the month it falls in is quiet at the counters and busy in the shops. */
const TET: Record<number, [number, number]> = {
  2022: [2, 1],
  2023: [1, 22],
  2024: [2, 10],
  2025: [1, 29],
  2026: [2, 17],
  2027: [2, 6],
  2028: [1, 26],
  2029: [2, 13],
  2030: [2, 3],
};
/** The month (1–12) of a year that holds Tết. */
export function tetMonth(year: number): number {
  return TET[year]?.[0] ?? 2;
}

/** A month as an index (year·12 + month−1) and back; in local time. */
const monthIndex = (ms: number) => {
  const d = new Date(ms + LOCAL_OFFSET_MS);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};
const monthStartOf = (mi: number) => Date.UTC(Math.floor(mi / 12), mi % 12, 1) - LOCAL_OFFSET_MS;
const monthLabel = (mi: number) => `${Math.floor(mi / 12)}-${String((mi % 12) + 1).padStart(2, '0')}`;

// ---------------------------------------------------------------------------------------------
// The model

interface HourDossiers {
  events: TimedMessage[];
  received: number;
  online: number;
  late: number;
}

const SALT = { dossier: 0xd05, ward: 0xa4d, mention: 0x3e7, viral: 0x7a1, own: 0x5b1, month: 0x3a7 };
// an overdue dossier is one that will be resolved late: the stock now is the late resolutions of the next 36 h
const OVERDUE_LOOKAHEAD_H = 36;

/** Creates the seeded model of the three services. */
export function createServicesModel(o: ServicesModelOptions): ServicesModel {
  const { seed, wards } = o;
  const pre = `s${seed}`;
  const kpi = (id: string) => topics.kpi(id);
  // each agency draws its applicants from some wards more than others
  const wardWeights = AGENCIES.map((_, a) =>
    wards.map((_, w) => 0.3 + hashFloat(seed, SALT.ward, a, w) ** 2),
  );

  const cache = new Map<number, HourDossiers>();
  /** One agency's dossiers in one hour: received (by channel), resolved on time or late, returned. */
  const dossiers = (a: number, hour: number): HourDossiers => {
    const key = hour * 16 + a;
    const hit = cache.get(key);
    if (hit) return hit;
    const ag = AGENCIES[a];
    const rng = rngFor(seed, SALT.dossier, hour, a);
    const start = hour * HOUR_MS;
    const office = officeMinutes(start, ag.saturday);
    const { dow, hour: h, day } = local(start);
    const out: HourDossiers = { events: [], received: 0, online: 0, late: 0 };
    const at = (from: number, to: number) =>
      start + from * 60_000 + Math.floor(rng.next() * (to - from) * 60_000);
    const place = () => (wards.length ? { ward: wards[rng.weighted(wardWeights[a])] } : {});
    const push = (id: string, ts: number, payload: object) =>
      out.events.push({
        ts,
        msg: { topic: kpi(id), payload: { ts, agency: ag.id, ...place(), ...payload } },
      });
    let k = 0;
    const receive = (ts: number, channel: DossierChannel) => {
      out.received++;
      if (channel === 'online') out.online++;
      push('dossier_received', ts, { channel, id: `${pre}-dr-${ag.id}-${hour}-${k++}` });
    };
    // Mondays are busiest; a slow drift week to week
    const dayFactor =
      (dow === 1 ? 1.15 : dow === 5 ? 0.9 : dow === 6 ? 0.6 : 1) * (0.9 + 0.2 * hashFloat(seed, a, day));
    if (office) {
      const [from, to] = office;
      const lambda = ag.perHour * ((to - from) / 60) * dayFactor;
      for (let n = rng.poisson(lambda); n > 0; n--) {
        const r = rng.next();
        receive(at(from, to), r < ag.online ? 'online' : r < ag.online + 0.05 ? 'postal' : 'counter');
      }
      // resolutions and returns happen at the desks; an agency's on-time rate drifts over the weeks
      const onTime = Math.min(0.995, ag.onTime + 0.02 * Math.sin((day + a * 5) / 6));
      for (let n = rng.poisson(lambda * 0.96); n > 0; n--) {
        const late = !rng.chance(onTime);
        if (late) out.late++;
        push(late ? 'dossier_resolved_late' : 'dossier_resolved_on_time', at(from, to), {
          id: `${pre}-${late ? 'dl' : 'dt'}-${ag.id}-${hour}-${k++}`,
        });
      }
      for (let n = rng.poisson(lambda * 0.04); n > 0; n--)
        push('dossier_returned', at(from, to), { id: `${pre}-dx-${ag.id}-${hour}-${k++}` });
    }
    // online submissions come at any hour, fewer at night
    const offHours = h >= 18 && h <= 22 ? 0.12 : h < 6 || h === 23 ? 0.03 : office ? 0 : 0.1;
    for (let n = rng.poisson(ag.perHour * ag.online * offHours); n > 0; n--) receive(at(0, 60), 'online');
    if (cache.size > 20_000) cache.delete(cache.keys().next().value as number);
    cache.set(key, out);
    return out;
  };

  const overdue = (a: number, hour: number): number => {
    let n = Math.floor(hashFloat(seed, 0x0d, a) * 3);
    for (let h = hour + 1; h <= hour + OVERDUE_LOOKAHEAD_H; h++) n += dossiers(a, h).late;
    return n;
  };

  /** Negative mentions of a topic in an hour are this many times the usual: after serious incidents, or a storm of its own. */
  const spikeOf = (hour: number): number[] => {
    const amp = MENTION_TOPICS.map(() => 1);
    // an incident trends for about three hours, from the hour after it
    for (let h = hour - 3; h < hour; h++) {
      for (const inc of o.incidentsOfHour?.(h) ?? []) {
        const topic = INCIDENT_TOPIC[inc.category];
        if (!topic || inc.severity < 4) continue;
        const idHash = hashString(inc.id);
        if (hashFloat(seed, SALT.viral, idHash) >= VIRAL_SHARE) continue;
        amp[MENTION_TOPICS.indexOf(topic)] += (4 + 2 * hashFloat(seed, SALT.viral, idHash, 1)) / (hour - h);
      }
    }
    const { day } = local(hour * HOUR_MS);
    const rng = rngFor(seed, SALT.own, day);
    if (rng.chance(OWN_SPIKE_PER_DAY)) {
      const topic = rng.pick([5, 7, 2, 3, 1]);
      const startH = day * 24 + rng.int(8, 20) - LOCAL_OFFSET_MS / HOUR_MS;
      const len = rng.int(1, 3);
      if (hour >= startH && hour < startH + len) amp[topic] += rng.float(4, 6);
    }
    return amp;
  };

  const mentionCache = new Map<number, TimedMessage[]>();
  /** Mentions in one hour (kept for the next calls: a live tick asks every second, the backfill every 5 minutes). */
  const mentions = (hour: number): TimedMessage[] => {
    let list = mentionCache.get(hour);
    if (!list) {
      list = mentionsIn(hour);
      if (mentionCache.size > 8) mentionCache.delete(mentionCache.keys().next().value as number);
      mentionCache.set(hour, list);
    }
    return list;
  };

  /** Mentions in one hour, each with its topic, source and sentiment. */
  const mentionsIn = (hour: number): TimedMessage[] => {
    const rng = rngFor(seed, SALT.mention, hour);
    const start = hour * HOUR_MS;
    const { dow, hour: h } = local(start);
    const level = MENTIONS_PER_HOUR * MENTION_SHAPE[h] * (dow === 0 || dow === 6 ? 1.1 : 1);
    const spike = spikeOf(hour);
    const out: TimedMessage[] = [];
    let k = 0;
    const mention = (t: number, sentiment: Sentiment) => {
      const ts = start + Math.floor(rng.next() * HOUR_MS);
      out.push({
        ts,
        msg: {
          topic: kpi('online_mentions'),
          payload: {
            ts,
            topic: MENTION_TOPICS[t],
            source: MENTION_SOURCES[rng.weighted(SOURCE_SHARE)],
            sentiment,
            id: `${pre}-mn-${hour}-${k++}`,
          },
        },
      });
    };
    for (let t = 0; t < MENTION_TOPICS.length; t++) {
      const lambda = level * TOPIC_SHARE[t];
      for (let n = rng.poisson(lambda * TOPIC_NEGATIVE[t] * spike[t]); n > 0; n--) mention(t, 'negative');
      for (let n = rng.poisson(lambda * (1 - TOPIC_NEGATIVE[t])); n > 0; n--)
        mention(t, rng.chance(TOPIC_POSITIVE[t] / (1 - TOPIC_NEGATIVE[t])) ? 'positive' : 'neutral');
    }
    return out;
  };

  /** The monthly and quarterly figures, each with the time its report comes out. */
  const monthReports = (mi: number): TimedMessage[] => {
    const year = Math.floor(mi / 12);
    const month = (mi % 12) + 1;
    const rng = rngFor(seed, SALT.month, mi);
    const n = () => rng.normal();
    const years = year - 2026 + (month - 1) / 12;
    const tet = tetMonth(year);
    const isTet = month === tet;
    const afterTet = month === tet + 1;
    const beforeTet = month === tet - 1;
    const budget = clamp(
      1400 * 1.07 ** years * (isTet ? 0.85 : beforeTet ? 1.1 : month === 12 ? 1.25 : 1) * (1 + 0.05 * n()),
      950,
      1900,
    );
    const retail =
      9000 * 1.05 ** years * (isTet ? 1.09 : afterTet ? 0.95 : month === 12 ? 1.04 : 1) * (1 + 0.02 * n());
    const cpi = clamp(
      103 + 0.5 * Math.sin((2 * Math.PI * mi) / 19 + seed) + (isTet ? 0.4 : 0) + 0.15 * n(),
      101.8,
      104.4,
    );
    const fdi = clamp(Math.exp(Math.log(10) + 0.9 * n()), 0.5, 90);
    const enterprises = clamp(
      112 + 8 * Math.sin((2 * Math.PI * month) / 12) + (isTet ? -30 : afterTet ? 18 : 0) + 10 * n(),
      60,
      170,
    );
    const onTime = clamp(95.8 + (isTet ? -1.2 : 0) + 0.6 * n(), 91, 99);
    const next = monthStartOf(mi + 1);
    // the statistics office reports between the 5th and the 10th, the portal its rate on the 2nd–4th
    const stats = next + (4 + rng.int(0, 5)) * DAY_MS + 9 * HOUR_MS + rng.int(0, 59) * 60_000;
    const portal = next + (1 + rng.int(0, 2)) * DAY_MS + 8 * HOUR_MS + rng.int(0, 59) * 60_000;
    const period = monthLabel(mi);
    const fig = (id: string, value: number, ts: number): TimedMessage => ({
      ts,
      msg: { topic: kpi(id), payload: { period, value, id: `${pre}-m-${id}-${period}` } },
    });
    const out = [
      fig('budget_revenue', round(budget, 1), stats),
      fig('retail_sales', round(retail, 1), stats),
      fig('cpi', round(cpi, 2), stats),
      fig('fdi_registered', round(fdi, 1), stats),
      fig('new_enterprises', Math.round(enterprises), stats),
      fig('dossier_on_time_rate', round(onTime, 2), portal),
    ];
    if (month % 3 === 0) {
      const q = month / 3;
      const growth = [6.4, 7.2, 7.6, 8.3][q - 1] + 0.4 * n();
      const label = `${year}-Q${q}`;
      out.push({
        ts: stats + DAY_MS,
        msg: {
          topic: kpi('grdp_growth'),
          payload: { period: label, value: round(growth, 2), id: `${pre}-q-grdp_growth-${label}` },
        },
      });
    }
    return out;
  };

  const plans = (year: number): SimMessage[] => {
    const y = year - 2026;
    const plan = (id: string, value: number): SimMessage => ({
      topic: kpi(id),
      payload: { kind: 'plan', period: String(year), value, id: `${pre}-plan-${id}-${year}` },
    });
    return [
      plan('budget_revenue', Math.round((1400 * 12 * 1.07 ** y * 1.02) / 100) * 100),
      plan('retail_sales', Math.round((9000 * 12 * 1.05 ** y * 1.01) / 1000) * 1000),
      plan('cpi', 104),
      plan('fdi_registered', 150),
      plan('new_enterprises', 1400),
      plan('grdp_growth', year % 2 === 0 ? 8.5 : 8),
      plan('dossier_on_time_rate', 95),
    ];
  };

  return {
    between(a, b) {
      const out: TimedMessage[] = [];
      const inWindow = (ts: number) => ts > a && ts <= b;
      for (let hour = Math.floor(a / HOUR_MS); hour <= Math.floor(b / HOUR_MS); hour++) {
        for (let i = 0; i < AGENCIES.length; i++)
          for (const e of dossiers(i, hour).events) if (inWindow(e.ts)) out.push(e);
        for (const e of mentions(hour)) if (inWindow(e.ts)) out.push(e);
        // the overdue stock two minutes into each hour
        const ovTs = hour * HOUR_MS + 120_000;
        if (inWindow(ovTs))
          AGENCIES.forEach((ag, i) => {
            out.push({
              ts: ovTs,
              msg: {
                topic: kpi('dossier_overdue'),
                payload: {
                  ts: ovTs,
                  agency: ag.id,
                  value: overdue(i, hour),
                  id: `${pre}-ov-${ag.id}-${hour}`,
                },
              },
            });
          });
        // yesterday's online share, ten minutes after local midnight
        const { day, hour: h } = local(hour * HOUR_MS);
        const shareTs = day * DAY_MS - LOCAL_OFFSET_MS + 600_000;
        if (h === 0 && inWindow(shareTs)) out.push(...onlineShares(day - 1, shareTs));
      }
      for (let mi = monthIndex(a) - 2; mi <= monthIndex(b); mi++)
        for (const r of monthReports(mi)) if (inWindow(r.ts)) out.push(r);
      return out.sort((x, y) => x.ts - y.ts);
    },

    published(now) {
      const out: SimMessage[] = [];
      const current = monthIndex(now);
      for (let mi = current - 24; mi < current; mi++)
        for (const r of monthReports(mi)) if (r.ts <= now) out.push(r.msg);
      const year = localYear(now);
      out.push(...plans(year - 1), ...plans(year));
      return out;
    },
  };

  /** Each agency's share of a local day's dossiers received online (days with fewer than 5: none). */
  function onlineShares(day: number, ts: number): TimedMessage[] {
    const firstHour = (day * DAY_MS - LOCAL_OFFSET_MS) / HOUR_MS;
    const date = localDate(day * DAY_MS - LOCAL_OFFSET_MS);
    const out: TimedMessage[] = [];
    AGENCIES.forEach((ag, i) => {
      let received = 0;
      let online = 0;
      for (let h = firstHour; h < firstHour + 24; h++) {
        const d = dossiers(i, h);
        received += d.received;
        online += d.online;
      }
      if (received < 5) return;
      out.push({
        ts,
        msg: {
          topic: kpi('dossier_online_share'),
          payload: {
            period: date,
            agency: ag.id,
            value: round((online / received) * 100, 1),
            id: `${pre}-os-${ag.id}-${date}`,
          },
        },
      });
    });
    return out;
  }
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
