import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ClientToServerEvents,
  IncidentItem,
  ServerToClientEvents,
  SubscribeAck,
} from '#contract/live.ts';
import { LAYERS } from '#contract/vocab.ts';
import { simulators } from '../../simulators/plugin.ts';
import { loadConfig } from '../config.ts';
import { type RunningIoc, startIoc } from '../main.ts';
import { eventually } from '../testing/iocHarness.ts';
import { loginAs, type TestSession } from '../testing/sessions.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The whole product (embedded broker and database), logged-in operators and plain socket.io clients:
 * one that floods the server, one that behaves, and one written from the contract alone that must
 * come back by itself after a restart.
 */
describe('live connections on the running IOC', () => {
  let dataDir: string;
  let port = 0;
  let ioc: RunningIoc | undefined;
  let operator: TestSession;
  let admin: TestSession;
  const clients: Client[] = [];

  const start = async () => {
    ioc = await startIoc(
      loadConfig({
        PORT: String(port),
        HOST: '127.0.0.1',
        MQTT_PORT: '0',
        DATA_DIR: dataDir,
        SIMULATE: 'false',
        DEMO_ACCOUNTS: 'false',
        LOG_LEVEL: 'error',
      }),
      { simulation: simulators },
    );
    port = Number(new URL(ioc.httpUrl).port);
    return ioc;
  };
  const running = () => ioc as RunningIoc;
  const connect = (opts: Parameters<typeof connectSocket>[1] = {}): Client => {
    const c: Client = connectSocket(running().httpUrl, {
      ...opts,
      extraHeaders: { cookie: operator.cookie },
    });
    clients.push(c);
    return c;
  };
  const connected = (c: Client) =>
    c.connected ? Promise.resolve() : new Promise<void>((r) => c.once('connect', () => r()));
  let n = 0;
  /** An incident changed from the console: a delta on the incidents layer for everyone subscribed. */
  const change = () => {
    const now = Date.now();
    const item: IncidentItem = {
      id: `live-test-${++n}`,
      ts: now,
      updatedAt: now,
      category: 'flooding',
      severity: 2,
      status: 'new',
      lat: 13.77,
      lon: 109.22,
      source: 'field',
    };
    running().bus.emit('incidents:changed', [item]);
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ioc-live-'));
    await start();
    operator = await loginAs(running(), 'operator');
    admin = await loginAs(running(), 'admin');
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await ioc?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('answers a flood of subscribes with rate_limited, then disconnects it, while another client keeps its deltas', async () => {
    const good = connect({ transports: ['websocket'], reconnection: false });
    const flood = connect({ transports: ['websocket'], reconnection: false });
    await Promise.all([connected(good), connected(flood)]);
    const first = await good.timeout(10_000).emitWithAck('subscribe', { layers: ['incidents'] });
    expect(first.ok).toBe(true);
    const seqs: number[] = [first.ok ? (first.seq.incidents ?? 0) : -1];
    good.on('delta', (d) => d.layer === 'incidents' && seqs.push(d.seq));
    let goodGone = false;
    good.on('disconnect', () => {
      goodGone = true;
    });

    const answers: SubscribeAck[] = [];
    let floodGone: string | undefined;
    flood.once('disconnect', (r) => {
      floodGone = r;
    });
    // 1,000 full snapshots (some 95 KB each) asked for as fast as the client can
    for (let i = 0; i < 1000; i++) flood.emit('subscribe', { layers: [...LAYERS] }, (a) => answers.push(a));
    const pump = setInterval(change, 20);
    try {
      await eventually(() => floodGone, 20_000, 'the flooding client to be disconnected');
      expect(floodGone).toBe('io server disconnect');
      const seen = seqs.length;
      await eventually(() => seqs.length > seen + 10, 10_000, 'deltas to the good client after the flood');
    } finally {
      clearInterval(pump);
    }
    const ok = answers.filter((a) => a.ok).length;
    const limited = answers.filter((a) => !a.ok && a.error.code === 'rate_limited').length;
    // refused past the burst, then cut off: a few snapshots at most, not a thousand (the burst's own
    // answers may not arrive: the disconnect can overtake them)
    expect(ok).toBeLessThanOrEqual(30);
    expect(limited).toBeGreaterThan(0);
    expect(ok + limited).toBeLessThan(1000);
    expect(goodGone).toBe(false);
    expect(seqs.every((s, i) => i === 0 || s === (seqs[i - 1] as number) + 1)).toBe(true);

    await running().audit.flush();
    const audited = await running().audit.list({ action: 'socket.flooding', actor: operator.username });
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({ outcome: 'denied', role: 'operator', target: 'subscribe' });
    const metrics = await (await admin.fetch('/metrics')).text();
    expect(metrics).toMatch(/^ioc_live_dropped_clients_total\{reason="flooding"\} 1$/m);
    good.close();
  }, 60_000);

  it('lets a plain socket.io client reconnect by itself after a restart, and subscribe again', async () => {
    // default options: no reconnection code of its own, it subscribes whenever it connects
    const plain = connect();
    const reasons: string[] = [];
    const snapshots: SubscribeAck[] = [];
    plain.on('disconnect', (r) => reasons.push(r));
    plain.on('connect', () => plain.emit('subscribe', { layers: ['traffic'] }, (a) => snapshots.push(a)));
    await eventually(() => snapshots.length === 1, 10_000, 'the first snapshot');

    await running().stop();
    ioc = undefined;
    await eventually(() => reasons.length === 1, 10_000, 'the client to see the server go');
    // the connection closed under it, not a disconnect on purpose (which socket.io clients do not retry)
    expect(reasons).toEqual(['transport close']);
    await start();
    await eventually(() => snapshots.length === 2, 30_000, 'the client to reconnect and subscribe again');
    const [, again] = snapshots;
    expect(again?.ok && again.snapshot.traffic).toBeDefined();
  }, 90_000);
});
