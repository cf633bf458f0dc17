// The simulated province services (simulators/servicesModel.ts) through the real product: on a first start
// with a short history, the dossiers, mentions and overdue figures of the window and the offices' published
// figures and plans are stored, and the screens' endpoints read them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localYear } from '#contract/cityTime.ts';
import { periodLabel } from '#contract/indicatorVocab.ts';
// the test compares what is stored with what the model says
import { createSimulation } from '../../simulators/simulation.ts';
import type { RunningIoc } from '../main.ts';
import { iocSetups } from '../testing/iocHarness.ts';
import { loginAs, type TestSession } from '../testing/sessions.ts';

const H = 3_600_000;
const DAY = 24 * H;
// a tenth of a day of history: every hour of it has its overdue figures and mentions
const BACKFILL_DAYS = 0.1;

describe.each(iocSetups())('the simulated province services on $name', (setup) => {
  let ioc: RunningIoc;
  let dispose: () => Promise<void>;
  let errors: string[];
  let leader: TestSession;
  let startedAt: number;

  beforeAll(async () => {
    startedAt = Date.now();
    ({ ioc, dispose, errors } = await setup.start({
      SIMULATE: 'true',
      BACKFILL_DAYS: String(BACKFILL_DAYS),
    }));
    await ioc.history;
    leader = await loginAs(ioc, 'leader');
  }, 240_000);
  afterAll(async () => {
    await dispose?.();
  });

  it("stores the window's dossier events, mentions and overdue figures under the model's ids, once", async () => {
    const done = Date.now();
    const model = createSimulation({ city: ioc.city, seed: 42, services: true });
    const ids = new Map<string, string>();
    for (const chunk of model.backfill(startedAt - BACKFILL_DAYS * DAY - H, done))
      for (const m of chunk)
        if (m.topic.startsWith('ioc/kpi/')) ids.set((m.payload as { id: string }).id, m.topic);
    const { rows } = await ioc.db.query<{ indicator_id: string; msg_id: string; n: number }>(
      `SELECT indicator_id, msg_id, count(*)::int AS n FROM indicator_values
       WHERE time >= to_timestamp($1 / 1000.0) AND via = 'mqtt' GROUP BY 1, 2`,
      [startedAt - BACKFILL_DAYS * DAY],
    );
    const stored = rows.filter((r) => r.msg_id?.startsWith('s42-'));
    // every hour of the window: the overdue stock of the 12 agencies, and people writing online
    const by = (id: string) => stored.filter((r) => r.indicator_id === id);
    expect(by('dossier_overdue').length).toBeGreaterThanOrEqual(12 * 2);
    expect(by('online_mentions').length).toBeGreaterThan(0);
    for (const r of stored) {
      expect(r.n).toBe(1);
      expect(ids.get(r.msg_id)).toBe(`ioc/kpi/${r.indicator_id}`);
    }
    // and the series endpoint reads them from the aggregates, per agency
    const res = await leader.fetch(
      `/api/indicators/dossier_overdue/series?from=${startedAt - BACKFILL_DAYS * DAY}&to=${done}&bucket=1h&by=agency`,
    );
    expect(res.status).toBe(200);
    const { points } = (await res.json()) as { points: { key: string; sum: number }[] };
    expect(new Set(points.map((p) => p.key)).size).toBe(12);
    expect(errors).toEqual([]);
  });

  it("stores the statistics office's last 24 months as the model published them, and this and last year's plans", async () => {
    // what the offices had published when the IOC started (at a moment between startedAt and now: a
    // month's start or a statistics release may fall in between, so either side's list may be the one)
    const publishedAt = (t: number) => {
      const budget = createSimulation({ city: ioc.city, seed: 42, services: true })
        .published(t)
        .filter((m) => m.topic === 'ioc/kpi/budget_revenue')
        .map((m) => m.payload as { period: string; value: number; kind?: string });
      const months = budget.filter((p) => !p.kind).map((p) => [p.period, p.value]);
      return { t, budget, months };
    };
    const res = await leader.fetch(
      `/api/indicators/budget_revenue/series?from=${Date.now() - 800 * DAY}&to=${Date.now()}&bucket=1d`,
    );
    const { points } = (await res.json()) as { points: { t: number; sum: number }[] };
    const stored = points.map((p) => [periodLabel('monthly', p.t), p.sum]);
    const now = publishedAt(Date.now());
    const then = publishedAt(startedAt);
    const { t, budget, months } = JSON.stringify(then.months) === JSON.stringify(stored) ? then : now;
    // the last 24 months, last month's once its report is out (the 5th–10th)
    expect(months.length).toBeGreaterThanOrEqual(23);
    expect(months.length).toBeLessThanOrEqual(24);
    expect(stored).toEqual(months);
    const { rows } = await ioc.db.query<{ year: number; target: number }>(
      "SELECT year, target FROM indicator_plans WHERE indicator_id = 'budget_revenue' ORDER BY year",
    );
    const year = localYear(t);
    expect(rows.map((r) => r.year)).toEqual([year - 1, year]);
    expect(rows.map((r) => r.target)).toEqual(budget.filter((p) => p.kind === 'plan').map((p) => p.value));
    const { rows: n } = await ioc.db.query<{ n: number }>('SELECT count(*)::int AS n FROM indicator_plans');
    expect(n[0]?.n).toBe(14);
  });
});
