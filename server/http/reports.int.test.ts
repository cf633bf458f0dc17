import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportCreated } from '#contract/incidentsApi.ts';
import type { ClientToServerEvents, Delta, IncidentItem, ServerToClientEvents } from '#contract/live.ts';
import type { RunningIoc } from '../main.ts';
import { eventually, iocSetups } from '../testing/iocHarness.ts';
import { loginAs } from '../testing/sessions.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A 600×400 JPEG that says "rotate 90°" in its EXIF and carries a camera make and GPS position. */
async function phoneJpeg(): Promise<Buffer> {
  return sharp({ create: { width: 600, height: 400, channels: 3, background: '#2a7' } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: 'TestPhone' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '13/1 46/1 12/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '109/1 13/1 5/1',
      },
    })
    .toBuffer();
}

interface Form {
  id?: string;
  category?: string;
  lat?: string | number;
  lon?: string | number;
  description?: string;
  severity?: string | number;
  reporter?: string;
  ts?: string | number;
  photos?: Array<{ name: string; type: string; bytes: Buffer | string }>;
}

function form(f: Form): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(f)) if (k !== 'photos' && v !== undefined) fd.append(k, String(v));
  for (const p of f.photos ?? [])
    fd.append(
      'photo',
      new Blob([typeof p.bytes === 'string' ? p.bytes : new Uint8Array(p.bytes)], { type: p.type }),
      p.name,
    );
  return fd;
}

describe.each(iocSetups())('field reports on $name', (setup) => {
  let ioc: RunningIoc;
  let dispose: () => Promise<void>;
  let errors: string[];
  let dataDir: string;
  let at: { lat: number; lon: number };
  const sockets: Client[] = [];
  let fetch: typeof globalThis.fetch;
  let cookie: string;

  const post = (f: Form) => fetch(`${ioc.httpUrl}/api/reports`, { method: 'POST', body: form(f) });
  const base = (): Form => ({ id: randomUUID(), category: 'flooding', ...at, description: 'Ngập sâu 40 cm' });

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ioc-reports-'));
    ({ ioc, dispose, errors } = await setup.start({ DATA_DIR: dataDir }));
    ({ fetch, cookie } = await loginAs(ioc, 'operator'));
    const cam = ioc.city.cameras[2];
    at = { lat: cam.lat + 0.0005, lon: cam.lon };
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await dispose?.();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stores a report with a photo, serves it rotated and stripped, and pushes the incident live', async () => {
    const s: Client = connectSocket(ioc.httpUrl, { transports: ['websocket'], extraHeaders: { cookie } });
    sockets.push(s);
    const got: IncidentItem[] = [];
    s.on('delta', (d: Delta) => {
      if (d.layer === 'incidents') got.push(...(d.items as IncidentItem[]));
    });
    const ack = await s.timeout(5000).emitWithAck('subscribe', { layers: ['incidents'] });
    expect(ack.ok).toBe(true);

    const original = await phoneJpeg();
    const meta0 = await sharp(original).metadata();
    expect(meta0).toMatchObject({ width: 600, height: 400, orientation: 6 });
    const f = {
      ...base(),
      severity: 4,
      reporter: 'Tổ 3',
      photos: [{ name: 'IMG_0001.jpg', type: 'image/jpeg', bytes: original }],
    };
    const res = await post(f);
    expect(res.status).toBe(201);
    const body = (await res.json()) as ReportCreated;
    expect(body).toMatchObject({ status: 'new', duplicate: false, rejectedPhotos: [] });
    expect(body.number).toMatch(/^PA-\d{6}$/);
    expect(body.photos).toHaveLength(1);

    const live = await eventually(() => got.find((i) => i.id === body.id), 10_000, 'incident delta');
    expect(live).toMatchObject({
      category: 'flooding',
      severity: 4,
      status: 'new',
      source: 'field',
      reporter: 'Tổ 3',
    });

    const photo = await fetch(`${ioc.httpUrl}${body.photos[0].url}`);
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    expect(photo.headers.get('x-content-type-options')).toBe('nosniff');
    expect(photo.headers.get('content-disposition')).toBe('inline');
    expect(photo.headers.get('cache-control')).toBe('private, max-age=86400');
    expect(photo.headers.get('content-security-policy')).toBe("default-src 'none'");
    const served = Buffer.from(await photo.arrayBuffer());
    const meta = await sharp(served).metadata();
    // turned upright by its EXIF orientation, then every bit of metadata (make, GPS) dropped
    expect(meta).toMatchObject({ format: 'jpeg', width: 400, height: 600 });
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(served.includes(Buffer.from('TestPhone'))).toBe(false);

    const thumb = await fetch(`${ioc.httpUrl}${body.photos[0].thumbUrl}`);
    const tb = Buffer.from(await thumb.arrayBuffer());
    const tm = await sharp(tb).metadata();
    expect(Math.max(tm.width ?? 0, tm.height ?? 0)).toBe(320);
    expect(tb.length).toBeLessThan(served.length);

    const { rows } = await ioc.db.query<{
      content_type: string;
      width: number;
      height: number;
      bytes: number;
    }>('SELECT content_type, width, height, bytes FROM photos WHERE incident_id = $1', [body.id]);
    expect(rows).toEqual([{ content_type: 'image/jpeg', width: 400, height: 600, bytes: served.length }]);
    const ev = await ioc.db.query(
      'SELECT action, actor, to_status FROM incident_events WHERE incident_id = $1',
      [body.id],
    );
    expect(ev.rows).toEqual([{ action: 'reported', actor: 'Tổ 3', to_status: 'new' }]);

    const st = await fetch(`${ioc.httpUrl}/api/reports/status?ids=${f.id},${randomUUID()}`);
    expect(await st.json()).toEqual({
      items: [{ clientId: f.id, id: body.id, number: body.number, status: 'new', updatedAt: live.updatedAt }],
    });
  });

  it('stores a report sent twice, also at once, only once', async () => {
    const f = { ...base(), photos: [{ name: 'a.jpg', type: 'image/jpeg', bytes: await phoneJpeg() }] };
    const [a, b] = await Promise.all([post(f), post(f)]);
    const bodies = [(await a.json()) as ReportCreated, (await b.json()) as ReportCreated];
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(bodies.map((x) => x.duplicate).sort()).toEqual([false, true]);
    expect(bodies[0].id).toBe(bodies[1].id);
    const again = await post({ ...f, id: f.id?.toUpperCase() });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: bodies[0].id, duplicate: true, photos: bodies[0].photos });
    // a retry whose time has since grown past what a new report may carry is still the same report
    const late = await post({ ...f, ts: Date.now() - 8 * 86_400_000 });
    expect(late.status).toBe(200);
    expect(await late.json()).toMatchObject({ id: bodies[0].id, duplicate: true });
    // a new report that old is refused, naming the field
    const old = await post({ ...base(), ts: Date.now() - 8 * 86_400_000 });
    expect(old.status).toBe(400);
    expect((await old.json()).error).toMatchObject({ code: 'invalid_field', details: [{ field: 'ts' }] });
    const { rows } = await ioc.db.query<{ n: number; p: number }>(
      `SELECT count(*)::int AS n, (SELECT count(*)::int FROM photos WHERE incident_id = max(i.id)) AS p
       FROM incidents i WHERE msg_id = $1`,
      [f.id],
    );
    expect(rows[0]).toEqual({ n: 1, p: 1 });
  });

  it('rejects an oversized photo, a text file named .jpg, an SVG and a GIF, and keeps the report and the good photo', async () => {
    const huge = Buffer.alloc(10 * 1024 * 1024 + 1, 0x41);
    huge.set([0xff, 0xd8, 0xff, 0xe0]);
    const gif = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#f00' } })
      .gif()
      .toBuffer();
    const before = (await readdir(path.join(dataDir, 'photos'))).length;
    const res = await post({
      ...base(),
      photos: [
        { name: 'big.jpg', type: 'image/jpeg', bytes: huge },
        { name: 'notes.jpg', type: 'image/jpeg', bytes: 'this is not a photo' },
        {
          name: 'x.svg',
          type: 'image/svg+xml',
          bytes: '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        },
        { name: 'anim.gif', type: 'image/gif', bytes: gif },
        { name: 'good.jpg', type: 'image/jpeg', bytes: await phoneJpeg() },
      ],
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as ReportCreated;
    expect(body.rejectedPhotos).toEqual([
      { name: 'big.jpg', code: 'photo_too_large', message: expect.stringContaining('10 MiB') },
      {
        name: 'notes.jpg',
        code: 'unsupported_photo_type',
        message: 'the file is not an image; send a JPEG, PNG or WebP photo',
      },
      { name: 'x.svg', code: 'unsupported_photo_type', message: expect.any(String) },
      { name: 'anim.gif', code: 'unsupported_photo_type', message: expect.stringContaining('image/gif') },
    ]);
    expect(body.photos).toHaveLength(1);
    const detail = await (await fetch(`${ioc.httpUrl}/api/incidents/${body.id}`)).json();
    expect(detail.incident).toMatchObject({ id: body.id, description: 'Ngập sâu 40 cm', status: 'new' });
    // only the good photo's two files were written
    expect((await readdir(path.join(dataDir, 'photos'))).length).toBe(before + 2);

    // a report whose only photo is bad is still stored
    const only = await post({
      ...base(),
      photos: [{ name: 'n.jpg', type: 'image/jpeg', bytes: 'plain text' }],
    });
    expect(only.status).toBe(201);
    expect(await only.json()).toMatchObject({
      photos: [],
      rejectedPhotos: [{ code: 'unsupported_photo_type' }],
    });

    // past 32 MiB the request itself is refused, cleanly, and nothing is kept
    const f = base();
    const giant = await post({
      ...f,
      photos: [{ name: 'g.jpg', type: 'image/jpeg', bytes: Buffer.alloc(33 * 1024 * 1024) }],
    });
    expect(giant.status).toBe(413);
    expect(await giant.json()).toMatchObject({
      error: { code: 'photo_too_large', details: [{ field: 'photo' }] },
    });
    const stored = await fetch(`${ioc.httpUrl}/api/reports/status?ids=${f.id}`);
    expect(await stored.json()).toEqual({ items: [] });
  });

  it('refuses a report without a position, outside the city or with bad fields, naming the field', async () => {
    const noPos = await post({ ...base(), lat: undefined, lon: undefined });
    expect(noPos.status).toBe(400);
    expect(await noPos.json()).toEqual({
      error: {
        code: 'missing_position',
        message: expect.any(String),
        details: [
          { field: 'lat', message: expect.any(String) },
          { field: 'lon', message: expect.any(String) },
        ],
      },
    });
    const far = await post({ ...base(), lat: 21.03, lon: at.lon });
    expect(far.status).toBe(400);
    expect(await far.json()).toMatchObject({ error: { code: 'out_of_area', details: [{ field: 'lat' }] } });
    const bad = await post({ ...base(), category: 'ufo', severity: 9, description: 'x'.repeat(4001) });
    expect(bad.status).toBe(400);
    const e = (await bad.json()).error;
    expect(e.code).toBe('invalid_field');
    expect(e.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'category',
      'description',
      'severity',
    ]);
  });

  it('serves photos only by UUID, with JSON errors', async () => {
    const bad = await fetch(`${ioc.httpUrl}/api/photos/..%2F..%2Fetc%2Fpasswd`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('invalid_id');
    const unknown = await fetch(`${ioc.httpUrl}/api/photos/${randomUUID()}/thumb`);
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('no_photo');
    expect(errors).toEqual([]);
  });
});
