// Open311 reports given with an address only wait in the console's queue, "Unplaced", until an
// operator places each on the map: headless Chromium against the real IOC (embedded defaults).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distanceM } from '#contract/geo.ts';
import type { IncidentDetail, UnplacedReport } from '#contract/incidentsApi.ts';
import type { RunningIoc } from '../server/main.ts';
import { expectNoSeriousA11y } from './support/a11y.ts';
import { ensureClientBuilt, launchBrowser, mapSettled, screenshot, signIn } from './support/browser.ts';
import { startTestIoc } from './support/ioc.ts';

interface MapHook {
  __ioc: {
    city: { segments: Array<{ coords: Array<[number, number]> }> };
    view: { map: { project(p: [number, number]): { x: number; y: number } } };
  };
}

let ioc: RunningIoc;
let stop: () => Promise<void>;
let browser: Browser;
let page: Page;
const errors: string[] = [];

/** An Open311 client's report, as a citizen app posts it (form-encoded, no account). */
async function open311(fields: Record<string, string>): Promise<string> {
  const res = await fetch(`${ioc.httpUrl}/open311/v2/requests.json`, {
    method: 'POST',
    body: new URLSearchParams(fields),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as Array<{ token: string }>)[0].token;
}

describe('unplaced Open311 reports on the console', () => {
  beforeAll(async () => {
    ensureClientBuilt();
    ({ ioc, stop } = await startTestIoc('unplaced'));
    const launched = await launchBrowser();
    browser = launched.browser;
    await signIn(launched.context, ioc, 'operator');
    page = await launched.context.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await stop?.();
  }, 60_000);

  it('lists them in the queue; an operator places one with a click on the map (Esc cancels) and it becomes an incident', async () => {
    const marker = `e2e-${Date.now().toString(36)}`;
    await open311({
      service_code: 'flooding',
      address_string: '25 Trần Phú, phường Lê Lợi',
      description: `Nước ngập nửa bánh xe ${marker}`,
    });
    await open311({ service_code: 'waste', address_id: 'TP-0042', description: 'Rác chưa thu gom' });

    await page.goto(ioc.httpUrl);
    await page.locator('[data-testid="conn-badge"][data-status="live"]').waitFor({ timeout: 30_000 });
    await mapSettled(page, 30_000);
    if (!(await page.getByTestId('incident-queue').count())) await page.keyboard.press('i');
    const items = page.getByTestId('unplaced-item');
    await expect.poll(() => items.count(), { timeout: 15_000 }).toBe(2);
    expect(await page.locator('#unplaced-title').textContent()).toMatch(/^Chưa có vị trí/);
    expect(await page.getByTestId('unplaced-address').allTextContents()).toEqual([
      '25 Trần Phú, phường Lê Lợi',
      'Mã địa chỉ TP-0042',
    ]);
    const flood = items.filter({ hasText: marker });
    expect(await flood.locator('.queue-cat').textContent()).toBe('Ngập úng');
    await screenshot(page, 'console-unplaced');
    await expectNoSeriousA11y(page, 'the console with unplaced reports in its queue');

    // Esc cancels: nothing is stored, both still wait
    await flood.getByTestId('unplaced-place').click();
    await page.getByTestId('placing-banner').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('placing-banner').count()).toBe(0);
    const waiting = async () => {
      const r = await page.request.get(`${ioc.httpUrl}/api/incidents/unplaced`);
      return ((await r.json()) as { items: UnplacedReport[] }).items.length;
    };
    expect(await waiting()).toBe(2);

    await flood.getByTestId('unplaced-place').click();
    await page.getByTestId('placing-banner').waitFor();
    expect(await page.getByTestId('placing-banner').textContent()).toContain('Nhấp vào bản đồ');
    await screenshot(page, 'console-placing');
    // a point of a street, where the map shows it clear of the queue and the banner
    const map = (await page.getByTestId('map').boundingBox()) as {
      x: number;
      y: number;
      width: number;
      height: number;
    };
    const target = await page.evaluate(
      ({ width, height }) => {
        const { city, view } = (window as unknown as MapHook).__ioc;
        for (const s of city.segments) {
          const [lon, lat] = s.coords[0];
          const p = view.map.project([lon, lat]);
          if (p.x > 900 && p.x < width - 60 && p.y > 220 && p.y < height - 120) return { lon, lat, ...p };
        }
        return null;
      },
      { width: map.width, height: map.height },
    );
    expect(target).not.toBeNull();
    const at = target as { lon: number; lat: number; x: number; y: number };
    await page.mouse.click(map.x + at.x, map.y + at.y);

    // its incident opens in the side panel, stored where the operator clicked
    const panel = page.locator('[data-testid="side-panel"][data-kind="incident"]');
    await panel.waitFor({ timeout: 15_000 });
    const id = (await panel.getAttribute('data-id')) as string;
    expect(await page.getByTestId('placing-banner').count()).toBe(0);
    const r = await page.request.get(`${ioc.httpUrl}/api/incidents/${id}`);
    const detail = ((await r.json()) as IncidentDetail).incident;
    expect(detail).toMatchObject({ source: 'open311', category: 'flooding', status: 'new' });
    // within a few pixels of the point clicked at the city's zoom
    expect(distanceM([detail.lon, detail.lat], [at.lon, at.lat])).toBeLessThan(60);

    // it then behaves as any incident: in the queue with its number, no longer unplaced
    const row = page.locator(`[data-testid="queue-item"][data-id="${id}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getByTestId('queue-number').textContent()).toBe(`PA-${id.padStart(6, '0')}`);
    await expect.poll(() => items.count()).toBe(1);
    expect(await waiting()).toBe(1);
    await mapSettled(page, 30_000);
    await screenshot(page, 'console-placed');
    expect(errors).toEqual([]);
  }, 120_000);
});
