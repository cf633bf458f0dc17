// Units on the operators' console (issue 15) in headless Chromium against the real IOC (embedded broker
// and database): positions over MQTT drawn live, a unit gone quiet shown stale, and dispatch from the
// incident panel's list of units, nearest first.
import mqtt from 'mqtt';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportCreated } from '#contract/incidentsApi.ts';
import { topics } from '#contract/mqtt.ts';
import type { RunningIoc } from '../server/main.ts';
import { loginAs, type TestSession } from '../server/testing/sessions.ts';
import { ensureClientBuilt, launchBrowser, mapSettled, screenshot, signIn } from './support/browser.ts';
import { startTestIoc } from './support/ioc.ts';

interface IocHook {
  view: {
    map: { project(p: [number, number]): { x: number; y: number } };
    flyTo(lon: number, lat: number, zoom?: number): void;
  };
  openIncident(id: string): void;
}

const UNITS = [
  { id: 'ca-e1', name: 'Tổ 1', kind: 'patrol' as const },
  { id: 'ca-e2', name: 'Tổ 2', kind: 'patrol' as const },
  { id: 'ca-e3', name: 'Tổ 3', kind: 'patrol' as const },
];

let ioc: RunningIoc;
let stopIoc: () => Promise<void>;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pub: mqtt.MqttClient;
let op: TestSession;
/** where the incident is: the middle of the city's cameras */
let at: { lat: number; lon: number };
const pageErrors: string[] = [];

const publish = (id: string, p: { ts: number; lat: number; lon: number }) =>
  pub.publishAsync(topics.unitPosition(id), JSON.stringify({ ...p, accuracyM: 8 }), { qos: 1 });

const panel = () => page.getByTestId('side-panel');

/** Clicks the map where a place is drawn (the map's own projection says where on the screen). */
async function clickMapAt(lon: number, lat: number): Promise<void> {
  const box = await page.locator('#map').boundingBox();
  const p = await page.evaluate(
    ([x, y]) => (window as unknown as { __ioc: IocHook }).__ioc.view.map.project([x, y]),
    [lon, lat] as const,
  );
  await page.mouse.click((box?.x ?? 0) + p.x, (box?.y ?? 0) + p.y);
}

/** Opens a unit's panel by clicking its tag on the map, retrying while the tag is still on its way. */
async function openUnitOnMap(id: string, lon: number, lat: number): Promise<void> {
  const shown = () =>
    page
      .locator(`[data-testid="side-panel"][data-kind="unit"][data-id="${id}"]`)
      .waitFor({ timeout: 2000 })
      .then(() => id)
      .catch(() => null);
  await expect
    .poll(
      async () => {
        await mapSettled(page);
        await clickMapAt(lon, lat);
        return shown();
      },
      { timeout: 20_000, interval: 300 },
    )
    .toBe(id);
}

describe('units on the operators console', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    ({ ioc, stop: stopIoc } = await startTestIoc('units'));
    await ioc.units.register(UNITS);
    const cams = ioc.city.cameras;
    at = {
      lat: cams.reduce((s, c) => s + c.lat, 0) / cams.length,
      lon: cams.reduce((s, c) => s + c.lon, 0) / cams.length,
    };
    const { device, secret } = await ioc.devices.create(
      'e2e-units',
      'Patrol trackers',
      UNITS.map((u) => u.id),
    );
    pub = await mqtt.connectAsync(ioc.mqttUrl, {
      clientId: `e2e-units-${Date.now()}`,
      username: device.username,
      password: secret,
    });
    op = await loginAs(ioc, 'operator');
    ({ browser, context } = await launchBrowser());
    await context.addInitScript(() => localStorage.setItem('ioc.lang', 'vi'));
    await signIn(context, ioc, 'operator');
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(ioc.httpUrl);
    // the first connection on a loaded machine may drop and come back (swiftshader's first frames are slow)
    await page.waitForSelector('[data-testid="conn-badge"][data-status="live"]', { timeout: 60_000 });
    await page.waitForFunction(() => !!(window as unknown as { __ioc?: IocHook }).__ioc);
    // close in on the incident's place: the units' tags are apart there
    await page.evaluate(
      ([lon, lat]) => (window as unknown as { __ioc: IocHook }).__ioc.view.flyTo(lon, lat, 15),
      [at.lon, at.lat] as const,
    );
  }, 180_000);

  afterAll(async () => {
    await pub?.endAsync();
    await browser?.close();
    await stopIoc?.();
  }, 60_000);

  it('draws a unit whose position came over MQTT, with its panel, and moves it when a new one comes', async () => {
    const legendCount = page.getByTestId('units-count');
    await expect.poll(() => legendCount.textContent(), { timeout: 5000 }).toMatch(/Chưa có đơn vị/);
    await publish('ca-e1', { ts: Date.now(), lat: at.lat + 0.003, lon: at.lon });
    await expect.poll(() => legendCount.textContent(), { timeout: 10_000 }).toMatch(/^1 đơn vị đang trực/);
    await openUnitOnMap('ca-e1', at.lon, at.lat + 0.003);
    expect(await panel().getAttribute('data-kind')).toBe('unit');
    expect(await panel().getByTestId('panel-name').textContent()).toBe('Tổ 1');
    const status = panel().getByTestId('unit-status');
    expect(await status.getAttribute('data-status')).toBe('available');
    expect(await status.getAttribute('data-stale')).toBe('false');
    expect(await status.textContent()).toContain('Sẵn sàng');
    expect(await panel().getByTestId('unit-age').textContent()).toMatch(/giây trước|vừa xong/);
    expect(await panel().getByTestId('unit-task').textContent()).toBe('Không có nhiệm vụ');
    await screenshot(page, 'units-console-panel');

    // it drives on: the tag is drawn where the new position is
    await page.getByTestId('panel-close').click();
    const moved = { lat: at.lat + 0.004, lon: at.lon + 0.004 };
    await publish('ca-e1', { ts: Date.now(), ...moved });
    await openUnitOnMap('ca-e1', moved.lon, moved.lat);
    await page.getByTestId('panel-close').click();
  }, 60_000);

  it('shows a unit without a fresh position grey and marked stale', async () => {
    // its tracker last spoke three minutes ago
    const old = Date.now() - 3 * 60_000;
    await publish('ca-e3', { ts: old, lat: at.lat - 0.002, lon: at.lon });
    await expect
      .poll(() => page.getByTestId('units-count').textContent(), { timeout: 10_000 })
      .toMatch(/^2 đơn vị đang trực · 1 mất vị trí/);
    await openUnitOnMap('ca-e3', at.lon, at.lat - 0.002);
    const status = panel().getByTestId('unit-status');
    expect(await status.getAttribute('data-stale')).toBe('true');
    expect(await panel().getByTestId('unit-stale').textContent()).toBe('Mất vị trí quá 2 phút');
    expect(await panel().getByTestId('unit-age').textContent()).toMatch(/3 phút trước/);
    await screenshot(page, 'units-console-stale');
    await page.getByTestId('panel-close').click();
  }, 60_000);

  it('assigns an incident to a unit picked from a list, nearest first, and records the step', async () => {
    await publish('ca-e2', { ts: Date.now(), lat: at.lat + 0.015, lon: at.lon });
    await publish('ca-e1', { ts: Date.now(), lat: at.lat + 0.003, lon: at.lon });
    const fd = new FormData();
    for (const [k, v] of Object.entries({ category: 'public_order', description: 'Lấn chiếm vỉa hè', ...at }))
      fd.append(k, String(v));
    const rep = (await (
      await op.fetch('/api/reports', { method: 'POST', body: fd })
    ).json()) as ReportCreated;
    const ack = await op.fetch(`/api/incidents/${rep.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'acknowledge' }),
    });
    expect(ack.status).toBe(200);
    await expect
      .poll(async () => {
        await page.evaluate((id) => (window as unknown as { __ioc: IocHook }).__ioc.openIncident(id), rep.id);
        return panel().getAttribute('data-id');
      })
      .toBe(rep.id);
    await panel().getByTestId('act-assign').click();
    const rows = panel().getByTestId('assign-unit');
    // fresh units nearest first, then the stale one (although nearest), marked
    await expect
      .poll(() => rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-unit-id'))), {
        timeout: 10_000,
      })
      .toEqual(['ca-e1', 'ca-e2', 'ca-e3']);
    const dist = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-distance'))));
    expect(dist[0]).toBeLessThan(dist[1]);
    expect(dist[0]).toBeGreaterThan(250);
    expect(dist[0]).toBeLessThan(450);
    expect(await rows.nth(0).textContent()).toMatch(/\d+ m.*~1 phút/);
    expect(await rows.nth(1).textContent()).toMatch(/1,\d km.*~\d phút/);
    expect(await rows.nth(0).getByTestId('assign-marks').count()).toBe(0);
    expect(await rows.nth(2).getByTestId('assign-marks').textContent()).toMatch(/vị trí cũ/);
    expect(await panel().getByTestId('assign-foot').textContent()).toContain('30 km/h');
    // no free text: the name field is there only when no unit is on duty
    expect(await panel().getByTestId('act-assignee').count()).toBe(0);
    // confirming with nothing picked says so
    await panel().getByTestId('act-confirm').click();
    expect(await panel().getByTestId('act-error').textContent()).toBe('Chọn một đơn vị trong danh sách');
    await rows.nth(0).click();
    expect(await rows.nth(0).getAttribute('aria-pressed')).toBe('true');
    await panel().getByTestId('act-note').fill('Đến ngay, giải tỏa vỉa hè');
    await screenshot(page, 'units-console-assign');
    await panel().getByTestId('act-confirm').click();

    await expect
      .poll(() => panel().getByTestId('panel-status').textContent(), { timeout: 5000 })
      .toBe('Đã điều phối');
    expect(await panel().getByTestId('panel-assignee').textContent()).toBe('Tổ 1');
    const history = panel().getByTestId('history');
    await history.getByText('Đến ngay, giải tỏa vỉa hè').waitFor({ timeout: 5000 });
    expect(await history.locator('li').last().textContent()).toMatch(/Đã điều phối.*Đến ngay/);
    // and the unit is shown sent: its tag, and its panel from the map
    await openUnitOnMap('ca-e1', at.lon, at.lat + 0.003);
    await expect
      .poll(() => panel().getByTestId('unit-status').getAttribute('data-status'), { timeout: 5000 })
      .toBe('dispatched');
    expect(await panel().getByTestId('unit-task').textContent()).toMatch(/Trật tự đô thị/);
    await screenshot(page, 'units-console-dispatched');
    expect(pageErrors).toEqual([]);
  }, 90_000);
});
