import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Health } from '#contract/api.ts';
import type { CityModel } from '#contract/assets.ts';
import { cityFromGeoJson, cityToGeoJson } from '#contract/cityModel.ts';
import { generateCity } from '../simulators/city.ts';
import { runSimulationLive } from '../simulators/liveRunner.ts';
import { type OperatorDesk, runOperatorSteps } from '../simulators/operatorRunner.ts';
import { createSimulation } from '../simulators/simulation.ts';
import { renderSnapshotSvg } from '../simulators/snapshot.ts';
import { evaluateAlerts } from './alerts/alertRules.ts';
import { createApp } from './app.ts';
import { dbAuditLog } from './auth/audit.ts';
import { DevicesRepo } from './auth/devices.ts';
import { tokenFrom } from './auth/guard.ts';
import { LAYER_ROLES } from './auth/policy.ts';
import { internalCredentials } from './auth/secrets.ts';
import type { Sessions } from './auth/sessions.ts';
import { demoAccountsNote, startAuth } from './auth/startAuth.ts';
import type { UsersRepo } from './auth/users.ts';
import { Bus } from './bus.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { indexAssets } from './domain/assetIndex.ts';
import type { AuditLog } from './domain/audit.ts';
import { CityState, noChanges } from './domain/cityState.ts';
import { createMetrics } from './http/metrics.ts';
import { createBrokerAuth } from './ingest/brokerAuth.ts';
import { type EmbeddedBroker, PortInUseError, startEmbeddedBroker } from './ingest/embeddedBroker.ts';
import { type IngestOptions, IngestPipeline } from './ingest/ingestPipeline.ts';
import { type MqttSource, startMqttSource } from './ingest/mqttSource.ts';
import { LiveGateway } from './live/liveGateway.ts';
import { createRedisAdapter } from './live/redisAdapter.ts';
import { createLogger, type Logger } from './log.ts';
import { refreshAggregates, startAggregateRefresher } from './store/aggregates.ts';
import { saveCity } from './store/assetsRepo.ts';
import { recentCameraEvents } from './store/cameraRepo.ts';
import { dashboardQueries } from './store/dashboardRepo.ts';
import { DataDirInUseError } from './store/dataDirLock.ts';
import type { Db } from './store/db.ts';
import { trafficHistory } from './store/historyRepo.ts';
import { IncidentsRepo, toListItem } from './store/incidentsRepo.ts';
import { migrate } from './store/migrate.ts';
import { openPglite } from './store/pgliteDb.ts';
import { PhotoStore } from './store/photoStore.ts';
import { openPostgres } from './store/postgresDb.ts';
import { writeBatch } from './store/readingsRepo.ts';
import { insertRejects, listRejects } from './store/rejectsRepo.ts';
import {
  countReadings,
  latestCameraEvents,
  latestCameraStatus,
  latestTraffic,
  openIncidents,
} from './store/stateRepo.ts';

/** How long a stop waits for the database to take what is pending (unwritten = unacknowledged: not lost). */
const STOP_WRITE_DEADLINE_MS = 10_000;

/** A database slow to answer health's query still counts as up while ingest committed this recently. */
const HEALTH_BUSY_GRACE_MS = 15_000;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface RunningIoc {
  httpUrl: string;
  mqttUrl: string;
  db: Db;
  bus: Bus;
  state: CityState;
  city: CityModel;
  ingest: IngestPipeline;
  /** settles when the first start's simulated history is stored (at once when there is none to make) */
  history: Promise<void>;
  /** MQTT devices and their credentials (the embedded broker checks them) */
  devices: DevicesRepo;
  users: UsersRepo;
  sessions: Sessions;
  audit: AuditLog;
  stop(): Promise<void>;
}

/** Starts the whole product from a validated config; the only place that picks database, broker and adapter. */
export async function startIoc(cfg: Config, log: Logger = loggerFor(cfg)): Promise<RunningIoc> {
  const stops: Stop[] = [];
  const stopAll = async () => {
    for (const s of stops.splice(0).reverse()) {
      const t0 = Date.now();
      try {
        await s.fn();
        log.debug({ ms: Date.now() - t0 }, `stopped ${s.name}`);
      } catch (err) {
        log.warn({ err }, `error while stopping ${s.name}`);
      }
    }
  };
  try {
    return await boot(cfg, log, stops, stopAll);
  } catch (err) {
    await stopAll();
    throw err;
  }
}

interface Stop {
  name: string;
  fn: () => Promise<void> | void;
}

async function boot(
  cfg: Config,
  log: Logger,
  stops: Stop[],
  stopAll: () => Promise<void>,
): Promise<RunningIoc> {
  const started = Date.now();
  const city = cfg.CITY_FILE
    ? cityFromGeoJson(JSON.parse(await readFile(cfg.CITY_FILE, 'utf8')), path.basename(cfg.CITY_FILE))
    : generateCity(cfg.SIM_SEED);
  const cityGeoJson = cityToGeoJson(city);
  log.info(
    { segments: city.segments.length, cameras: city.cameras.length, districts: city.districts.length },
    `city model: ${city.name}`,
  );

  // database
  const db = cfg.DATABASE_URL
    ? await openPostgres(cfg.DATABASE_URL)
    : await openPglite({ dataDir: path.resolve(cfg.DATA_DIR, 'db') });
  stops.push({ name: 'database', fn: () => db.close() });
  const applied = await migrate(db);
  log.info(
    { kind: db.kind, timescale: db.timescale, migrations: applied.length },
    cfg.DATABASE_URL
      ? `database: ${redact(cfg.DATABASE_URL)}`
      : `database: embedded (${path.resolve(cfg.DATA_DIR, 'db')})`,
  );
  await saveCity(db, city);
  const audit = dbAuditLog(db, log);
  stops.push({ name: 'audit log', fn: () => audit.flush() });

  // live state from what is stored
  const state = new CityState(city);
  const since = Date.now() - 3_600_000;
  state.load({
    traffic: await latestTraffic(db),
    cameraStatus: await latestCameraStatus(db),
    cameraEvents: await latestCameraEvents(db, since),
    incidents: await openIncidents(db),
  });

  const bus = new Bus();
  bus.onListenerError = (err, event, key) => log.error({ err, event, key }, 'bus listener failed');
  const assets = indexAssets(city);
  const store = {
    writeBatch: (b: Parameters<typeof writeBatch>[1]) => writeBatch(db, b),
    insertRejects: (r: Parameters<typeof insertRejects>[1]) => insertRejects(db, r),
  };
  const ingest = new IngestPipeline({
    store,
    bus,
    assets: () => assets,
    batchMax: cfg.INGEST_BATCH_MAX,
    flushMs: cfg.INGEST_FLUSH_MS,
    log,
  });
  stops.push({ name: 'ingest (writing what is pending)', fn: () => ingest.stop(STOP_WRITE_DEADLINE_MS) });

  // broker and MQTT source
  const devices = new DevicesRepo(db);
  let broker: EmbeddedBroker | undefined;
  let mqttUrl = cfg.MQTT_URL;
  let mqttDenied: ReturnType<typeof createBrokerAuth>['denied'] | undefined;
  if (!mqttUrl) {
    // the embedded broker lets in the registered devices, each publishing for its own assets (and an
    // in-process subscriber with credentials made now and known to nobody else: ingest itself needs no
    // login, it takes the messages inside the broker)
    const server = internalCredentials();
    const brokerAuth = createBrokerAuth({ devices, audit, server, log });
    // (stops run in reverse: the repeat counts are audited before the audit log's last flush)
    stops.push({ name: 'MQTT audit', fn: () => brokerAuth.stop() });
    mqttDenied = brokerAuth.denied;
    // ingest takes the devices' messages inside the broker: a device's PUBACK waits for the commit
    broker = await startEmbeddedBroker({
      port: cfg.MQTT_PORT,
      host: cfg.HOST,
      auth: brokerAuth.auth,
      ingest,
      log,
    });
    const b = broker;
    // (stops run in reverse: the broker stops taking messages, then ingest writes what it took)
    stops.push({ name: 'embedded broker', fn: () => b.close() });
    mqttUrl = broker.url;
  }
  // an external broker: ingest subscribes with a persistent session and acknowledges after each commit
  const source: Pick<MqttSource, 'connected'> = broker
    ? { connected: () => true }
    : await startMqttSource({
        url: mqttUrl,
        clientId: cfg.MQTT_CLIENT_ID,
        // an external broker (Mosquitto) checks logins itself (npm run mosquitto-config)
        username: cfg.MQTT_USERNAME,
        password: cfg.MQTT_PASSWORD,
        protocolVersion: 5,
        sharedGroup: cfg.MQTT_SHARED_GROUP,
        sessionExpiryS: cfg.MQTT_SESSION_EXPIRY_S,
        onMessage: (topic, payload) => ingest.accept(topic, payload),
        // stop taking messages, write (and so acknowledge) what was taken, then disconnect
        drain: () => ingest.stop(STOP_WRITE_DEADLINE_MS),
        log,
      }).then((s) => {
        stops.push({ name: 'MQTT subscription', fn: () => s.stop() });
        return s;
      });

  // HTTP + Socket.IO
  // the app is the server's own request handler, so Socket.IO (attached next) hands it every request
  // that is not its own; a second 'request' listener would answer /socket.io requests twice
  let app: http.RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const httpServer = http.createServer((req, res) => app(req, res));
  const rates = rateMeter(bus);
  let adapter: Awaited<ReturnType<typeof createRedisAdapter>> | undefined;
  if (cfg.REDIS_URL) {
    adapter = await createRedisAdapter(cfg.REDIS_URL, log);
    const a = adapter;
    stops.push({ name: 'Redis adapter', fn: () => a.close() });
  }
  const auth = await startAuth(cfg, db, audit, log);
  const corsOrigins =
    cfg.CORS_ORIGINS?.split(',')
      .map((o) => o.trim())
      .filter(Boolean) ?? [];
  const gateway = new LiveGateway({
    adapter: adapter?.adapter,
    httpServer,
    state,
    city: () => city,
    flushMs: cfg.LIVE_FLUSH_MS,
    stats: () => rates.sample(),
    log,
    onDrop: (reason) => bus.emit('live:dropped', { reason }),
    auth: {
      check: (token, activity) => auth.sessions.check(token, activity),
      tokenFrom,
      onRevoked: (fn) => auth.sessions.onRevoked(fn),
      mayView: (role, layer) => LAYER_ROLES[layer]?.includes(role) ?? false,
      allowedOrigins: corsOrigins,
      audit,
    },
  });
  const { registry } = createMetrics(bus, () => gateway.clientCount());
  const lastFired = new Map<string, number>();
  bus.on('ingest:written', 'live', ({ batch, incidents }) => {
    const ch = state.apply(batch, incidents);
    gateway.push('traffic', ch.traffic);
    gateway.push('cameras', ch.cameras);
    gateway.push('incidents', ch.incidents);
    for (const a of evaluateAlerts(ch, city, Date.now(), lastFired)) bus.emit('alert', a);
  });
  bus.on('incidents:changed', 'live', (items) => {
    // reports from the field and Open311 raise the same alert as those from MQTT
    const newIncidents = items.filter((i) => !state.incidents.has(i.id));
    state.applyIncidents(items);
    gateway.push('incidents', items);
    const ch = { ...noChanges(), incidents: items, newIncidents };
    for (const a of evaluateAlerts(ch, city, Date.now(), lastFired)) bus.emit('alert', a);
  });
  bus.on('alert', 'live', (a) => gateway.pushAlert(a));

  // The database is up when it answers, or, while it is busy (a maintenance step holds the embedded
  // one), when ingest committed a batch lately and its writes are not failing: a slow answer alone is no
  // outage. A refused call, or silence with no recent commit, is.
  let lastCommit = 0;
  bus.on('ingest:stored', 'health', () => {
    lastCommit = Date.now();
  });
  const health = async (): Promise<Health> => {
    const answer = await Promise.race([
      db.query('SELECT 1').then(
        () => 'ok' as const,
        () => 'down' as const,
      ),
      new Promise<'slow'>((r) => setTimeout(() => r('slow'), 2000).unref()),
    ]);
    const dbOk =
      answer === 'ok' ||
      (answer === 'slow' && !ingest.failing && Date.now() - lastCommit < HEALTH_BUSY_GRACE_MS);
    const mqttOk = source.connected();
    return {
      status: dbOk && mqttOk ? 'ok' : 'degraded',
      db: dbOk ? 'ok' : 'down',
      mqtt: mqttOk ? 'ok' : 'down',
      uptimeS: Math.round((Date.now() - started) / 1000),
    };
  };
  // photo files: outside the web root, served only through /api/photos/{id}
  const photos = new PhotoStore(path.resolve(cfg.DATA_DIR, 'photos'));
  await photos.init();
  const incidentsRepo = new IncidentsRepo(db, photos);
  app = createApp({
    city: () => city,
    cityGeoJson: () => cityGeoJson,
    state,
    health,
    metrics: registry,
    queries: {
      trafficHistory: (q) => trafficHistory(db, q),
      listRejects: (q) => listRejects(db, q),
      cameraEvents: (q) => recentCameraEvents(db, q),
    },
    incidents: { repo: incidentsRepo, photos, bus, city: () => city, assets: () => assets, audit },
    auth: {
      ...auth,
      audit,
      devices,
      assetExists: (id) => assets.segments.has(id) || assets.cameras.has(id),
      corsOrigins,
      metricsToken: cfg.METRICS_TOKEN,
    },
    dashboard: dashboardQueries(db),
    snapshotSvg: (cameraId, now) => {
      const cam = city.cameras.find((c) => c.id === cameraId);
      if (!cam) return undefined;
      const st = state.cameras.get(cameraId);
      const seg = cam.segmentId ? state.traffic.get(cam.segmentId) : undefined;
      return renderSnapshotSvg({
        cameraId,
        cameraName: cam.name,
        timeMs: now,
        online: st?.online ?? true,
        speedKmh: seg?.speedKmh,
      });
    },
    staticDir: path.join(ROOT, 'dist', 'client'),
    log,
  });
  // continuous aggregates (started before listening, so that a stop closes browsers' sockets first and
  // then waits for a refresh in progress): TimescaleDB's own jobs refresh them on a server; PGlite has no background workers
  // (plain PostgreSQL: this fills the dashboard's daily rollup tables, sql/007)
  if ((db.kind === 'pglite' && db.timescale) || !db.timescale) {
    const refresher = startAggregateRefresher(db, 60_000);
    stops.push({ name: 'aggregate refresher', fn: () => refresher.stop() });
  }

  await listen(httpServer, cfg.PORT, cfg.HOST);
  // stops run in reverse: Socket.IO first (it ends the upgraded WebSockets that would keep the HTTP server open)
  stops.push({
    name: 'HTTP server',
    fn: () =>
      new Promise<void>((r) => {
        httpServer.close(() => r());
        httpServer.closeAllConnections();
      }),
  });
  stops.push({ name: 'Socket.IO', fn: () => gateway.close() });
  const port = (httpServer.address() as AddressInfo).port;
  const httpUrl = `http://localhost:${port}`;

  // simulators
  let history: Promise<void> = Promise.resolve();
  const desk: OperatorDesk = {
    openIncidents: async () =>
      (await incidentsRepo.list({ status: 'open', limit: 20_000, order: 'rank' })).map(toListItem),
    apply: async (id, step) => {
      const r = await incidentsRepo.applyAction(id, step.action, step);
      return r.ok ? r.item : undefined;
    },
  };
  // refusals of the embedded broker, on the registry the HTTP app serves
  if (mqttDenied) registry.registerMetric(mqttDenied);
  if (cfg.simulate) {
    const sim = createSimulation({ city, seed: cfg.SIM_SEED });
    // on the embedded broker the simulators are a device owning every asset, with a new secret each start;
    // an external broker gets no credentials from here (see the README: Devices and MQTT credentials)
    const simLogin = broker
      ? await devices.ensureSimulatorDevice([
          ...city.segments.map((s) => s.id),
          ...city.cameras.map((c) => c.id),
        ])
      : undefined;
    if (simLogin?.device.disabled)
      log.warn(
        { device: simLogin.device.id },
        "the simulators' MQTT device is disabled: simulated data is refused",
      );
    const runner = runSimulationLive({
      url: mqttUrl,
      sim,
      clientId: `ioc-sim-${process.pid}-${port}`,
      username: simLogin?.device.username,
      password: simLogin?.secret,
      log,
    });
    stops.push({ name: 'simulators', fn: () => runner.stop() });
    // simulated duty officers work the simulated incidents, so the queue looks like a staffed centre's
    let deskBusy = false;
    const deskTimer = setInterval(() => {
      if (deskBusy) return;
      deskBusy = true;
      runOperatorSteps(desk, Date.now(), cfg.SIM_SEED)
        .then((changed) => changed.length && bus.emit('incidents:changed', changed))
        .catch((err) => log.warn({ err }, 'simulated operators failed'))
        .finally(() => {
          deskBusy = false;
        });
    }, 30_000);
    stops.push({ name: 'simulated operators', fn: () => clearInterval(deskTimer) });
    log.info({ seed: cfg.SIM_SEED }, 'simulators running in-process');
    if (cfg.BACKFILL_DAYS > 0 && (await countReadings(db)) === 0) {
      // history fills in behind the live view; a restart before it is done starts it again (ids dedupe)
      const abort = new AbortController();
      history = backfill(
        cfg,
        db,
        { store, assets: () => assets },
        createSimulation({ city, seed: cfg.SIM_SEED }),
        log,
        abort.signal,
        desk,
        bus,
      ).catch((err) => {
        if (!abort.signal.aborted) log.error({ err }, 'backfilling history failed');
      });
      stops.push({
        name: 'history backfill',
        fn: async () => {
          abort.abort();
          await history;
        },
      });
    }
  }

  log.info(
    { startedInMs: Date.now() - started },
    [
      'IOC ready',
      `  console (operators)   ${httpUrl}/`,
      `  field reports         ${httpUrl}/report`,
      `  dashboard (leaders)   ${httpUrl}/dashboard`,
      `  health · metrics      ${httpUrl}/api/health · ${httpUrl}/metrics`,
      `  MQTT (devices)        ${mqttUrl}${broker ? ' (embedded broker)' : ''}`,
    ].join('\n'),
  );
  // shown once, on the terminal only: the log (files, collectors) never holds a password
  if (auth.demo.length) process.stdout.write(demoAccountsNote(auth.demo, `${httpUrl}/login`));
  return {
    httpUrl,
    mqttUrl,
    db,
    bus,
    state,
    city,
    ingest,
    history,
    devices,
    users: auth.users,
    sessions: auth.sessions,
    audit,
    stop: stopAll,
  };
}

/** Simulated history through the same decode → validate → batch → store path, with no live push. */
async function backfill(
  cfg: Config,
  db: Db,
  /** the live pipeline's store and asset index: the history takes the same path */
  ingestDeps: Pick<IngestOptions, 'store' | 'assets'>,
  sim: ReturnType<typeof createSimulation>,
  log: Logger,
  signal: AbortSignal,
  desk: OperatorDesk,
  bus: Bus,
): Promise<void> {
  const t0 = Date.now();
  const to = t0;
  const from = to - cfg.BACKFILL_DAYS * 86_400_000;
  const pipe = new IngestPipeline({
    ...ingestDeps,
    // no live pushes for history
    bus: new Bus(),
    batchMax: 10_000,
    flushMs: 50,
    // the history is as old as it was asked to be
    maxAgeMs: (cfg.BACKFILL_DAYS + 1) * 86_400_000,
    log,
  });
  log.info(
    { days: cfg.BACKFILL_DAYS },
    'first start: simulating history in the background (about two minutes, once); the live view works meanwhile',
  );
  let n = 0;
  let lastLog = Date.now();
  let sliceStart = performance.now();
  for (const chunk of sim.backfill(from, to)) {
    if (signal.aborted) break;
    for (const m of chunk) {
      // durability is awaited once, at the end (pipe.stop): a wait per message would write one at a time
      void pipe.accept(m.topic, JSON.stringify(m.payload));
      const wait = pipe.backpressure();
      if (wait) await wait;
      // hand the event loop back every few milliseconds so live traffic, HTTP and sockets stay responsive
      if (performance.now() - sliceStart > 8) {
        await new Promise((r) => setImmediate(r));
        sliceStart = performance.now();
      }
    }
    n += chunk.length;
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      const done = (chunk.at(-1)?.payload as { ts?: number } | undefined)?.ts;
      const pct = typeof done === 'number' ? Math.round(((done - from) / (to - from)) * 100) : undefined;
      log.info(
        { messages: n, perSecond: Math.round(n / ((Date.now() - t0) / 1000)) },
        `backfilling history${pct !== undefined ? `: ${pct} %` : ''}`,
      );
    }
  }
  await pipe.stop();
  if (signal.aborted) return;
  const handled = await runOperatorSteps(desk, Date.now(), cfg.SIM_SEED);
  log.info({ incidents: handled.length }, 'simulated operators worked the history');
  // the history was stored without live pushes: show the incidents still open from it
  bus.emit('incidents:changed', await openIncidents(db));
  log.info('history stored; computing the continuous aggregates');
  // a day at a time; a stop ends the refresh at its next step (each a small window) instead of waiting
  // for the rest of it
  for (let t = from; t < to && !signal.aborted; t += 86_400_000) {
    await refreshAggregates(db, { from: t, to: Math.min(to, t + 86_400_000) }, { closedOnly: true, signal });
  }
  if (signal.aborted) return;
  const rejected = Object.values(pipe.stats.rejected).reduce((a, b) => a + b, 0);
  log.info(
    { messages: n, rejected, seconds: Math.round((Date.now() - t0) / 100) / 10 },
    'history backfilled',
  );
}

/** Messages stored and rejected per second, over the interval since the previous sample. */
function rateMeter(bus: Bus) {
  let stored = 0;
  let rejected = 0;
  let last = Date.now();
  bus.on('ingest:stored', 'rates', (e) => {
    for (const n of Object.values(e.byKind)) stored += n;
  });
  bus.on('ingest:rejected', 'rates', () => {
    rejected++;
  });
  return {
    sample() {
      const now = Date.now();
      const s = Math.max(0.001, (now - last) / 1000);
      const out = {
        ingestRate: Math.round((stored / s) * 10) / 10,
        rejectRate: Math.round((rejected / s) * 10) / 10,
      };
      stored = 0;
      rejected = 0;
      last = now;
      return out;
    },
  };
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        reject(
          new PortInUseError(
            `HTTP port ${port} is already in use. Set PORT to another port, e.g. PORT=8081 npm start`,
          ),
        );
      else reject(err);
    });
    server.listen(port, host, () => resolve());
  });
}

function loggerFor(cfg: Config): Logger {
  return createLogger(cfg.LOG_LEVEL, cfg.LOG_FORMAT === 'auto' ? undefined : cfg.LOG_FORMAT === 'pretty');
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}

async function cli(): Promise<void> {
  let cfg: Config;
  try {
    cfg = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = loggerFor(cfg);
  let ioc: RunningIoc;
  try {
    ioc = await startIoc(cfg, log);
  } catch (err) {
    if (err instanceof PortInUseError || err instanceof DataDirInUseError) {
      console.error(`\n${err.message}\n`);
      process.exit(1);
    }
    log.fatal({ err }, 'could not start');
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (sig: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal: sig }, 'stopping: writing what is pending');
    setTimeout(() => {
      log.error('could not stop within 20 s; exiting anyway');
      process.exit(1);
    }, 20_000).unref();
    ioc.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void cli();
}
