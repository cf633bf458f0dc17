import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCity } from '../../simulators/city.ts';
import { DevicesRepo } from '../auth/devices.ts';
import { saveCity } from '../store/assetsRepo.ts';
import type { Db } from '../store/db.ts';
import { migrate } from '../store/migrate.ts';
import { openPglite } from '../store/pgliteDb.ts';
import { eventually } from '../testing/iocHarness.ts';
import {
  deviceAnswers,
  MOSQUITTO_ANSWERS,
  mosquittoClientsInstalled,
  mosquittoSub,
} from '../testing/mosquittoClients.ts';

// The files `npm run mosquitto-config` writes, loaded by a real Mosquitto 2.x: the hashes made in Node
// verify there, and its ACL lets each device publish only for its own assets.
const MOSQUITTO = '/usr/sbin/mosquitto';
const installed = existsSync(MOSQUITTO);
if (!installed && process.env.IOC_REQUIRE_SERVICES === '1')
  throw new Error(`IOC_REQUIRE_SERVICES=1 but ${MOSQUITTO} is not installed (apt-get install mosquitto)`);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

describe.runIf(installed)('Mosquitto configured by npm run mosquitto-config', () => {
  let db: Db;
  let dir: string;
  let broker: ChildProcess;
  let brokerLog = '';
  let url: string;
  const clients: MqttClient[] = [];
  const city = generateCity(42);
  const [segA, segB] = city.segments.map((s) => s.id);
  const camA = city.cameras[0].id;
  let serverPassword = '';
  let cliOut = '';
  const secrets: Record<string, string> = {};

  const connect = async (o: IClientOptions): Promise<MqttClient> => {
    const c = await mqtt.connectAsync(url, {
      clientId: `t-${randomUUID().slice(0, 8)}`,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...o,
    });
    clients.push(c);
    return c;
  };
  const refusal = (o: IClientOptions) =>
    connect(o).then(
      () => 'connected',
      (err: { code?: number; message?: string }) => err.code ?? err.message,
    );

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ioc-mosq-'));
    // the folder the operator chose to hold <out> (as /etc/mosquitto): Mosquitto may pass through it
    chmodSync(dir, 0o755);
    const dataDir = path.join(dir, 'data');
    db = await openPglite({ dataDir: path.join(dataDir, 'db') });
    await migrate(db);
    await saveCity(db, city);
    const devices = new DevicesRepo(db);
    secrets.a = (await devices.create('dev-a', 'Device A', [segA, camA])).secret as string;
    secrets.b = (await devices.create('dev-b', 'Device B', [segB], true)).secret as string;
    // the repository refuses such a name; written past it, it still cannot add a line to the ACL
    await db.query("UPDATE devices SET name = $1 WHERE id = 'dev-b'", [
      'Device B\nuser dev-a\ntopic write #',
    ]);
    secrets.c = (await devices.create('dev-c', 'Device C', [segA])).secret as string;
    await devices.update('dev-c', { disabled: true });
    await db.close();

    // npm run mosquitto-config as an operator runs it (as root in CI), then Mosquitto started exactly
    // as its output says
    const port = await freePort();
    const out = path.join(dir, 'out');
    const cli = spawnSync(
      path.resolve('node_modules/.bin/tsx'),
      [
        'server/cli/mosquittoConfig.ts',
        '--out',
        out,
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        // not the machine's own broker's /var/lib/mosquitto/
        '--persistence',
        path.join(dir, 'persist'),
      ],
      { env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' }, encoding: 'utf8', timeout: 60_000 },
    );
    cliOut = cli.stdout;
    expect(cli.status, cli.stderr).toBe(0);
    serverPassword = readFileSync(path.join(out, 'server-password'), 'utf8').trim();
    const command = /^ {2}(mosquitto -c \S+)$/m.exec(cli.stdout)?.[1];
    expect(command, cli.stdout).toBe(`mosquitto -c ${path.join(out, 'ioc.conf')}`);
    broker = spawn(MOSQUITTO, command!.split(' ').slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    broker.stdout?.on('data', (d) => {
      brokerLog += d;
    });
    broker.stderr?.on('data', (d) => {
      brokerLog += d;
    });
    url = `mqtt://127.0.0.1:${port}`;
    await eventually(
      () =>
        new Promise<boolean>((res) => {
          const s = net.connect(port, '127.0.0.1');
          s.once('connect', () => {
            s.destroy();
            res(true);
          });
          s.once('error', () => res(false));
        }),
      10_000,
      `mosquitto listening (log: ${brokerLog})`,
    );
  });

  afterAll(async () => {
    for (const c of clients) await c.endAsync(true).catch(() => {});
    broker?.kill();
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes a password file of $7$ hashes, an ACL and a configuration without anonymous access', () => {
    const out = path.join(dir, 'out');
    const passwd = readFileSync(path.join(out, 'passwd'), 'utf8');
    expect(
      passwd
        .trim()
        .split('\n')
        .map((l) => l.split(':')[0]),
    ).toEqual(['ioc-server', 'dev-a', 'dev-b']);
    expect(passwd).toMatch(/^dev-a:\$7\$101\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/m);
    expect(statSync(path.join(out, 'passwd')).mode & 0o777).toBe(0o640);
    const acl = readFileSync(path.join(out, 'acl'), 'utf8');
    expect(cliOut).toMatch(/devices from embedded .*: 2 written, 1 disabled left out/);
    // a segment's id opens its traffic topic only, a camera's its camera topics only
    expect(acl).toContain(
      `user dev-a\ntopic write ioc/traffic/${segA}\ntopic write ioc/camera/${camA}/status\ntopic write ioc/camera/${camA}/event\n`,
    );
    expect(acl).not.toContain(`ioc/camera/${segA}/`);
    expect(acl).not.toContain(`ioc/traffic/${camA}`);
    expect(acl).not.toContain(`ioc/kpi/${segA}`);
    if (process.getuid?.() === 0) {
      // Mosquitto reads these as user mosquitto: the folder is its group's, the files too, nobody else's
      const gid = Number(/^mosquitto:[^:]*:(\d+):/m.exec(readFileSync('/etc/group', 'utf8'))?.[1]);
      expect(statSync(out).gid).toBe(gid);
      expect(statSync(out).mode & 0o777).toBe(0o750);
      expect(statSync(path.join(out, 'passwd')).gid).toBe(gid);
    }
    expect(acl).toContain('user ioc-server\ntopic read ioc/#\n');
    expect(acl).toContain('# Device B user dev-a topic write #\nuser dev-b\n');
    expect(acl).not.toMatch(/^topic write #$/m);
    expect(acl).not.toContain('dev-c');
    const conf = readFileSync(path.join(out, 'ioc.conf'), 'utf8');
    expect(conf).toMatch(/^allow_anonymous false$/m);
    expect(conf).not.toMatch(/^allow_anonymous true$/m);
    expect(conf).toContain(`password_file ${path.join(out, 'passwd')}`);
    expect(conf).toContain(`acl_file ${path.join(out, 'acl')}`);
  });

  it("lets each device publish for its own assets only; the IOC's user (shared subscription) receives", async () => {
    const ingest = await connect({
      username: 'ioc-server',
      password: serverPassword,
      protocolVersion: 5,
    });
    const got: Array<[string, string]> = [];
    ingest.on('message', (topic, payload) => got.push([topic, payload.toString()]));
    const granted = await ingest.subscribeAsync('$share/ioc/ioc/#', { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);

    const a = await connect({ username: 'dev-a', password: secrets.a });
    const aGot: string[] = [];
    // a device's subscription is granted and receives nothing (the embedded broker does the same)
    expect((await a.subscribeAsync('ioc/#', { qos: 1 })).map((g) => g.qos)).toEqual([1]);
    a.on('message', (topic) => aGot.push(topic));
    const b = await connect({ username: 'dev-b', password: secrets.b });

    await a.publishAsync(`ioc/traffic/${segB}`, 'a-on-b', { qos: 1 });
    await a.publishAsync('ioc/incident/report', 'a-report', { qos: 1 });
    await a.publishAsync(`ioc/camera/${camA}/status`, 'a-cam', { qos: 1 });
    await a.publishAsync(`ioc/camera/${segA}/status`, 'a-seg-as-cam', { qos: 1 });
    await a.publishAsync(`ioc/traffic/${camA}`, 'a-cam-as-seg', { qos: 1 });
    await a.publishAsync(`ioc/traffic/${segA}`, 'a-own', { qos: 1 });
    await b.publishAsync('ioc/incident/report', 'b-report', { qos: 1 });
    await b.publishAsync(`ioc/traffic/${segB}`, 'b-own', { qos: 1 });
    await eventually(() => got.some(([, p]) => p === 'b-own'), 5000, "B's reading");
    await eventually(() => got.some(([, p]) => p === 'a-own'), 5000, "A's reading");
    expect(got.map(([, p]) => p).sort()).toEqual(['a-cam', 'a-own', 'b-own', 'b-report']);
    expect(aGot).toEqual([]);
    expect(a.connected).toBe(true);
  });

  it('refuses a wrong password, no credentials and a disabled device', async () => {
    expect(await refusal({ username: 'dev-a', password: 'wrong' })).toBe(5);
    expect(await refusal({ username: 'dev-a', password: secrets.b })).toBe(5);
    expect(await refusal({})).toBe(5);
    expect(await refusal({ username: 'dev-c', password: secrets.c })).toBe(5);
    expect(await refusal({ username: 'ioc-server', password: 'guess' })).toBe(5);
    expect(await refusal({ username: 'dev-a', password: secrets.a })).toBe('connected');
    // MQTT 5 too, as the embedded broker answers it
    expect(await refusal({ username: 'dev-a', password: secrets.a, protocolVersion: 5 })).toBe('connected');
    expect(await refusal({ username: 'dev-a', password: 'wrong', protocolVersion: 5 })).toBe(135);
  });

  // the same answers server/ingest/brokerAuth.int.test.ts expects of the embedded broker
  it.runIf(mosquittoClientsInstalled())(
    'answers mosquitto_pub and mosquitto_sub (-V 311 and -V 5) as the embedded broker does',
    async () => {
      const ingest = await connect({ username: 'ioc-server', password: serverPassword, protocolVersion: 5 });
      const got: string[] = [];
      ingest.on('message', (_topic, payload) => got.push(payload.toString()));
      await ingest.subscribeAsync('ioc/#', { qos: 1, rh: 2 });
      const subs = [
        await mosquittoSub(url, { version: '5', username: 'dev-a', password: secrets.a, topic: 'ioc/#' }),
        await mosquittoSub(url, { version: '311', username: 'dev-a', password: secrets.a, topic: 'ioc/#' }),
      ];
      try {
        expect(subs.map((s) => s.granted)).toEqual([1, 1]);
        const ids: Record<string, string[]> = { own: [], other: [], login: [] };
        const answers = await deviceAnswers(url, {
          username: 'dev-a',
          password: secrets.a,
          ownTopic: `ioc/traffic/${segA}`,
          otherTopic: `ioc/traffic/${segB}`,
          message: (kind) => {
            const id = `${kind}-${randomUUID()}`;
            ids[kind].push(id);
            return id;
          },
        });
        expect(answers).toEqual(MOSQUITTO_ANSWERS);
        await eventually(() => ids.own.every((id) => got.includes(id)), 5000, 'the own readings delivered');
        expect(got.filter((p) => !ids.own.includes(p))).toEqual([]);
        for (const s of subs) expect(s.output()).not.toMatch(/ioc\/traffic/);
      } finally {
        for (const s of subs) s.stop();
      }
    },
  );
});
