// Scenario 6: a logged-in operator's socket sends 1,000 `subscribe` a second for 10 s while readings
// flow. The IOC's memory must stay bounded and another operator's console must keep getting its
// live deltas; ingest goes on storing every acknowledged message.
import { randomBytes } from 'node:crypto';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents } from '#contract/live.ts';
import { login } from '../../server/testing/sessions.ts';
import { prepareEmbedded, SEGMENTS, tempDir } from './support/databases.ts';
import { startIocProcess, storedByMetrics } from './support/iocProcess.ts';
import { Monitor } from './support/monitor.ts';
import { Publisher } from './support/publisher.ts';
import { drainAndCount, judge, rate } from './support/scenario.ts';
import { freePort, onCleanup, poll, say, sleep } from './support/util.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

const FLOOD_PER_S = 1000;
const FLOOD_MS = 10_000;
/** after the flood: the IOC's memory and the watcher's deltas are still watched this long */
const SETTLE_MS = 5_000;
/** live deltas come every LIVE_FLUSH_MS (100 ms) while readings flow: a console stalled longer is frozen */
const MAX_DELTA_GAP_MS = 2_000;
/** the embedded IOC (PGlite in the process) sits at ~650 MiB under this load */
const RSS_BOUND_MIB = 1024;

function connect(httpUrl: string, cookie: string): Promise<Client> {
  const s: Client = connectSocket(httpUrl, {
    transports: ['websocket'],
    extraHeaders: { cookie },
    reconnection: false,
  });
  onCleanup('socket', () => {
    s.disconnect();
  });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

describe('socket flood', () => {
  it('6 socket flood: 1,000 subscribe/s for 10 s', async () => {
    const scenario = '6 socket flood 1,000 subscribe/s';
    const startedAt = Date.now();
    const notes: string[] = [];
    const prefix = `6-${randomBytes(3).toString('hex')}`;
    const dataDir = tempDir('flood');
    const { device, operators } = await prepareEmbedded(dataDir, 2);
    const mqttPort = String(await freePort());
    const ioc = startIocProcess({ PORT: String(await freePort()), MQTT_PORT: mqttPort, DATA_DIR: dataDir });
    await ioc.ready();
    const monitor = new Monitor(() => ioc).start();
    const pub = await Publisher.connect({
      url: `mqtt://127.0.0.1:${mqttPort}`,
      ...device,
      segments: SEGMENTS,
      prefix,
      rate: rate(1000),
    });
    pub.start();
    await poll(
      async () => (await storedByMetrics(ioc.httpUrl)) > 0,
      20_000,
      'the first readings to be stored',
    );

    // a well-behaved console, another operator's
    const watcher = await connect(
      ioc.httpUrl,
      await login(ioc.httpUrl, operators[1].username, operators[1].password),
    );
    const deltaTimes: number[] = [];
    watcher.on('delta', (d) => {
      if (d.layer === 'traffic') deltaTimes.push(Date.now());
    });
    const ack = await watcher.timeout(10_000).emitWithAck('subscribe', { layers: ['traffic'] });
    expect(ack.ok).toBe(true);
    await poll(() => deltaTimes.length > 0, 10_000, 'the first live delta');

    // the flooding page: 10 `subscribe` every 10 ms without waiting for the answers, and connecting
    // again at once whenever the server disconnects it (a hostile script would), for the whole 10 s
    const cookie = await login(ioc.httpUrl, operators[0].username, operators[0].password);
    let flooder: Client | undefined;
    let connecting = false;
    let connections = 0;
    let refused: string | undefined;
    const disconnects = new Map<string, number>();
    const answers = new Map<string, number>();
    let sent = 0;
    const ensureFlooder = () => {
      if (flooder?.connected || connecting || refused) return;
      connecting = true;
      connect(ioc.httpUrl, cookie)
        .then((s) => {
          connections++;
          flooder = s;
          s.on('disconnect', (reason) => disconnects.set(reason, (disconnects.get(reason) ?? 0) + 1));
        })
        .catch((e: Error) => {
          refused = e.message;
        })
        .finally(() => {
          connecting = false;
        });
    };
    say(`${scenario}: flooding`);
    const floodAt = Date.now();
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (Date.now() - floodAt >= FLOOD_MS) {
          clearInterval(timer);
          resolve();
          return;
        }
        ensureFlooder();
        const s = flooder;
        if (!s?.connected) return;
        for (let i = 0; i < FLOOD_PER_S / 100; i++) {
          sent++;
          s.emit('subscribe', { layers: ['traffic', 'cameras', 'incidents', 'alerts'] }, (a) => {
            const k = a.ok ? 'ok' : a.error.code;
            answers.set(k, (answers.get(k) ?? 0) + 1);
          });
        }
      }, 10);
    });
    const floodEnd = Date.now();
    await sleep(SETTLE_MS);
    const watchEnd = Date.now();
    const inWindow = [floodAt, ...deltaTimes.filter((t) => t >= floodAt && t <= watchEnd), watchEnd];
    let maxGap = 0;
    for (let i = 1; i < inWindow.length; i++) maxGap = Math.max(maxGap, inWindow[i] - inWindow[i - 1]);
    const watcherConnected = watcher.connected;
    const list = (m: Map<string, number>) => [...m].map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
    notes.push(
      `flood: ${sent} subscribe sent in ${Math.round((floodEnd - floodAt) / 100) / 10} s on ${connections} connections, ` +
        `answers: ${list(answers)}; disconnects: ${list(disconnects)}${refused ? `; connection refused: ${refused}` : ''}`,
      `watcher: ${inWindow.length - 2} deltas during and ${SETTLE_MS / 1000} s after, longest gap ${maxGap} ms`,
    );
    const healthDuring = monitor.summary(floodAt, watchEnd);
    say(`draining (${pub.outstanding} not acknowledged yet)`);
    const afterFrom = Date.now();
    await sleep(2000);
    const healthAfter = monitor.summary(afterFrom);
    const healthyAfter = monitor.allOk(afterFrom, Date.now());
    watcher.disconnect();
    flooder?.disconnect();
    const stored = await drainAndCount(pub, ioc, { kind: 'embedded', dataDir }, prefix, notes);
    monitor.stop();
    const { failures } = judge({
      scenario,
      setup: 'embedded',
      startedAt,
      pub,
      stored,
      monitor,
      rssBoundMiB: RSS_BOUND_MIB,
      healthDuring,
      healthAfter,
      checks: [
        [
          maxGap <= MAX_DELTA_GAP_MS,
          `the other console went ${maxGap} ms without a delta (bound ${MAX_DELTA_GAP_MS} ms)`,
        ],
        [watcherConnected, 'the other console was disconnected'],
        [monitor.allOk(floodAt, watchEnd), `health not ok during the flood: ${healthDuring}`],
        [healthyAfter, `health not ok after: ${healthAfter}`],
      ],
      notes,
    });
    expect(failures).toEqual([]);
  });
});
