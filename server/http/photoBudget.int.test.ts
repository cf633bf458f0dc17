import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportCreated } from '#contract/incidentsApi.ts';
import type { RunningIoc } from '../main.ts';
import { iocSetups } from '../testing/iocHarness.ts';
import { loginAs, type TestSession } from '../testing/sessions.ts';
import { PHOTO_BUDGET_MP_PER_MIN } from './photoGate.ts';

describe.each(iocSetups())('photo decode budget on $name', (setup) => {
  let ioc: RunningIoc;
  let dispose: () => Promise<void>;
  let errors: string[];
  let at: { lat: number; lon: number };
  /** 7000×7000: 49 MP, just under the pixel limit, a few hundred KiB as a flat JPEG */
  let big: Buffer;
  let small: Buffer;

  const post = (who: TestSession, photos: Buffer[], id = randomUUID()) => {
    const fd = new FormData();
    for (const [k, v] of Object.entries({ id, category: 'waste', ...at })) fd.append(k, String(v));
    photos.forEach((p, i) => {
      fd.append('photo', new Blob([new Uint8Array(p)], { type: 'image/jpeg' }), `IMG_${i}.jpg`);
    });
    return who.fetch(`${ioc.httpUrl}/api/reports`, { method: 'POST', body: fd });
  };

  beforeAll(async () => {
    ({ ioc, dispose, errors } = await setup.start());
    const cam = ioc.city.cameras[4];
    at = { lat: cam.lat, lon: cam.lon + 0.0003 };
    big = await sharp({ create: { width: 7000, height: 7000, channels: 3, background: '#777' } })
      .jpeg({ quality: 50 })
      .toBuffer();
    small = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#2a7' } })
      .jpeg()
      .toBuffer();
  });
  afterAll(async () => {
    await dispose?.();
  });

  it("refuses an account's large photos past its megapixel budget (429 photo_budget, Retry-After), still takes another account's", async () => {
    expect(PHOTO_BUDGET_MP_PER_MIN).toBeLessThan(6 * 49);
    const heavy = await loginAs(ioc, 'field');
    const other = await loginAs(ioc, 'field');

    // five 49 MP photos: the budget of a minute, all decoded and kept
    const first = await post(heavy, [big, big, big, big, big]);
    expect(first.status).toBe(201);
    expect(((await first.json()) as ReportCreated).photos).toHaveLength(5);

    // one more is refused before it is decoded; nothing of the report is kept
    const id = randomUUID();
    const over = await post(heavy, [big], id);
    expect(over.status).toBe(429);
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await over.json()).error).toMatchObject({
      code: 'photo_budget',
      details: { retryAfterS: retryAfter, budgetMp: PHOTO_BUDGET_MP_PER_MIN },
    });
    const status = await heavy.fetch(`${ioc.httpUrl}/api/reports/status?ids=${id}`);
    expect(await status.json()).toEqual({ items: [] });
    // a report without photos costs nothing to decode: still taken
    expect((await post(heavy, [])).status).toBe(201);

    // another account's small photo is not held up by it
    const fine = await post(other, [small]);
    expect(fine.status).toBe(201);
    expect(((await fine.json()) as ReportCreated).photos).toHaveLength(1);

    const admin = await loginAs(ioc, 'admin');
    const metrics = await (await admin.fetch(`${ioc.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/^ioc_photo_refusals_total\{reason="photo_budget"\} 1$/m);
    expect(errors).toEqual([]);
  });
});
