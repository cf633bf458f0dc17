import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RejectEntry } from '#contract/api.ts';
import type { AuditEntryView } from '#contract/auth.ts';
import { localYear } from '#contract/cityTime.ts';
import {
  type IndicatorSourceKey,
  type IndicatorsAnswer,
  type IngestAnswer,
  periodLabel,
  periodStart,
} from '#contract/indicatorVocab.ts';
import { Bus } from '../bus.ts';
import type { RunningIoc } from '../main.ts';
import type { ModuleDeps } from '../modules/module.ts';
import { eventually, iocSetups, type StartedIoc } from '../testing/iocHarness.ts';
import { loginAs, type TestSession } from '../testing/sessions.ts';
import { indicatorsModule } from './indicatorsModule.ts';

const H = 3_600_000;
const DAY = 24 * H;

interface Point {
  t: number;
  key?: string | null;
  samples: number;
  sum: number;
  min: number;
  max: number;
}

describe.each(iocSetups())('the indicator feed on $name', (setup) => {
  let ioc: RunningIoc;
  let dispose: () => Promise<void>;
  let errors: string[];
  let harness: StartedIoc['mqtt'];
  let admin: TestSession;
  let leader: TestSession;

  const json = (body: unknown) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const series = async (who: TestSession, id: string, q: Record<string, string | number>) => {
    const qs = new URLSearchParams(Object.entries(q).map(([k, v]) => [k, String(v)]));
    const res = await who.fetch(`/api/indicators/${id}/series?${qs}`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { points: Point[] }).points;
  };
  const rejects = async (reason: string) => {
    const res = await admin.fetch(`/api/ingest/rejects?reason=${reason}&limit=100`);
    return ((await res.json()) as { items: RejectEntry[] }).items;
  };
  const audit = async (action: string) => {
    await ioc.audit.flush();
    const res = await admin.fetch(`/api/admin/audit?action=${action}`);
    return ((await res.json()) as { items: AuditEntryView[] }).items;
  };

  beforeAll(async () => {
    ({ ioc, dispose, errors, mqtt: harness } = await setup.start());
    admin = await loginAs(ioc, 'admin');
    leader = await loginAs(ioc, 'leader');
  });
  // bad input is counted and answered, never an error in the server's log
  afterEach(() => {
    expect(errors.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await dispose?.();
  });

  it('takes events over MQTT (ioc/kpi/{id}) from a device owning the indicator, stores a re-sent one once, and the hourly figure is the hand-computed one', async () => {
    // the embedded broker checks devices: one that owns the indicator (the machine's Mosquitto lets anyone in)
    let login = { url: harness.url } as { url: string; username?: string; password?: string };
    if (harness.username) {
      const { device, secret } = await ioc.devices.create(
        `kpi-${randomUUID().slice(0, 6)}`,
        'Media monitor',
        ['online_mentions'],
        false,
      );
      login = { url: ioc.mqttUrl, username: device.username, password: secret };
    }
    const pub: MqttClient = await mqtt.connectAsync(login.url, {
      clientId: `test-kpi-${randomUUID().slice(0, 8)}`,
      username: login.username,
      password: login.password,
    });
    try {
      const sent = Date.now();
      const base = Date.now() - 40 * 60_000;
      const sentiments = ['negative', 'negative', 'positive', 'neutral', 'negative'] as const;
      const msgs = sentiments.map((sentiment, i) => ({
        ts: base + i * 1000,
        topic: 'ngap-lut',
        source: 'facebook',
        sentiment,
        id: randomUUID(),
      }));
      // the first two again (a redelivery), and one in another unit
      for (const m of [...msgs, msgs[0], msgs[1]])
        await pub.publishAsync('ioc/kpi/online_mentions', JSON.stringify(m), { qos: 1 });
      await pub.publishAsync(
        'ioc/kpi/online_mentions',
        JSON.stringify({ ...msgs[0], id: randomUUID(), unit: 'percent' }),
        { qos: 1 },
      );
      const ids = msgs.map((m) => m.id);
      // with the embedded broker the PUBACK means stored; with Mosquitto ingest acknowledges after its commit
      const stored = await eventually(async () => {
        const { rows } = await ioc.db.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM indicator_values WHERE msg_id = ANY($1)',
          [ids],
        );
        return rows[0]?.n === 5 && rows[0].n;
      }, 10_000);
      expect(stored).toBe(5);
      // when the newest came in (the console's tiles' age), followed on ingest without a query, and read
      // at start by an instance started later: the receipt, not the event's time 40 minutes before
      const received = await eventually(() => ioc.indicators.received('online_mentions') ?? false, 10_000);
      expect(received).toBeGreaterThanOrEqual(sent);
      expect(received).toBeLessThanOrEqual(Date.now());
      const later = indicatorsModule({ db: ioc.db, wards: () => [] });
      const log = { warn: (_: unknown, msg: string) => errors.push(msg) };
      await later.start({ bus: new Bus(), db: ioc.db, log } as unknown as ModuleDeps);
      try {
        expect(later.received('online_mentions')).toBeGreaterThanOrEqual(sent - 1_000);
        expect(later.received('cpi')).toBeNull(); // no figure sent yet (the CSV tests below send some)
      } finally {
        await later.stop();
      }
      const points = await eventually(async () => {
        const p = await series(leader, 'online_mentions', {
          from: base - H,
          to: base + H,
          bucket: '1h',
          by: 'sentiment',
        });
        return p.reduce((n, x) => n + x.samples, 0) === 5 && p;
      }, 10_000);
      // negative 3, positive 1, neutral 1 (an hour boundary may split them: summed over buckets)
      const sum = (k: string) => points.filter((p) => p.key === k).reduce((n, p) => n + p.sum, 0);
      expect([sum('negative'), sum('positive'), sum('neutral')]).toEqual([3, 1, 1]);
      const bad = await eventually(async () => {
        const r = await rejects('wrong_unit');
        return r.find((e) => e.topic === 'ioc/kpi/online_mentions');
      });
      expect(bad.detail).toMatch(/unit percent is not the unit of online_mentions \(mention\)/);
    } finally {
      await pub.endAsync();
    }
  });

  it('takes batches over HTTP with a source API key: good rows land, bad ones are refused with their index and reason, a re-sent batch is stored once, a revoked key is refused', async () => {
    const created = await admin.fetch(
      '/api/admin/indicator-sources',
      json({
        id: 'mot-cua',
        name: 'Hệ thống một cửa điện tử',
        indicators: ['dossier_received', 'dossier_overdue', 'budget_revenue'],
        ratePerMin: 600,
      }),
    );
    expect(created.status).toBe(201);
    const { apiKey, source } = (await created.json()) as IndicatorSourceKey;
    expect(source).toMatchObject({ id: 'mot-cua', revokedAt: null });
    // only its hash is kept
    const { rows: keyRows } = await ioc.db.query<{ key_hash: string }>(
      "SELECT key_hash FROM indicator_sources WHERE id = 'mot-cua'",
    );
    expect(keyRows[0]?.key_hash).toMatch(/^\$7\$/);
    expect(keyRows[0]?.key_hash).not.toContain(apiKey);

    const send = (values: unknown[], key = apiKey) =>
      fetch(`${ioc.httpUrl}/api/ingest/mot-cua`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ values }),
      });
    const t0 = Date.now() - 50 * 60_000;
    const overdueAt = Date.now() - 3 * H;
    const nextYear = new Date(Date.now() + 400 * DAY).toISOString().slice(0, 7);
    const batch = [
      { indicator: 'dossier_received', ts: t0, agency: 'so-tu-phap', channel: 'online', id: randomUUID() },
      {
        indicator: 'dossier_received',
        ts: t0 + 1,
        agency: 'so-tu-phap',
        channel: 'counter',
        id: randomUUID(),
      },
      { indicator: 'dossier_overdue', ts: overdueAt, agency: 'so-xay-dung', value: 12 },
      { indicator: 'cpi', period: '2026-01', value: 103 },
      { indicator: 'dossier_received', ts: t0, agency: 'so-tu-phap', channel: 'online', value: '3' },
      { indicator: 'dossier_received', ts: t0, agency: 'so-tu-phap', channel: 'online', unit: 'percent' },
      { indicator: 'dossier_received', ts: t0, agency: 'so-khong-co', channel: 'online' },
      { indicator: 'budget_revenue', period: nextYear, value: 900 },
    ];
    const first = await send(batch);
    expect(first.status).toBe(200);
    const a = (await first.json()) as IngestAnswer;
    expect(a.rows.map((r) => [r.row, r.status, r.reason])).toEqual([
      [0, 'stored', undefined],
      [1, 'stored', undefined],
      [2, 'stored', undefined],
      [3, 'rejected', 'not_permitted'],
      [4, 'rejected', 'invalid_payload'],
      [5, 'rejected', 'wrong_unit'],
      [6, 'rejected', 'unknown_agency'],
      [7, 'rejected', 'future_ts'],
    ]);
    expect(a).toMatchObject({ stored: 3, revised: 0, duplicate: 0, rejected: 5 });
    expect(a.rows[4]?.detail).toMatch(/^value: .*number/);
    expect(a.rows[7]?.detail).toBe(`the monthly period ${nextYear} has not begun`);

    // the same batch again: stored once
    const again = (await (await send(batch)).json()) as IngestAnswer;
    expect(again).toMatchObject({ stored: 0, revised: 0, duplicate: 3, rejected: 5 });
    const { rows } = await ioc.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM indicator_values WHERE sender = 'mot-cua'",
    );
    expect(rows[0]?.n).toBe(3);

    // a figure sent again with a new value replaces it
    const fix = (await (await send([{ ...batch[2], value: 15 }])).json()) as IngestAnswer;
    expect(fix).toMatchObject({ revised: 1, stored: 0 });
    const overdue = await eventually(async () => {
      const p = await series(leader, 'dossier_overdue', {
        from: overdueAt - H,
        to: overdueAt + H,
        bucket: '1h',
        agency: 'so-xay-dung',
      });
      return p.length === 1 && p[0]?.sum === 15 && p;
    }, 15_000);
    expect(overdue[0]).toMatchObject({ samples: 1, sum: 15, max: 15 });
    const received = await series(leader, 'dossier_received', {
      from: t0 - H,
      to: t0 + H,
      bucket: '1h',
      by: 'channel',
    });
    const byChannel: Record<string, number> = {};
    for (const p of received) byChannel[String(p.key)] = (byChannel[String(p.key)] ?? 0) + p.sum;
    expect(byChannel).toEqual({ online: 1, counter: 1 });

    // more than 1,000 values: refused whole, naming the field
    const big = await send(Array.from({ length: 1001 }, () => batch[0]));
    expect(big.status).toBe(400);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('invalid_field');

    // a wrong key, then a revoked one
    const wrong = await send(batch, `${apiKey}x`);
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('bad_api_key');
    const revoke = await admin.fetch('/api/admin/indicator-sources/mot-cua/key', { method: 'DELETE' });
    expect(revoke.status).toBe(204);
    expect((await send(batch)).status).toBe(401);
    const renewed = await admin.fetch('/api/admin/indicator-sources/mot-cua/key', { method: 'POST' });
    const { apiKey: newKey } = (await renewed.json()) as IndicatorSourceKey;
    expect((await send(batch, apiKey)).status).toBe(401);
    expect((await send([batch[0]], newKey)).status).toBe(200);

    const entries = await audit('indicator.ingest');
    expect(entries.some((e) => e.outcome === 'denied' && e.details?.reason === 'revoked')).toBe(true);
    expect(entries.some((e) => e.outcome === 'ok' && e.details?.stored === 3)).toBe(true);
    expect((await audit('indicator_source.revoke')).map((e) => e.target)).toContain('mot-cua');
  });

  it('imports a CSV of monthly figures: good rows land and show in the daily figures at once, bad rows say their line and reason, a re-import is stored once, an oversized file is refused', async () => {
    const now = Date.now();
    const thisMonth = periodStart('monthly', now);
    const m1 = periodStart('monthly', thisMonth - DAY);
    const m2 = periodStart('monthly', m1 - DAY);
    // the month after next: not begun even if the local month turns while the test runs
    const next = periodStart('monthly', thisMonth + 63 * DAY);
    const lastQuarter = periodStart('quarterly', periodStart('quarterly', now) - DAY);
    const label = (ms: number) => periodLabel('monthly', ms);
    const csv = [
      '\uFEFFindicator,period,value,unit,agency',
      `budget_revenue,${label(m1)},1250.5,vnd_billion,`,
      `budget_revenue,${label(m2)},1100,,`,
      `cpi,${label(m1)},103.2,index_point,`,
      `no_such_indicator,${label(m1)},1,,`,
      `retail_sales,${label(m1)},abc,,`,
      `retail_sales,${label(m1)},5000,percent,`,
      `new_enterprises,${label(next)},40,,`,
      `fdi_registered,${label(m1)},"=HYPERLINK(""http://x"")",,`,
      `grdp_growth,${periodLabel('quarterly', lastQuarter)},-1.5,percent,`,
      `dossier_on_time_rate,${label(m1)},96.63,percent,@so-tu-phap`,
    ].join('\r\n');
    const upload = (body: string | Blob, type = 'text/csv') =>
      admin.fetch('/api/admin/indicators/import', {
        method: 'POST',
        ...(typeof body === 'string' ? { headers: { 'content-type': type }, body } : { body: formOf(body) }),
      });
    const formOf = (b: Blob) => {
      const fd = new FormData();
      fd.append('file', b, 'thong-ke-thang.csv');
      return fd;
    };
    const res = await upload(new Blob([csv], { type: 'text/csv' }));
    expect(res.status).toBe(200);
    const a = (await res.json()) as IngestAnswer;
    expect(a.rows.map((r) => [r.row, r.status, r.reason])).toEqual([
      [2, 'stored', undefined],
      [3, 'stored', undefined],
      [4, 'stored', undefined],
      [5, 'rejected', 'unknown_indicator'],
      [6, 'rejected', 'invalid_payload'],
      [7, 'rejected', 'wrong_unit'],
      [8, 'rejected', 'future_ts'],
      [9, 'rejected', 'formula_cell'],
      [10, 'stored', undefined],
      [11, 'rejected', 'formula_cell'],
    ]);
    expect(a.rows[6]?.detail).toBe(`the monthly period ${label(next)} has not begun`);
    expect(a.rows[4]?.detail).toMatch(/^value: .*number/);

    // the months show in the daily aggregate when the answer comes: the hand-computed figures
    const points = await series(leader, 'budget_revenue', { from: m2, to: thisMonth, bucket: '1d' });
    expect(points.map((p) => [p.t, p.sum])).toEqual([
      [m2, 1100],
      [m1, 1250.5],
    ]);
    const growth = await series(leader, 'grdp_growth', { from: lastQuarter, to: now, bucket: '1d' });
    expect(growth.map((p) => [p.t, p.sum])).toEqual([[lastQuarter, -1.5]]);

    // the same file again: nothing new; one corrected figure: revised
    const again = (await (await upload(csv)).json()) as IngestAnswer;
    expect(again).toMatchObject({ stored: 0, revised: 0, duplicate: 4, rejected: 6 });
    const fixed = (await (
      await upload(`indicator,period,value\r\nbudget_revenue,${label(m1)},1262\r\n`)
    ).json()) as IngestAnswer;
    expect(fixed).toMatchObject({ revised: 1 });
    const after = await series(leader, 'budget_revenue', { from: m1, to: thisMonth, bucket: '1d' });
    expect(after.map((p) => p.sum)).toEqual([1262]);

    // a file over 5 MB: refused whole, nothing read
    const huge = `indicator,period,value\n${`cpi,${label(m1)},101\n`.repeat(700_000)}`;
    expect(huge.length).toBeGreaterThan(10 * 1024 * 1024);
    for (const r of [await upload(huge), await upload(new Blob([huge]))]) {
      expect(r.status).toBe(413);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('csv_too_large');
    }
    // a header that is not the format's
    const badHead = await upload('indikator,period,value\ncpi,2026-01,100\n');
    expect(badHead.status).toBe(400);
    expect(((await badHead.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'bad_csv',
      message: 'unknown columns: indikator; missing columns: indicator',
    });

    // every refusal went through the reject log and the metrics, like MQTT's
    const formula = await rejects('formula_cell');
    expect(formula.some((e) => e.detail.startsWith('CSV thong-ke-thang.csv, line 9: value:'))).toBe(true);
    const metrics = await (await admin.fetch('/metrics')).text();
    expect(metrics).toMatch(/ioc_ingest_rejects_total\{reason="formula_cell"\} [1-9]/);
    expect(metrics).toMatch(/ioc_ingest_messages_total\{kind="indicator"\} [1-9]/);
    expect((await audit('indicator.import')).length).toBeGreaterThanOrEqual(3);
  });

  it('lets admins edit the catalogue (validated, audited); a disabled indicator takes no values', async () => {
    const bad = await admin.fetch('/api/admin/indicators/cpi', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ thresholds: { warning: 'high' }, unit: 'percent' }),
    });
    expect(bad.status).toBe(400);
    const err = ((await bad.json()) as { error: { code: string; details: { field: string }[] } }).error;
    expect(err.code).toBe('invalid_field');
    expect(err.details.map((d) => d.field).sort()).toEqual(['body', 'thresholds.warning']);
    const ok = await admin.fetch('/api/admin/indicators/new_enterprises', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ disabled: true, thresholds: { basis: 'value', warning: 30, critical: 20 } }),
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { item: { disabled: boolean } }).item.disabled).toBe(true);
    const list = (await (await leader.fetch('/api/indicators')).json()) as { items: { id: string }[] };
    expect(list.items.map((i) => i.id)).not.toContain('new_enterprises');
    expect(list.items.map((i) => i.id)).toContain('online_mentions');
    const m1 = periodLabel('monthly', periodStart('monthly', periodStart('monthly', Date.now()) - DAY));
    const res = await admin.fetch('/api/admin/indicators/import', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: `indicator,period,value\nnew_enterprises,${m1},41\n`,
    });
    expect(((await res.json()) as IngestAnswer).rows[0]).toMatchObject({
      status: 'rejected',
      reason: 'unknown_indicator',
    });
    expect((await audit('indicator.update')).map((e) => e.target)).toContain('new_enterprises');
  });

  it('lets admins name topic and source codes (validated, audited); the console and dashboard read the names beside the agencies', async () => {
    const put = (dimension: string, code: string, body: unknown) =>
      admin.fetch(`/api/admin/indicator-labels/${dimension}/${encodeURIComponent(code)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // the simulated media monitor's codes come named
    const before = (await (await leader.fetch('/api/indicators')).json()) as IndicatorsAnswer;
    expect(before.agencies.length).toBeGreaterThan(0);
    expect(before.labels).toContainEqual({
      dimension: 'topic',
      code: 'giao-thong',
      nameVi: 'Giao thông',
      nameEn: 'Traffic',
    });
    expect(before.labels).toContainEqual({
      dimension: 'source',
      code: 'news',
      nameVi: 'Báo điện tử',
      nameEn: 'Online news',
    });
    // a new topic, then renamed; a dimension without names and an empty name are refused
    const code = `le-hoi-${randomUUID().slice(0, 6)}`;
    const created = await put('topic', code, { nameVi: 'Lễ hội', nameEn: 'Festivals' });
    expect(created.status).toBe(201);
    const renamed = await put('topic', code, { nameVi: 'Lễ hội, sự kiện', nameEn: 'Festivals and events' });
    expect(renamed.status).toBe(200);
    expect((await put('sentiment', 'negative', { nameVi: 'Xấu', nameEn: 'Bad' })).status).toBe(400);
    const bad = await put('source', 'zalo', { nameVi: ' ', nameEn: 'Zalo' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: { field: string }[] } }).error.details[0]?.field).toBe(
      'nameVi',
    );
    // not an admin's to change
    expect((await leader.fetch(`/api/admin/indicator-labels/topic/${code}`, { method: 'PUT' })).status).toBe(
      403,
    );
    const after = (await (await leader.fetch('/api/indicators')).json()) as IndicatorsAnswer;
    expect(after.labels.filter((x) => x.code === code)).toEqual([
      { dimension: 'topic', code, nameVi: 'Lễ hội, sự kiện', nameEn: 'Festivals and events' },
    ]);
    expect(after.labels.some((x) => x.code === 'zalo')).toBe(false);
    const entries = await audit('indicator_label.update');
    expect(entries.map((e) => e.target)).toContain(`topic/${code}`);
    expect((await audit('indicator_label.create')).map((e) => e.target)).toContain(`topic/${code}`);
  });

  it("takes a year's plan over HTTP and CSV: stored once, replaced when sent again, refused for a daily or event indicator while the good rows land", async () => {
    const year = localYear(Date.now());
    const m3 = periodStart('monthly', periodStart('monthly', Date.now()) - 62 * DAY);
    const plans = async () =>
      (
        await ioc.db.query<{ indicator_id: string; year: number; target: number; via: string }>(
          'SELECT indicator_id, year, target, via FROM indicator_plans ORDER BY indicator_id, year',
        )
      ).rows;
    const created = await admin.fetch(
      '/api/admin/indicator-sources',
      json({
        id: 'so-khdt',
        name: 'Sở KH&ĐT',
        indicators: ['budget_revenue', 'grdp_growth', 'dossier_received', 'fdi_registered'],
      }),
    );
    const { apiKey } = (await created.json()) as IndicatorSourceKey;
    const send = async (values: unknown[]) => {
      const res = await fetch(`${ioc.httpUrl}/api/ingest/so-khdt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
        body: JSON.stringify({ values }),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as IngestAnswer;
    };
    const batch = (budgetPlan: number) => [
      { indicator: 'budget_revenue', kind: 'plan', period: String(year), value: budgetPlan },
      { indicator: 'grdp_growth', kind: 'plan', period: String(year), value: 7.5 },
      { indicator: 'dossier_received', kind: 'plan', period: String(year), value: 50_000 },
      { indicator: 'fdi_registered', period: periodLabel('monthly', m3), value: 12.4 },
    ];
    const first = await send(batch(16_000));
    expect(first.rows.map((r) => [r.row, r.status, r.reason])).toEqual([
      [0, 'stored', undefined],
      [1, 'stored', undefined],
      [2, 'rejected', 'invalid_payload'],
      [3, 'stored', undefined],
    ]);
    expect(first.rows[2]?.detail).toBe(
      'kind: plans are given for monthly and quarterly indicators; dossier_received is event',
    );
    // sent again: the same plan is a duplicate, a new target replaces the old one
    const again = await send(batch(17_500));
    expect(again.rows.map((r) => r.status)).toEqual(['revised', 'duplicate', 'rejected', 'duplicate']);
    expect(await plans()).toEqual([
      { indicator_id: 'budget_revenue', year, target: 17_500, via: 'http' },
      { indicator_id: 'grdp_growth', year, target: 7.5, via: 'http' },
    ]);

    const csv = (retailPlan: number) =>
      [
        'indicator,period,value,kind',
        `retail_sales,${year},${retailPlan},plan`,
        `cpi,${year + 1},104,plan`,
        `dossier_online_share,${year},80,plan`,
        `retail_sales,${periodLabel('monthly', m3)},9100,`,
      ].join('\n');
    const upload = async (body: string) => {
      const res = await admin.fetch('/api/admin/indicators/import', {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body,
      });
      expect(res.status).toBe(200);
      return (await res.json()) as IngestAnswer;
    };
    const imported = await upload(csv(110_000));
    expect(imported.rows.map((r) => [r.row, r.status, r.reason])).toEqual([
      [2, 'stored', undefined],
      [3, 'stored', undefined],
      [4, 'rejected', 'invalid_payload'],
      [5, 'stored', undefined],
    ]);
    expect(imported.rows[2]?.detail).toMatch(/dossier_online_share is daily$/);
    const reimported = await upload(csv(115_000));
    expect(reimported.rows.map((r) => r.status)).toEqual(['revised', 'duplicate', 'rejected', 'duplicate']);
    const stored = await plans();
    expect(stored.filter((p) => p.via === 'csv')).toEqual([
      { indicator_id: 'cpi', year: year + 1, target: 104, via: 'csv' },
      { indicator_id: 'retail_sales', year, target: 115_000, via: 'csv' },
    ]);
    // plans are not values: the aggregates never count them
    const { rows } = await ioc.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM indicator_values WHERE dedupe_key LIKE 'plan:%'",
    );
    expect(rows[0]?.n).toBe(0);
    // refusals went through the reject log like any other value's
    const refused = await rejects('invalid_payload');
    expect(refused.some((e) => e.detail.endsWith('dossier_received is event'))).toBe(true);
    expect(refused.some((e) => e.detail.endsWith('dossier_online_share is daily'))).toBe(true);
  });
});
