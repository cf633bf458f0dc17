import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, LOCAL_OFFSET_MS } from '#contract/cityTime.ts';
import { IndicatorValueSchema } from '#contract/indicators.ts';
import { MAX_AGE_DAYS } from '#contract/indicatorVocab.ts';
import { parseTopic } from '#contract/mqtt.ts';
import { generateCity } from './city.ts';
import {
  AGENCIES,
  createServicesModel,
  MENTION_TOPICS,
  officeMinutes,
  type TimedMessage,
} from './servicesModel.ts';

const city = generateCity();
const wards = city.districts.map((d) => d.id);
// Wednesday 2026-11-18, 10:00 local
const NOW = Date.UTC(2026, 10, 18, 3);
const model = (seed = 42, incidentsOfHour?: Parameters<typeof createServicesModel>[0]['incidentsOfHour']) =>
  createServicesModel({ seed, wards, incidentsOfHour });
const week = model().between(NOW - 7 * DAY_MS, NOW);

type P = {
  ts: number;
  id: string;
  agency?: string;
  ward?: string;
  channel?: string;
  topic?: string;
  sentiment?: string;
  value?: number;
  period?: string;
  kind?: string;
};
const of = (msgs: TimedMessage[], indicator: string) =>
  msgs.filter((m) => m.msg.topic === `ioc/kpi/${indicator}`).map((m) => m.msg.payload as P);
const local = (ms: number) => {
  const t = ms + LOCAL_OFFSET_MS;
  return { dow: (Math.floor(t / DAY_MS) + 4) % 7, minute: Math.floor((t % DAY_MS) / 60_000) };
};

describe('the simulated public services, online information and statistics office', () => {
  it('publishes contract-valid values of the catalogue, for the seeded agencies and the city wards, ids once', () => {
    const seeded = [
      ...readFileSync(new URL('../sql/015_indicators.sql', import.meta.url), 'utf8').matchAll(
        /\('(so-[a-z-]+|cong-an-tinh|ubnd-[a-z-]+)',/g,
      ),
    ].map((m) => m[1]);
    expect(new Set(AGENCIES.map((a) => a.id))).toEqual(new Set(seeded));
    const ids = new Set<string>();
    for (const { msg } of [
      ...week,
      ...model()
        .published(NOW)
        .map((msg) => ({ ts: 0, msg })),
    ]) {
      expect(parseTopic(msg.topic)?.kind).toBe('indicator');
      expect(IndicatorValueSchema.safeParse(msg.payload).success).toBe(true);
      const p = msg.payload as P;
      if (p.ward !== undefined) expect(wards).toContain(p.ward);
      expect(ids.has(p.id)).toBe(false);
      ids.add(p.id);
    }
    // a few a second at most: the traffic benchmarks are not touched
    expect(week.length / (7 * 86_400)).toBeLessThan(1);
  });

  it('receives dossiers at the counters in office hours only; online ones at any hour, few at night', () => {
    const received = of(week, 'dossier_received');
    const atCounter = received.filter((p) => p.channel !== 'online');
    expect(atCounter.length).toBeGreaterThan(1000);
    for (const p of atCounter) {
      const ag = AGENCIES.find((a) => a.id === p.agency);
      const hourStart = Math.floor(p.ts / HOUR_MS) * HOUR_MS;
      const open = officeMinutes(hourStart, ag?.saturday ?? false);
      const minute = Math.floor((p.ts - hourStart) / 60_000);
      expect(open !== null && minute >= open[0] && minute < open[1]).toBe(true);
    }
    // 7:30–11:30 and 13:30–17:00, Mon–Fri; Saturday morning for some; Sunday closed
    const mon = Date.UTC(2026, 10, 16) - LOCAL_OFFSET_MS;
    expect(officeMinutes(mon + 7 * HOUR_MS, false)).toEqual([30, 60]);
    expect(officeMinutes(mon + 12 * HOUR_MS, false)).toBeNull();
    expect(officeMinutes(mon + 16 * HOUR_MS, false)).toEqual([0, 60]);
    expect(officeMinutes(mon + 5 * DAY_MS + 9 * HOUR_MS, true)).toEqual([0, 60]);
    expect(officeMinutes(mon + 5 * DAY_MS + 9 * HOUR_MS, false)).toBeNull();
    expect(officeMinutes(mon + 6 * DAY_MS + 9 * HOUR_MS, true)).toBeNull();
    const night = received.filter((p) => local(p.ts).minute < 6 * 60);
    expect(night.every((p) => p.channel === 'online')).toBe(true);
    expect(night.length).toBeLessThan(received.length * 0.03);
    // agency sizes differ: the city's committee takes several times a small department's
    const count = (a: string) => received.filter((p) => p.agency === a).length;
    expect(count('ubnd-tp-quy-nhon')).toBeGreaterThan(4 * count('so-nong-nghiep-ptnt'));
  });

  it('resolves 93–98 % on time across the province, with an agency or two worse; the overdue stock follows the late ones', () => {
    const onTime = of(week, 'dossier_resolved_on_time');
    const late = of(week, 'dossier_resolved_late');
    const rate = (a?: string) => {
      const on = onTime.filter((p) => !a || p.agency === a).length;
      return (on / (on + late.filter((p) => !a || p.agency === a).length)) * 100;
    };
    expect(rate()).toBeGreaterThan(93);
    expect(rate()).toBeLessThan(98);
    const worse = AGENCIES.filter((a) => rate(a.id) < 93).map((a) => a.id);
    expect(worse.length).toBeGreaterThanOrEqual(1);
    expect(worse.length).toBeLessThanOrEqual(3);
    // one figure per agency and hour; the agency with the most late ones carries the most overdue
    const overdue = of(week, 'dossier_overdue');
    expect(overdue.length).toBe(7 * 24 * AGENCIES.length);
    const mean = (a: string) => {
      const v = overdue.filter((p) => p.agency === a).map((p) => p.value ?? 0);
      return v.reduce((s, x) => s + x, 0) / v.length;
    };
    expect(mean('so-tai-nguyen-moi-truong')).toBeGreaterThan(mean('so-tu-phap') * 3);
    // the daily online share per agency, a percentage, after the day
    const share = of(week, 'dossier_online_share');
    expect(share.length).toBeGreaterThan(5 * AGENCIES.length);
    for (const p of share) expect(p.value).toBeGreaterThanOrEqual(0);
    for (const p of share) expect(p.value).toBeLessThanOrEqual(100);
  });

  it('peaks in the evening (19–22 h) online, and a serious incident sets off three times the usual negative mentions of its topic', () => {
    const mentions = of(week, 'online_mentions');
    const byHour = new Array(24).fill(0);
    for (const p of mentions) byHour[Math.floor(local(p.ts).minute / 60)]++;
    const avg = (hs: number[]) => hs.reduce((s, h) => s + byHour[h], 0) / hs.length;
    expect(avg([19, 20, 21])).toBeGreaterThan(1.6 * avg([9, 10, 11, 14, 15, 16]));
    expect(avg([1, 2, 3, 4])).toBeLessThan(0.3 * avg([9, 10, 11, 14, 15, 16]));
    expect(new Set(mentions.map((p) => p.topic))).toEqual(new Set(MENTION_TOPICS));
    expect(new Set(mentions.map((p) => p.sentiment))).toEqual(new Set(['positive', 'neutral', 'negative']));

    // the 3x alarm: a topic's negative mentions of an hour over the same hour's mean of the 7 days before
    const negative = (msgs: TimedMessage[]) => {
      const n = new Map<string, number>();
      for (const p of of(msgs, 'online_mentions'))
        if (p.sentiment === 'negative') {
          const k = `${p.topic}@${Math.floor(p.ts / HOUR_MS)}`;
          n.set(k, (n.get(k) ?? 0) + 1);
        }
      return n;
    };
    const ratio = (n: Map<string, number>, topic: string, hour: number) => {
      let base = 0;
      for (let d = 1; d <= 7; d++) base += n.get(`${topic}@${hour - 24 * d}`) ?? 0;
      return (n.get(`${topic}@${hour}`) ?? 0) / Math.max(base / 7, 0.5);
    };
    // a severity-5 accident at 14:10 local: which ones spread is seeded, so try a few until one does
    const hour = Math.floor(NOW / HOUR_MS) + 4;
    let fired = false;
    for (let i = 0; i < 40 && !fired; i++) {
      const accident = {
        id: `acc-${i}`,
        ts: hour * HOUR_MS + 600_000,
        category: 'traffic_accident',
        severity: 5,
      };
      const m = model(42, (h) => (h === hour ? [accident] : []));
      const n = negative(m.between((hour - 7 * 24) * HOUR_MS, (hour + 2) * HOUR_MS));
      fired = ratio(n, 'giao-thong', hour + 1) >= 3;
    }
    expect(fired).toBe(true);
    // without incidents the alarm (3x, and at least 8 in the hour) fires now and then, not constantly
    const n = negative(model().between(NOW - 14 * DAY_MS, NOW));
    let fires = 0;
    const h0 = Math.floor(NOW / HOUR_MS);
    for (let h = h0 - 7 * 24; h < h0; h++)
      for (const t of MENTION_TOPICS) if (ratio(n, t, h) >= 3 && (n.get(`${t}@${h}`) ?? 0) >= 8) fires++;
    expect(fires).toBeLessThan(10);
  });

  it("publishes a month's figures only after the month, around the 5th–10th, for the last 24 months, with this and last year's plans", () => {
    const published = model()
      .published(NOW)
      .map((m) => ({ topic: m.topic, ...(m.payload as P) }));
    const months = published.filter((p) => p.topic === 'ioc/kpi/budget_revenue' && p.kind === undefined);
    // November 2026: October is out (reported by the 10th), nothing of November
    expect(months.map((p) => p.period)).toHaveLength(24);
    expect(months[0]?.period).toBe('2024-11');
    expect(months.at(-1)?.period).toBe('2026-10');
    expect(
      published.filter((p) => p.topic === 'ioc/kpi/grdp_growth' && !p.kind).map((p) => p.period),
    ).toEqual(['2024-Q4', '2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3']);
    // on the 3rd of a month last month's statistics are not out yet (the portal's on-time rate may be); by the 11th they are
    const on = (day: number) => Date.UTC(2026, 10, day, 3);
    const statistics = (t: number) =>
      model()
        .published(t)
        .filter((m) => m.topic !== 'ioc/kpi/dossier_on_time_rate' && !(m.payload as P).kind)
        .map((m) => (m.payload as P).period);
    expect(statistics(on(3))).not.toContain('2026-10');
    expect(statistics(on(11)).filter((p) => p === '2026-10')).toHaveLength(5);
    // live, the report arrives once, inside its window
    const reports = of(model().between(on(3), on(11)), 'retail_sales');
    expect(reports.map((p) => p.period)).toEqual(['2026-10']);
    // the contract takes monthly figures that old
    expect(MAX_AGE_DAYS.monthly).toBeGreaterThan(25 * 31);
    const plans = published.filter((p) => p.kind === 'plan');
    expect(new Set(plans.map((p) => p.period))).toEqual(new Set(['2025', '2026']));
    expect(
      plans.find((p) => p.topic === 'ioc/kpi/budget_revenue' && p.period === '2026')?.value,
    ).toBeGreaterThan(12 * 1000);
  });

  it('gives the statistics office realistic magnitudes for Bình Định, and Tết in the shops', () => {
    const values = (id: string) =>
      model()
        .published(NOW)
        .map((m) => ({ topic: m.topic, ...(m.payload as P) }))
        .filter((p) => p.topic === `ioc/kpi/${id}` && !p.kind);
    const within = (id: string, lo: number, hi: number) => {
      for (const p of values(id)) {
        expect(p.value).toBeGreaterThanOrEqual(lo);
        expect(p.value).toBeLessThanOrEqual(hi);
      }
    };
    within('budget_revenue', 950, 1900);
    within('retail_sales', 7500, 10_500);
    within('cpi', 101.8, 104.4);
    within('fdi_registered', 0.5, 90);
    within('new_enterprises', 60, 170);
    within('grdp_growth', 5, 10);
    within('dossier_on_time_rate', 91, 99);
    // Tết 2026 is in February: the shops sell more than in the months around it, fewer firms are set up
    const v = (id: string, period: string) => values(id).find((p) => p.period === period)?.value ?? 0;
    expect(v('retail_sales', '2026-02')).toBeGreaterThan(v('retail_sales', '2026-03'));
    expect(v('retail_sales', '2026-02')).toBeGreaterThan(v('retail_sales', '2026-01'));
    expect(v('new_enterprises', '2026-02')).toBeLessThan(v('new_enterprises', '2026-03'));
  });

  it('is deterministic for a seed: live ticks and a backfill carry the same messages and ids', () => {
    const a = NOW - 6 * HOUR_MS;
    const once = model().between(a, NOW);
    const live = model();
    const ticked: TimedMessage[] = [];
    for (let t = a; t < NOW; t += 7 * 60_000) ticked.push(...live.between(t, Math.min(NOW, t + 7 * 60_000)));
    expect(ticked).toEqual(once);
    expect(model().published(NOW)).toEqual(model().published(NOW));
    expect(model(43).between(a, NOW)).not.toEqual(once);
  });
});
