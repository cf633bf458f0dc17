import { describe, expect, it } from 'vitest';
import { IndicatorValueSchema } from '#contract/indicators.ts';
import {
  CameraEventSchema,
  CameraStatusSchema,
  IncidentReportSchema,
  parseTopic,
  type TopicKind,
  TrafficReadingSchema,
} from '#contract/mqtt.ts';
import { generateCity } from './city.ts';
import { createSimulation, type SimMessage } from './simulation.ts';

const city = generateCity();
const segIds = new Set(city.segments.map((s) => s.id));
const camIds = new Set(city.cameras.map((c) => c.id));
const SCHEMA = {
  traffic: TrafficReadingSchema,
  camera_status: CameraStatusSchema,
  camera_event: CameraEventSchema,
  incident_report: IncidentReportSchema,
  indicator: IndicatorValueSchema,
};
const start = Date.UTC(2026, 10, 18, 0); // 07:00 local, a Wednesday in the rainy season

type Payload = { id: string; ts: number; online?: boolean; kind?: string };

/** Checks every message against the contract and returns counts by topic kind. */
function validate(msgs: SimMessage[]): Map<TopicKind, number> {
  const kinds = new Map<TopicKind, number>();
  const ids = new Set<string>();
  for (const m of msgs) {
    const t = parseTopic(m.topic);
    if (!t) throw new Error(`not a contract topic: ${m.topic}`);
    kinds.set(t.kind, (kinds.get(t.kind) ?? 0) + 1);
    // Plain checks, not expect(): this runs over hundreds of thousands of messages.
    if (t.kind === 'indicator' || t.kind === 'security_event' || t.kind === 'unit_position')
      throw new Error(`the city simulation publishes no indicators: ${m.topic}`);
    if (t.kind !== 'incident_report' && !(t.kind === 'traffic' ? segIds : camIds).has(t.assetId)) {
      throw new Error(`unknown asset in ${m.topic}`);
    }
    const r = SCHEMA[t.kind].safeParse(m.payload);
    if (!r.success) throw new Error(`${m.topic} ${JSON.stringify(m.payload)}: ${r.error.message}`);
    const id = (m.payload as Payload).id;
    if (ids.has(id)) throw new Error(`duplicate id ${id}`);
    ids.add(id);
  }
  return kinds;
}

describe('simulation', () => {
  it('emits one simulated hour of contract-valid messages, every segment every 5 s', () => {
    const sim = createSimulation({ city, seed: 42 });
    const msgs: SimMessage[] = [];
    for (let t = start; t <= start + 3_600_000; t += 10_000) msgs.push(...sim.tick(t));
    const kinds = validate(msgs);
    // The first tick gives one reading per segment, then 720 per segment over the hour.
    expect(kinds.get('traffic')).toBe(city.segments.length * 721);
    expect(kinds.get('camera_status')).toBeGreaterThanOrEqual(city.cameras.length * 120);
    expect(kinds.get('camera_event')).toBeGreaterThan(city.cameras.length * 50);
    expect(kinds.get('incident_report')).toBeGreaterThan(0);
    expect(sim.tick(start + 3_600_000)).toEqual([]);
  });

  it('backfills a day in time order, in chunks of about 5000, with reports and camera history', () => {
    const sim = createSimulation({ city, seed: 42 });
    const chunks = [...sim.backfill(start - 86_400_000, start)];
    for (const c of chunks.slice(0, -1)) expect(c.length).toBeGreaterThanOrEqual(5000);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(5000 + city.segments.length + 2000);
    const msgs = chunks.flat();
    const kinds = validate(msgs);
    // Both ends are included: 289 five-minute steps.
    expect(kinds.get('traffic')).toBe(city.segments.length * 289);
    expect(kinds.get('incident_report')).toBeGreaterThan(50);
    const ts = msgs.map((m) => (m.payload as Payload).ts);
    expect(ts.every((t, i) => i === 0 || t >= ts[i - 1])).toBe(true);
    expect(ts[0]).toBeGreaterThanOrEqual(start - 86_400_000);
    expect(ts[ts.length - 1]).toBeLessThanOrEqual(start);

    const camera = msgs
      .filter((m) => m.topic.startsWith('ioc/camera/'))
      .map((m) => ({ topic: m.topic, ...(m.payload as Payload) }));
    expect(camera.some((m) => m.online === false)).toBe(true);
    const eventKinds = new Set(camera.map((m) => m.kind).filter(Boolean));
    for (const k of ['vehicle_count', 'congestion']) expect(eventKinds).toContain(k);
    expect(eventKinds.size).toBeGreaterThanOrEqual(4);
    // An offline camera sends no analytics: no event falls inside a reported outage.
    const down = new Map<string, boolean>();
    let eventsWhileDown = 0;
    for (const m of camera) {
      const cam = m.topic.split('/')[2];
      if (m.online !== undefined) down.set(cam, !m.online);
      else if (down.get(cam)) eventsWhileDown++;
    }
    expect(eventsWhileDown).toBe(0);
  });

  it('slows traffic where incidents block the road', () => {
    const sim = createSimulation({ city, seed: 42 });
    const msgs = [...sim.backfill(start - 86_400_000, start)].flat();
    const reports = msgs
      .filter((m) => m.topic === 'ioc/incident/report')
      .map((m) => m.payload as Payload & { category: string; lat: number; lon: number });
    const crashes = reports.filter((r) => r.category === 'traffic_accident' || r.category === 'flooding');
    expect(crashes.length).toBeGreaterThan(3);
    // Compare the whole city's mean speed ratio with and without incidents, via a sim that has none.
    const calm = createSimulation({ city, seed: 42, incidentsPerHour: 0 });
    const calmMsgs = [...calm.backfill(start - 86_400_000, start)].flat();
    const speed = (list: SimMessage[]) => {
      const out = new Map<string, number>();
      for (const m of list)
        if (m.topic.startsWith('ioc/traffic/'))
          out.set(`${m.topic}@${(m.payload as Payload).ts}`, (m.payload as { speedKmh: number }).speedKmh);
      return out;
    };
    const a = speed(msgs);
    const b = speed(calmMsgs);
    let slower = 0;
    for (const [k, v] of a) if (v < (b.get(k) ?? 0) * 0.8) slower++;
    expect(slower).toBeGreaterThan(crashes.length * 5);
  });

  it('is deterministic for a seed, so a re-run backfill carries the same ids', () => {
    const a = createSimulation({ city, seed: 42 })
      .backfill(start - 7_200_000, start)
      .next().value;
    const b = createSimulation({ city, seed: 42 })
      .backfill(start - 7_200_000, start)
      .next().value;
    const c = createSimulation({ city, seed: 43 })
      .backfill(start - 7_200_000, start)
      .next().value;
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const t1 = createSimulation({ city, seed: 42 });
    const t2 = createSimulation({ city, seed: 42 });
    expect(t1.tick(start)).toEqual(t2.tick(start));
    expect(t1.tick(start + 1000)).toEqual(t2.tick(start + 1000));
  });

  it("with the province's services, sends their values live and in the backfill under the same ids", () => {
    const kpi = (msgs: SimMessage[]) =>
      msgs.filter((m) => m.topic.startsWith('ioc/kpi/')).map((m) => (m.payload as Payload).id);
    const live = createSimulation({ city, seed: 42, services: true });
    const ticked: SimMessage[] = [];
    for (let t = start; t <= start + 3_600_000; t += 10_000) ticked.push(...live.tick(t));
    const backfilled = [
      ...createSimulation({ city, seed: 42, services: true }).backfill(start + 10_000, start + 3_600_000),
    ].flat();
    expect(kpi(ticked).length).toBeGreaterThan(50);
    expect(kpi(backfilled)).toEqual(expect.arrayContaining(kpi(ticked).slice(10)));
    expect(createSimulation({ city, seed: 42, services: true }).published(start).length).toBeGreaterThan(100);
    expect(createSimulation({ city, seed: 42 }).published(start)).toEqual([]);
  });
});
