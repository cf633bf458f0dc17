import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmItem } from '#contract/alarms.ts';
import type { RejectEntry } from '#contract/api.ts';
import type { AuditEntryView } from '#contract/auth.ts';
import type { IndicatorSourceKey, IngestAnswer } from '#contract/indicatorVocab.ts';
import type {
  SecurityDashboard,
  SecurityEventView,
  SecuritySummary,
  SecuritySystemView,
} from '#contract/securityVocab.ts';
import type { RunningIoc } from '../main.ts';
import { eventually, iocSetups, type StartedIoc } from '../testing/iocHarness.ts';
import { loginAs, type TestSession } from '../testing/sessions.ts';

/** Wazuh's alert JSON as its integrations receive it (an offset without a colon, as Wazuh writes it). */
function wazuhAlert(o: {
  level: number;
  agent: string;
  srcip?: string;
  groups?: string[];
  ts?: number;
  id?: string;
}) {
  const t = new Date((o.ts ?? Date.now() - 5_000) + 7 * 3_600_000).toISOString().replace('Z', '+0700');
  return {
    timestamp: t,
    id: o.id ?? `${Date.now() / 1000}.${randomUUID().slice(0, 8)}`,
    rule: {
      level: o.level,
      description: 'sshd: brute force trying to get access to the system.',
      id: '5712',
      groups: o.groups ?? ['syslog', 'sshd', 'authentication_failures'],
      firedtimes: 3,
    },
    agent: { id: '004', name: o.agent, ip: '10.20.0.14' },
    manager: { name: 'wazuh-manager' },
    data: { srcip: o.srcip ?? '203.0.113.9', srcport: '51514' },
    location: '/var/log/auth.log',
  };
}

/** A public system the test starts and stops: the probe's target. */
function target() {
  let server: http.Server | undefined;
  let port = 0;
  return {
    url: () => `http://127.0.0.1:${port}/`,
    async start() {
      server = http.createServer((_req, res) => res.end('ok'));
      await new Promise<void>((r) => server?.listen(port, '127.0.0.1', () => r()));
      port = (server.address() as AddressInfo).port;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      await new Promise<void>((r) => {
        s.close(() => r());
        s.closeAllConnections();
      });
    },
  };
}

describe.each(iocSetups())('information security on $name', (setup) => {
  let ioc: RunningIoc;
  let dispose: () => Promise<void>;
  let errors: string[];
  let harness: StartedIoc['mqtt'];
  let admin: TestSession;
  let operator: TestSession;
  let leader: TestSession;
  let field: TestSession;
  const agent = `dvc-app-${randomUUID().slice(0, 6)}`;
  const site = target();

  const json = (method: string, body: unknown, headers: Record<string, string> = {}) => ({
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const audit = async (action: string, actor: string) => {
    await ioc.audit.flush();
    const res = await admin.fetch(`/api/admin/audit?action=${action}&actor=${actor}`);
    return ((await res.json()) as { items: AuditEntryView[] }).items;
  };
  const openAlarms = async () => {
    const res = await operator.fetch('/api/alarms');
    return ((await res.json()) as { items: AlarmItem[] }).items;
  };

  beforeAll(async () => {
    // the probe runs when the test says (probeNow), not on the minute
    ({ ioc, dispose, errors, mqtt: harness } = await setup.start({ SECURITY_PROBE_S: '3600' }));
    [admin, operator, leader, field] = await Promise.all(
      (['admin', 'operator', 'leader', 'field'] as const).map((r) => loginAs(ioc, r)),
    );
  });
  afterEach(() => {
    expect(errors.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await site.stop();
    await dispose?.();
  });

  it('takes Wazuh alerts over HTTP and MQTT, counts bad ones with a reason, stores them once, and the panel lists them', async () => {
    // a SIEM as an HTTP source allowed to send the security indicators
    const created = await admin.fetch(
      '/api/admin/indicator-sources',
      json('POST', {
        id: 'wazuh',
        name: 'Wazuh SOC',
        indicators: ['soc_attacks_detected', 'soc_attacks_blocked'],
      }),
    );
    expect(created.status).toBe(201);
    const { apiKey } = (await created.json()) as IndicatorSourceKey;
    const post = (body: unknown) =>
      fetch(`${ioc.httpUrl}/api/ingest/wazuh`, json('POST', body, { 'x-api-key': apiKey }));

    const high = wazuhAlert({ level: 12, agent, srcip: '203.0.113.9' });
    const one = await post(high);
    expect(one.status).toBe(200);
    expect(((await one.json()) as IngestAnswer).stored).toBe(1);
    // an array: the same alert again (stored once), a blocked one, and a bad level
    const blocked = wazuhAlert({
      level: 3,
      agent,
      srcip: '203.0.113.9',
      groups: ['ossec', 'active_response'],
    });
    const many = await post([high, blocked, { ...wazuhAlert({ level: 99, agent }), id: 'bad-level' }]);
    const answer = (await many.json()) as IngestAnswer;
    expect(answer).toMatchObject({ stored: 1, duplicate: 1, rejected: 1 });
    expect(answer.rows[2]).toMatchObject({ status: 'rejected', reason: 'invalid_payload' });
    expect(answer.rows[2]?.detail).toContain('rule.level');

    // over MQTT: ioc/security/event from a device that owns soc_attacks_detected
    let login: { url: string; username?: string; password?: string } = { url: harness.url };
    if (harness.username) {
      const { device, secret } = await ioc.devices.create(
        `siem-${randomUUID().slice(0, 6)}`,
        'Wazuh over MQTT',
        ['soc_attacks_detected'],
        false,
      );
      login = { url: ioc.mqttUrl, username: device.username, password: secret };
    }
    const pub = await mqtt.connectAsync(login.url, {
      ...login,
      clientId: `test-siem-${randomUUID().slice(0, 8)}`,
    });
    const critical = wazuhAlert({ level: 15, agent, srcip: '198.51.100.23' });
    try {
      await pub.publishAsync('ioc/security/event', JSON.stringify(critical), { qos: 1 });
      await pub.publishAsync('ioc/security/event', JSON.stringify({ rule: { level: 5 } }), { qos: 1 });
    } finally {
      await pub.endAsync();
    }

    // the panel: the events, newest first, with their band and addresses
    const events = await eventually(
      async () => {
        const res = await operator.fetch(`/api/security/events?agent=${agent}`);
        const items = ((await res.json()) as { items: SecurityEventView[] }).items;
        return items.length === 3 && items;
      },
      10_000,
      'three stored events',
    );
    expect(events.map((e) => [e.level, e.band, e.srcIp, e.blocked])).toEqual([
      [15, 'critical', '198.51.100.23', false],
      [3, 'low', '203.0.113.9', true],
      [12, 'high', '203.0.113.9', false],
    ]);
    // the bad MQTT message is a counted reject with its reason
    const rejects = await admin.fetch('/api/ingest/rejects?reason=invalid_payload&limit=50');
    const items = ((await rejects.json()) as { items: RejectEntry[] }).items;
    expect(items.some((r) => r.topic === 'ioc/security/event' && r.detail.includes('agent'))).toBe(true);

    const summary = (await (await operator.fetch('/api/security/summary')).json()) as SecuritySummary;
    expect(summary.byBand).toMatchObject({ high: 1, critical: 1, low: 1 });
    expect(summary.topSources[0]).toEqual({ ip: '203.0.113.9', events: 2, maxLevel: 12 });
    expect(summary.affected.find((a) => a.agent === agent)).toMatchObject({ events: 3, maxLevel: 15 });
    expect(summary.openHigh).toBe(2);
    expect(summary.highLevel).toBe(12);

    // counted into the indicator catalogue, by band and system
    // from two hours back: `from` is a bucket's start bound, and the events, timed 5 s before they were
    // sent, may lie in the hour before the one now (an hour back from now would leave that bucket out)
    const q = new URLSearchParams({
      from: String(Date.now() - 2 * 3_600_000),
      to: String(Date.now() + 60_000),
      bucket: '1h',
      by: 'topic',
    });
    const series = await eventually(async () => {
      const res = await operator.fetch(`/api/indicators/soc_attacks_detected/series?${q}`);
      const p = ((await res.json()) as { points: Array<{ key: string; sum: number }> }).points;
      return p.length >= 3 && p;
    });
    const byKey = new Map<string, number>();
    for (const p of series) byKey.set(p.key, (byKey.get(p.key) ?? 0) + p.sum);
    expect(Object.fromEntries(byKey)).toMatchObject({
      'severity-high': 1,
      'severity-critical': 1,
      'severity-low': 1,
    });

    // the high events raised one alarm for the system, critical for the level-15 one; acknowledging it answers them
    const alarm = await eventually(async () =>
      (await openAlarms()).find((a) => a.key === `security_event:${agent}`),
    );
    expect(alarm.title.code).toBe('security_event');
    expect(alarm.title.params).toMatchObject({ agent, level: 15, band: 'critical' });
    expect(alarm.priority).toBe(1);
    const ack = await operator.fetch(
      `/api/alarms/${alarm.id}/actions`,
      json('POST', { action: 'acknowledge' }),
    );
    expect(ack.status).toBe(200);
    const after = (await (await operator.fetch('/api/security/summary')).json()) as SecuritySummary;
    expect(after.openHigh).toBe(0);
    const dash = (await (await operator.fetch('/api/dashboard/security')).json()) as SecurityDashboard;
    expect(dash.acknowledged).toBeGreaterThanOrEqual(1);
    expect(dash.mttrMs).toBeGreaterThanOrEqual(0);
    expect(dash.events).toBeGreaterThanOrEqual(3);
    expect(dash.blocked).toBeGreaterThanOrEqual(1);
  });

  it('refuses SIEM events from a source not allowed them, as a counted reject', async () => {
    const created = await admin.fetch(
      '/api/admin/indicator-sources',
      json('POST', { id: 'stats-only', name: 'Statistics', indicators: ['cpi'] }),
    );
    const { apiKey } = (await created.json()) as IndicatorSourceKey;
    const res = await fetch(
      `${ioc.httpUrl}/api/ingest/stats-only`,
      json('POST', wazuhAlert({ level: 12, agent }), { 'x-api-key': apiKey }),
    );
    expect(((await res.json()) as IngestAnswer).rows[0]).toMatchObject({
      status: 'rejected',
      reason: 'not_permitted',
    });
  });

  it('probes a public system the admin adds, sees it go down when its server stops, and raises system_down', async () => {
    await site.start();
    // down for 0 ms is enough here (3 minutes by default); back up clears at once
    const rule = {
      rule: 'system_down',
      enabled: true,
      priority: 2,
      latched: false,
      threshold: null,
      margin: null,
      delayMs: 0,
      clearDelayMs: 0,
    };
    expect((await admin.fetch('/api/admin/alarm-rules/system_down', json('PUT', rule))).status).toBe(200);
    const id = `cong-${randomUUID().slice(0, 6)}`;
    const add = await admin.fetch(
      '/api/admin/security/systems',
      json('POST', { id, nameVi: 'Cổng thử', nameEn: 'Test portal', kind: 'portal', url: site.url(), agent }),
    );
    expect(add.status).toBe(201);
    expect((await audit('security_system.create', admin.username)).some((e) => e.target === id)).toBe(true);
    const system = async () => {
      const res = await operator.fetch('/api/security/systems');
      return ((await res.json()) as { items: SecuritySystemView[] }).items.find((s) => s.id === id);
    };
    await ioc.security.probeNow();
    const up = await system();
    expect(up?.probe).toMatchObject({ up: true, status: 200, error: null });
    expect(up?.probe?.responseMs).toBeGreaterThanOrEqual(0);

    await site.stop();
    await ioc.security.probeNow();
    const down = await system();
    expect(down?.probe).toMatchObject({ up: false, error: 'refused' });
    expect(down?.downSince).toBe(down?.probe?.time);
    const alarm = await eventually(async () =>
      (await openAlarms()).find((a) => a.key === `system_down:${id}`),
    );
    expect(alarm.title.params).toMatchObject({ system: id, nameVi: 'Cổng thử', error: 'refused' });
    const summary = (await (await operator.fetch('/api/security/summary')).json()) as SecuritySummary;
    expect(summary.systemsDown).toBeGreaterThanOrEqual(1);

    // back up: the alarm clears; the dashboard's availability counts both probes
    await site.start();
    await ioc.security.probeNow();
    await eventually(async () => {
      const a = (await openAlarms()).find((x) => x.key === `system_down:${id}`);
      return (a === undefined || a.state === 'normal') && true;
    });
    const dash = (await (await operator.fetch('/api/dashboard/security')).json()) as SecurityDashboard;
    // (adding it probed it once more)
    const avail = dash.availability.find((a) => a.id === id);
    expect(avail?.probes).toBeGreaterThanOrEqual(3);
    expect(avail?.up).toBe((avail?.probes ?? 0) - 1);

    // disabled: no longer probed or shown as down
    const off = await admin.fetch(`/api/admin/security/systems/${id}`, json('PATCH', { disabled: true }));
    expect(((await off.json()) as { item: SecuritySystemView }).item.disabled).toBe(true);
    expect((await audit('security_system.disable', admin.username)).some((e) => e.target === id)).toBe(true);
  });

  it('shows security data to operators and admins only, and audits every view', async () => {
    for (const who of [leader, field])
      for (const path of [
        '/api/security/summary',
        '/api/security/events',
        '/api/security/systems',
        '/api/dashboard/security',
      ])
        expect((await who.fetch(path)).status, `${who.username} ${path}`).toBe(403);
    // the leader's other dashboard figures still answer
    expect((await leader.fetch('/api/dashboard/summary')).status).toBe(200);
    expect((await admin.fetch('/api/security/summary')).status).toBe(200);
    const denied = (await audit('http.denied', leader.username)).map((e) => e.target);
    expect(denied).toContain('GET /api/security/summary');
    expect(denied).toContain('GET /api/dashboard/security');
    await operator.fetch('/api/security/events');
    const views = (await audit('security.view', operator.username)).map((e) => e.target);
    expect(views).toEqual(expect.arrayContaining(['summary', 'events', 'systems', 'dashboard']));
    expect((await audit('security.view', admin.username)).map((e) => e.target)).toContain('summary');
  });
});
