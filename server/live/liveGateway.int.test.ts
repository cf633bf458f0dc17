import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, Delta, ServerToClientEvents, TrafficItem } from '#contract/live.ts';
import { generateCity } from '../../simulators/city.ts';
import { CityState } from '../domain/cityState.ts';
import { eventually } from '../testing/iocHarness.ts';
import { type LiveDropReason, LiveGateway } from './liveGateway.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The gateway on a real HTTP server with real Socket.IO clients, over a generated city (967 segments:
 * a traffic snapshot or a full delta is some 70 KB), with limits small enough to reach in a test.
 */
describe('live gateway: what one client may cost', () => {
  const city = generateCity(42);
  const state = new CityState(city);
  const drops: LiveDropReason[] = [];
  const clients: Client[] = [];
  let server: http.Server;
  let gateway: LiveGateway;
  let url: string;
  let speed = 10;

  /** A change of every segment, as a busy minute would bring. */
  const push = () => {
    speed = (speed % 90) + 1;
    const items: TrafficItem[] = city.segments.map((s) => ({
      id: s.id,
      ts: Date.now(),
      speedKmh: speed,
      level: 'free',
    }));
    state.applyItems('traffic', items);
    gateway.push('traffic', items);
  };

  const connect = (): Client => {
    const c: Client = connectSocket(url, { transports: ['websocket'] });
    clients.push(c);
    return c;
  };
  const connected = (c: Client) =>
    c.connected ? Promise.resolve() : new Promise<void>((r) => c.once('connect', () => r()));

  beforeAll(async () => {
    server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    gateway = new LiveGateway({
      httpServer: server,
      state,
      city: () => city,
      flushMs: 10,
      stats: () => ({ ingestRate: 0, rejectRate: 0 }),
      statsEveryMs: 200,
      log: { warn: () => {} },
      limits: { slowBytes: 256 * 1024, maxBytes: 1024 * 1024, stallMs: 3000 },
      onDrop: (r) => drops.push(r),
      // one instance, one clock: a resume need not reach back before the client's last delta
      resumeMarginMs: 0,
    });
    push();
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await gateway.close();
  });

  it('builds a snapshot once for everyone who subscribes at the same time', async () => {
    const many = Array.from({ length: 20 }, connect);
    await Promise.all(many.map(connected));
    const before = gateway.snapshotsBuilt;
    const acks = await Promise.all(
      many.map((c) => c.timeout(10_000).emitWithAck('subscribe', { layers: ['traffic', 'cameras'] })),
    );
    for (const a of acks) {
      expect(a.ok && a.snapshot.traffic?.length).toBe(city.segments.length);
      expect(a.ok && a.snapshot.traffic?.[0]?.speedKmh).toBe(speed);
    }
    // one list per layer, not one per caller
    expect(gateway.snapshotsBuilt - before).toBe(2);

    // a change is in the next snapshot: the shared one is rebuilt once
    const delta = new Promise<Delta>((r) => many[0]?.once('delta', r));
    push();
    expect((await delta).seq).toBe(acks[0]?.ok && (acks[0].seq.traffic ?? 0) + 1);
    const again = await Promise.all(
      many.slice(0, 5).map((c) => c.timeout(10_000).emitWithAck('subscribe', { layers: ['traffic'] })),
    );
    for (const a of again) expect(a.ok && a.snapshot.traffic?.[0]?.speedKmh).toBe(speed);
    expect(gateway.snapshotsBuilt - before).toBe(3);
    for (const c of many) c.close();
  });

  it('answers a resume with what changed since the last delta, and the whole layer when its deltas do not reach back', async () => {
    const c = connect();
    await connected(c);
    await c.timeout(10_000).emitWithAck('subscribe', { layers: ['traffic'] });
    const one = (k: number, speedKmh: number) => {
      const it: TrafficItem = { id: city.segments[k].id, ts: Date.now(), speedKmh, level: 'free' };
      state.applyItems('traffic', [it]);
      gateway.push('traffic', [it]);
    };
    const next = () => new Promise<Delta>((r) => c.once('delta', r));
    let d = next();
    one(1, 71);
    const last = await d;
    // the client is away: two more changes, the second one twice
    d = next();
    one(2, 72);
    await d;
    d = next();
    one(3, 73);
    await d;
    d = next();
    one(3, 74);
    const newest = await d;
    const back = connect();
    await connected(back);
    const ack = await back.timeout(10_000).emitWithAck('subscribe', {
      layers: ['traffic', 'alerts'],
      resume: { traffic: last.ts, alerts: last.ts },
    });
    if (!ack.ok) throw new Error(ack.error.message);
    expect(ack.snapshot.traffic).toBeUndefined();
    const changed = new Map(ack.changes?.traffic?.map((it: TrafficItem) => [it.id, it.speedKmh]));
    expect(changed.get(city.segments[2].id)).toBe(72);
    expect(changed.get(city.segments[3].id)).toBe(74);
    expect(ack.seq.traffic).toBe(newest.seq);
    // alerts are not resumed: the snapshot holds the recent ones
    expect(ack.snapshot.alerts).toBeDefined();
    // from before this instance started: its deltas cannot say what changed, so the whole layer
    const old = await back
      .timeout(10_000)
      .emitWithAck('subscribe', { layers: ['traffic'], resume: { traffic: Date.now() - 3_600_000 } });
    if (!old.ok) throw new Error(old.error.message);
    expect(old.changes).toBeUndefined();
    expect(old.snapshot.traffic?.length).toBe(city.segments.length);
    c.close();
    back.close();
  });

  it('skips, then drops, clients that stop reading, while the others keep receiving in order', async () => {
    const good = connect();
    const stalled = connect();
    const greedy = connect();
    await Promise.all([good, stalled, greedy].map(connected));
    for (const c of [good, stalled, greedy])
      expect((await c.timeout(10_000).emitWithAck('subscribe', { layers: ['traffic'] })).ok).toBe(true);
    const goodSeqs: number[] = [];
    good.on('delta', (d) => goodSeqs.push(d.seq));
    let goodGone = false;
    good.on('disconnect', () => {
      goodGone = true;
    });
    // the two stop reading their TCP connections: the server's writes pile up behind them
    const tcp = (c: Client) =>
      (c.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } }).ws._socket;
    tcp(stalled).pause();
    tcp(greedy).pause();

    const pump = setInterval(push, 10);
    try {
      // one that asks for snapshots it does not read goes past the hard cap
      await eventually(
        () => {
          greedy.emit('subscribe', { layers: ['traffic', 'cameras'] }, () => {});
          return drops.includes('buffer_full');
        },
        30_000,
        'the greedy client to be dropped past the cap',
      );
      // one that only stops reading is sent no deltas once behind, and dropped when it stays behind
      await eventually(() => drops.includes('stalled'), 30_000, 'the stalled client to be dropped');
      expect(drops.filter((d) => d !== 'flooding').sort()).toEqual(['buffer_full', 'stalled']);
      const seen = goodSeqs.length;
      await eventually(
        () => goodSeqs.length > seen + 20,
        10_000,
        'deltas to the good client after the drops',
      );
    } finally {
      clearInterval(pump);
    }
    expect(goodGone).toBe(false);
    // every delta, in order, none skipped
    expect(goodSeqs.every((s, i) => i === 0 || s === (goodSeqs[i - 1] as number) + 1)).toBe(true);

    // the dropped client, reading again, reconnects by itself and starts from a fresh snapshot
    const back = new Promise<boolean>((r) => stalled.once('connect', () => r(stalled.recovered)));
    tcp(stalled).resume();
    expect(await back).toBe(false);
    const ack = await stalled.timeout(10_000).emitWithAck('subscribe', { layers: ['traffic'] });
    expect(ack.ok && ack.snapshot.traffic?.[0]?.speedKmh).toBe(speed);
  }, 90_000);
});
