// The console rewound (issue 16) in headless Chromium against the real IOC (embedded database, no
// simulators): a seeded history, the time bar driven as an operator would, and the way back to live.
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningIoc } from '../server/main.ts';
import { refreshAggregates } from '../server/store/aggregates.ts';
import { loginAs } from '../server/testing/sessions.ts';
import { ensureClientBuilt, launchBrowser, screenshot, signIn } from './support/browser.ts';
import { startTestIoc } from './support/ioc.ts';

interface Hook {
  state: {
    incidents: Map<string, { status: string }>;
    cameras: Map<string, { online: boolean }>;
    units: Map<string, unknown>;
  };
  live: { isHeld(): boolean; heldChanges(): number; status: string };
}
/** `window` with the console's test hook */
type W = { __ioc: Hook & { openIncident(id: string): void } };

const MIN = 60_000;
let ioc: RunningIoc;
let stop: () => Promise<void>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
// the seeded moment: two hours ago, on a whole minute
const T0 = Math.floor((Date.now() - 2 * 3_600_000) / MIN) * MIN;
let pastIncident: string;
let camId: string;

const incidentStatus = (id: string) =>
  page.evaluate((i) => (window as unknown as W).__ioc.state.incidents.get(i)?.status ?? null, id);

describe('the console replay', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    ({ ioc, stop } = await startTestIoc('replay'));
    const db = ioc.db;
    camId = ioc.city.cameras[0].id;
    // the camera offline from T0 − 10 min, online again at T0 + 30 min
    await db.query(
      `INSERT INTO camera_status (time, camera_id, online) VALUES ($1, $3, false), ($2, $3, true)`,
      [new Date(T0 - 10 * MIN), new Date(T0 + 30 * MIN), camId],
    );
    // every segment reported through the hour around T0
    await db.query(
      `INSERT INTO traffic_readings (time, segment_id, speed_kmh, volume)
       SELECT t, s.id, s.speed_limit_kmh * 0.25, 5 FROM segments s
       CROSS JOIN generate_series($1::timestamptz, $2::timestamptz, INTERVAL '1 minute') t`,
      [new Date(T0 - 30 * MIN), new Date(T0 + 30 * MIN)],
    );
    // an incident reported at T0 − 20 min, acknowledged at T0 + 3 min
    const cam = ioc.city.cameras[0];
    const r = await db.query<{ id: string }>(
      `INSERT INTO incidents (source, category, severity, status, lat, lon, created_at, updated_at, acknowledged_at)
       VALUES ('field', 'flooding', 4, 'acknowledged', $1, $2, $3, $4, $4) RETURNING id::text AS id`,
      [cam.lat, cam.lon, new Date(T0 - 20 * MIN), new Date(T0 + 3 * MIN)],
    );
    pastIncident = r.rows[0].id;
    await db.query(
      `INSERT INTO incident_events (incident_id, time, action, actor, from_status, to_status) VALUES
       ($1, $2, 'reported', 'field', NULL, 'new'), ($1, $3, 'acknowledge', 'truc-ban-1', 'new', 'acknowledged')`,
      [pastIncident, new Date(T0 - 20 * MIN), new Date(T0 + 3 * MIN)],
    );
    await refreshAggregates(db, { from: T0 - 3_600_000, to: T0 + 3_600_000 });
    // a field officer on duty now: the units layer has a live unit, which the replay must not show in the past
    const field = await loginAs(ioc, 'field');
    const share = await field.fetch('/api/units/me/position', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lat: cam.lat, lon: cam.lon, accuracyM: 10 }),
    });
    expect(share.status).toBe(202);
    ({ browser, context } = await launchBrowser());
    await context.addInitScript(() => localStorage.setItem('ioc.lang', 'vi'));
    await signIn(context, ioc, 'operator');
    page = await context.newPage();
    await page.setViewportSize({ width: 1920, height: 1080 });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(ioc.httpUrl);
    await page.waitForFunction(
      () => (window as unknown as Partial<W>).__ioc?.state.incidents.size !== undefined,
    );
    // live: the seeded rows were written behind the IOC's back, as history; the live view never saw them
    await page.waitForSelector('[data-testid="conn-badge"][data-status="live"]', { timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stop?.();
  });

  it('rewinds with the bar, plays at 60×, frames the past as not live and returns to now with what came meanwhile', async () => {
    // live: what the IOC holds now (the seeded rows were written behind its back, as history)
    const liveBefore = await page.evaluate(
      ([i, c]) => {
        const s = (window as unknown as W).__ioc.state;
        return {
          incidents: s.incidents.size,
          incident: s.incidents.get(i)?.status ?? null,
          cam: s.cameras.get(c)?.online ?? null,
        };
      },
      [pastIncident, camId] as const,
    );
    const units = () => page.evaluate(() => (window as unknown as W).__ioc.state.units.size);
    await expect.poll(units, { timeout: 15_000 }).toBe(1);
    await page.keyboard.press('t');
    const bar = page.getByTestId('time-bar');
    await bar.waitFor();
    expect(await page.getByTestId('replay-frame').count()).toBe(0);

    // drag the slider a good way back: the picture of a past moment, framed as not live
    const slider = page.getByTestId('replay-slider');
    const box = (await slider.boundingBox()) as { x: number; y: number; width: number; height: number };
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width - 4, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, y, { steps: 8 });
    await page.mouse.up();
    await page.getByTestId('replay-frame').waitFor();
    await expect.poll(() => new URL(page.url()).searchParams.get('at')).not.toBeNull();
    expect(await page.evaluate(() => (window as unknown as W).__ioc.live.isHeld())).toBe(true);

    // type the moment just before the acknowledgement: the incident is new then, the camera offline
    // as the bar writes it for a Vietnamese reader (giờ:phút ngày/tháng/năm), not the browser's format
    const local = new Date(T0 + 7 * 3_600_000).toISOString().slice(0, 16);
    const typed = `${local.slice(11, 16)} ${local.slice(8, 10)}/${local.slice(5, 7)}/${local.slice(0, 4)}`;
    const input = page.getByTestId('replay-input');
    await input.fill('31/02/2026 07:40');
    await input.press('Enter');
    await expect
      .poll(() => page.getByTestId('replay-input-error').textContent())
      .toMatch(/^Không hiểu thời điểm này; gõ như \d{2}:\d{2} \d{2}\/\d{2}\/\d{4}$/);
    await input.fill(typed);
    await input.press('Enter');
    await expect.poll(() => incidentStatus(pastIncident)).toBe('new');
    expect(await page.getByTestId('replay-input-error').count()).toBe(0);
    // the top bar says it too: the replayed moment where the clock was, and no "live" badge
    expect(await page.getByTestId('clock').textContent()).toBe(typed);
    expect(await page.getByTestId('conn-badge').textContent()).toBe('ĐANG XEM LẠI');
    // no unit where it is now on the map of then, and the layer panel says why
    expect(await units()).toBe(0);
    expect(await page.getByTestId('units-not-replayed').textContent()).toBe(
      'Vị trí đơn vị không có khi xem lại: lớp này chỉ hiện trực tiếp',
    );
    // the layer panel stands above the time bar (it scrolls): the note is not hidden under the bar
    const note = page.getByTestId('units-not-replayed');
    await note.scrollIntoViewIfNeeded();
    const [noteBox, barBox] = await Promise.all([note.boundingBox(), bar.boundingBox()]);
    expect((noteBox?.y ?? 0) + (noteBox?.height ?? 0)).toBeLessThanOrEqual(barBox?.y ?? 0);
    expect(
      await page.evaluate((c) => (window as unknown as W).__ioc.state.cameras.get(c)?.online, camId),
    ).toBe(false);
    expect(await page.getByTestId('replay-time').textContent()).toContain(local.slice(11, 16));
    expect(new URL(page.url()).searchParams.get('at')).toBe(new Date(T0).toISOString());
    // the tiles follow: every segment jammed then (none reports now)
    await expect.poll(() => page.getByTestId('kpi-congested-value').textContent()).not.toBe('0');
    await screenshot(page, 'replay-console');

    // meanwhile, live: a report comes in now; it is held while the past is shown
    const held = await page.evaluate(() => (window as unknown as W).__ioc.live.heldChanges());
    const live = await reportNow();
    await expect
      .poll(() => page.evaluate(() => (window as unknown as W).__ioc.live.heldChanges()))
      .toBeGreaterThan(held);

    // play at 60×: three replayed minutes in about three seconds, the acknowledgement played in
    await page.getByTestId('replay-speed-60').click();
    await page.getByTestId('replay-play').click();
    await expect.poll(() => incidentStatus(pastIncident), { timeout: 15_000 }).toBe('acknowledged');
    expect(await incidentStatus(live)).toBeNull();
    await page.getByTestId('replay-play').click();

    // back to live: the frame goes, the URL forgets the moment, the report that came meanwhile is there
    await page.getByTestId('replay-live').click();
    await page.getByTestId('replay-frame').waitFor({ state: 'detached' });
    expect(new URL(page.url()).searchParams.get('at')).toBeNull();
    expect(await page.getByTestId('conn-badge').textContent()).toBe('TRỰC TUYẾN');
    expect(await page.getByTestId('clock').getAttribute('data-replay')).toBeNull();
    await expect.poll(() => incidentStatus(live)).toBe('new');
    expect(await units()).toBe(1);
    expect(await page.getByTestId('units-not-replayed').count()).toBe(0);
    // the live picture as it was before the replay, not the replayed one
    expect(await incidentStatus(pastIncident)).toBe(liveBefore.incident);
    expect(
      await page.evaluate((c) => (window as unknown as W).__ioc.state.cameras.get(c)?.online ?? null, camId),
    ).toBe(liveBefore.cam);
    expect(await page.evaluate(() => (window as unknown as W).__ioc.state.incidents.size)).toBe(
      liveBefore.incidents + 1,
    );
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it('opens a link with ?at= at that moment, and an incident history entry replays it', async () => {
    const p = await context.newPage();
    await p.setViewportSize({ width: 1920, height: 1080 });
    await p.goto(`${ioc.httpUrl}/?at=${new Date(T0 - 5 * MIN).toISOString()}`);
    await p.getByTestId('replay-frame').waitFor();
    await expect
      .poll(() =>
        p.evaluate(
          (i) => (window as unknown as W).__ioc.state.incidents.get(i)?.status ?? null,
          pastIncident,
        ),
      )
      .toBe('new');
    await p.getByTestId('replay-live').click();
    await p.getByTestId('replay-frame').waitFor({ state: 'detached' });
    // the incident's history: "xem lúc này" on its acknowledgement
    // (opened in the replay: the live view never saw this seeded incident)
    await p.goto(`${ioc.httpUrl}/?at=${new Date(T0 + 10 * MIN).toISOString()}`);
    await p.getByTestId('replay-frame').waitFor();
    await expect
      .poll(() => p.evaluate((i) => (window as unknown as W).__ioc.state.incidents.has(i), pastIncident))
      .toBe(true);
    await p.evaluate((i) => (window as unknown as W).__ioc.openIncident(i), pastIncident);
    const entries = p.getByTestId('history-replay');
    await expect.poll(() => entries.count()).toBe(2);
    await entries.nth(1).click();
    await p.getByTestId('replay-frame').waitFor();
    expect(new URL(p.url()).searchParams.get('at')).toBe(new Date(T0 + 3 * MIN).toISOString());
    await p.close();
  }, 60_000);
});

async function reportNow(): Promise<string> {
  const s = await (await import('../server/testing/sessions.ts')).loginAs(ioc, 'operator');
  const cam = ioc.city.cameras[1];
  const fd = new FormData();
  for (const [k, v] of Object.entries({
    id: randomUUID(),
    category: 'fire',
    lat: cam.lat,
    lon: cam.lon + 0.0003,
  }))
    fd.append(k, String(v));
  const res = await s.fetch(`${ioc.httpUrl}/api/reports`, { method: 'POST', body: fd });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}
