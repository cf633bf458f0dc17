import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALARM_RULE_DEFAULTS } from '#contract/alarms.ts';
import type { CityModel } from '#contract/assets.ts';
import { cityFromGeoJson, cityToGeoJson } from '#contract/cityModel.ts';
import { PROBE_TIMEOUT_MS } from '#contract/securityVocab.ts';
import type { SimulationPlugin } from '#contract/simulation.ts';
import { type AlarmsModule, alarmsModule } from './alarms/alarmsModule.ts';
import { alertsModule } from './alerts/alertsModule.ts';
import { createApp } from './app.ts';
import { dbAuditLog } from './auth/audit.ts';
import { DevicesRepo } from './auth/devices.ts';
import { tokenFrom } from './auth/guard.ts';
import { IndicatorSources } from './auth/indicatorSources.ts';
import { LAYER_ROLES } from './auth/policy.ts';
import { internalCredentials } from './auth/secrets.ts';
import type { Sessions } from './auth/sessions.ts';
import { demoAccountsNote, startAuth } from './auth/startAuth.ts';
import type { UsersRepo } from './auth/users.ts';
import { Bus } from './bus.ts';
import { type Config, ConfigError } from './config.ts';
import { indexAssets } from './domain/assetIndex.ts';
import type { AuditLog } from './domain/audit.ts';
import { CityState } from './domain/cityState.ts';
import { createMetrics } from './http/metrics.ts';
import { type IndicatorsModule, indicatorsModule } from './indicators/indicatorsModule.ts';
import { assetKinds, createBrokerAuth } from './ingest/brokerAuth.ts';
import { PortInUseError, startEmbeddedBroker } from './ingest/embeddedBroker.ts';
import { IngestPipeline } from './ingest/ingestPipeline.ts';
import { startJetStreamSource } from './ingest/jetstreamSource.ts';
import { startMqttSource } from './ingest/mqttSource.ts';
import { liveModule } from './live/liveModule.ts';
import { createRedisAdapter } from './live/redisAdapter.ts';
import { createLogger, type Logger } from './log.ts';
import { healthModule } from './modules/health.ts';
import { memoryModule } from './modules/memory.ts';
import type { IocModule, ModuleDeps } from './modules/module.ts';
import { simulationModule } from './modules/simulation.ts';
import { replayService } from './replay/replayService.ts';
import { reportFeedModule } from './reports/reportFeedModule.ts';
import { type SecurityModule, securityModule } from './security/securityModule.ts';
import { startAggregateRefresher } from './store/aggregates.ts';
import { AlarmsRepo } from './store/alarmsRepo.ts';
import { saveCity } from './store/assetsRepo.ts';
import { recentCameraEvents } from './store/cameraRepo.ts';
import { dashboardQueries } from './store/dashboardRepo.ts';
import type { Db } from './store/db.ts';
import { trafficHistory } from './store/historyRepo.ts';
import { IncidentsRepo } from './store/incidentsRepo.ts';
import {
  getIndicator,
  indicatorAlarmHistory,
  indicatorSeries,
  insertIndicator,
  listAgencies,
  listIndicators,
  listLabels,
  putAgency,
  putLabel,
  updateIndicator,
} from './store/indicatorsRepo.ts';
import { migrate } from './store/migrate.ts';
import { openPglite } from './store/pgliteDb.ts';
import { PhotoStore } from './store/photoStore.ts';
import { openPostgres } from './store/postgresDb.ts';
import { writeBatch } from './store/readingsRepo.ts';
import { insertRejects, listRejects } from './store/rejectsRepo.ts';
import {
  getSystem,
  insertProbe,
  insertSystem,
  latestProbes,
  listSecurityEvents,
  listSystems,
  securityDashboard,
  securityFigures,
  updateSystem,
  upsertSimulatedSystems,
} from './store/securityRepo.ts';
import { servicesQueries } from './store/servicesRepo.ts';
import { latestCameraEvents, latestCameraStatus, latestTraffic, openIncidents } from './store/stateRepo.ts';
import { UnitsRepo } from './store/unitsRepo.ts';
import { UnplacedReportsRepo } from './store/unplacedReportsRepo.ts';
import { type UnitsService, unitsModule } from './units/unitsModule.ts';

// The composition root: the IOC as a library (`startIoc`). The product's entry is ../ioc.ts, which plugs
// the simulators in; the server imports nothing of the simulators.

/** How long a stop waits for the database to take what is pending (unwritten = unacknowledged: not lost). */
const STOP_WRITE_DEADLINE_MS = 10_000;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface RunningIoc {
  httpUrl: string;
  mqttUrl: string;
  db: Db;
  bus: Bus;
  state: CityState;
  city: CityModel;
  ingest: IngestPipeline;
  /** the alarm engine: whether this instance runs the rules, and a pass of them now */
  alarms: Pick<AlarmsModule, 'leading' | 'evaluate'>;
  /** settles when the first start's simulated history is stored (at once when there is none to make) */
  history: Promise<void>;
  /** MQTT devices and their credentials (the embedded broker checks them) */
  devices: DevicesRepo;
  /** the indicator feed: the catalogue ingest checks against, folding late values into the aggregates */
  indicators: Pick<IndicatorsModule, 'catalogue' | 'load' | 'refreshFor' | 'received'>;
  /** the systems that send indicator values over HTTP, and their API keys */
  indicatorSources: IndicatorSources;
  /** information security: the inventory's systems with their latest probes, and a round of probes now */
  security: Pick<SecurityModule, 'systems' | 'probeNow' | 'reload'>;
  /** patrol and field units: the registry (the simulation's patrols register here) and the live list */
  units: Pick<UnitsService, 'register' | 'list' | 'registry'>;
  users: UsersRepo;
  sessions: Sessions;
  audit: AuditLog;
  stop(): Promise<void>;
}

export interface IocOptions {
  /** default: one made from LOG_LEVEL and LOG_FORMAT */
  log?: Logger;
  /**
   * the simulation SIMULATE runs, and the city when there is no CITY_FILE; the product (ioc.ts) plugs in
   * the simulators. Without one, SIMULATE must be off and CITY_FILE set.
   */
  simulation?: SimulationPlugin;
}

/** Starts the whole product from a validated config; the only place that picks database, broker and adapter. */
export async function startIoc(cfg: Config, opts: IocOptions = {}): Promise<RunningIoc> {
  const log = opts.log ?? loggerFor(cfg);
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
    return await boot(cfg, log, opts.simulation, stops, stopAll);
  } catch (err) {
    await stopAll();
    throw err;
  }
}

interface Stop {
  name: string;
  fn: () => Promise<void> | void;
}

/**
 * The composition: the core services (city, database, bus, ingest, MQTT, HTTP), then the modules that
 * own their wiring (health, live, alerts, alarms, the simulation), started in order. Each start pushes its stop:
 * they run in reverse, so the modules stop before the core they use.
 */
async function boot(
  cfg: Config,
  log: Logger,
  plugin: SimulationPlugin | undefined,
  stops: Stop[],
  stopAll: () => Promise<void>,
): Promise<RunningIoc> {
  const started = Date.now();
  if (cfg.simulate && !plugin)
    throw new ConfigError('SIMULATE is on but no simulation is plugged in: set SIMULATE=false');

  // the city
  const city = await loadCity(cfg, plugin);
  const cityGeoJson = cityToGeoJson(city);
  log.info(
    { segments: city.segments.length, cameras: city.cameras.length, districts: city.districts.length },
    `city model: ${city.name}`,
  );

  // database
  const db = await openDatabase(cfg, log, stops);
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

  // the indicator catalogue, read before ingest takes its first message
  const indicators = indicatorsModule({ db, wards: () => city.districts.map((d) => d.id) });
  await indicators.load();

  // bus and ingest
  const bus = new Bus();
  bus.onListenerError = (err, event, key) => log.error({ err, event, key }, 'bus listener failed');
  // the units ingest takes positions for: the units module fills it from the registry
  const unitIds = new Set<string>();
  const assets = indexAssets(city, undefined, unitIds);
  const store = {
    writeBatch: (b: Parameters<typeof writeBatch>[1]) => writeBatch(db, b),
    insertRejects: (r: Parameters<typeof insertRejects>[1]) => insertRejects(db, r),
  };
  const ingest = new IngestPipeline({
    store,
    bus,
    assets: () => assets,
    indicators: () => indicators.catalogue(),
    batchMax: cfg.INGEST_BATCH_MAX,
    flushMs: cfg.INGEST_FLUSH_MS,
    log,
  });
  stops.push({ name: 'ingest (writing what is pending)', fn: () => ingest.stop(STOP_WRITE_DEADLINE_MS) });

  // broker and MQTT source
  const devices = new DevicesRepo(db);
  const mqtt = await startMqtt(cfg, { devices, audit, ingest, log, city }, stops);

  // HTTP + Socket.IO
  // the app is the server's own request handler, so Socket.IO (attached by the live module) hands it
  // every request that is not its own; a second 'request' listener would answer /socket.io requests twice
  let app: http.RequestListener = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const httpServer = http.createServer((req, res) => app(req, res));
  let adapter: Awaited<ReturnType<typeof createRedisAdapter>> | undefined;
  if (cfg.REDIS_URL) {
    adapter = await createRedisAdapter(cfg.REDIS_URL, cfg.REDIS_KEY, log);
    const a = adapter;
    stops.push({ name: 'Redis adapter', fn: () => a.close() });
  }
  const auth = await startAuth(cfg, db, audit, log);
  const corsOrigins =
    cfg.CORS_ORIGINS?.split(',')
      .map((o) => o.trim())
      .filter(Boolean) ?? [];

  // the modules (the alarm engine after live: its first announcement fills the `alarms` layer)
  const health = healthModule({
    ingest,
    mqttConnected: mqtt.connected,
    ...(adapter ? { redisDownSince: adapter.link.downSince } : {}),
    started,
  });
  const live = liveModule({
    gateway: {
      adapter: adapter?.adapter,
      link: adapter?.link,
      httpServer,
      flushMs: cfg.LIVE_FLUSH_MS,
      log,
      auth: {
        check: (token, activity) => auth.sessions.check(token, activity),
        tokenFrom,
        onRevoked: (fn) => auth.sessions.onRevoked(fn),
        mayView: (role, layer) => LAYER_ROLES[layer]?.includes(role) ?? false,
        allowedOrigins: corsOrigins,
        audit,
      },
    },
  });
  const alerts = alertsModule();
  const alarmsRepo = new AlarmsRepo(db);
  const alarms = alarmsModule({
    repo: alarmsRepo,
    mqttConnected: mqtt.connected,
    crowdThresholds: async () =>
      new Map((await alarmsRepo.crowdThresholds()).map((x) => [x.cameraId, x.threshold])),
    indicators: {
      catalogue: () => indicators.catalogue().indicators,
      history: (q) => indicatorAlarmHistory(db, q),
    },
  });
  // information security: the public systems probed every SECURITY_PROBE_S (after the alarm engine: its
  // first announcement reaches the rules)
  const security = securityModule({
    store: {
      systems: () => listSystems(db),
      latestProbes: () => latestProbes(db),
      insertProbe: (id, p) => insertProbe(db, id, p),
    },
    intervalMs: cfg.SECURITY_PROBE_S * 1000,
    timeoutMs: PROBE_TIMEOUT_MS,
  });
  const { registry, httpRequests } = createMetrics(bus, {
    liveClients: () => live.clientCount(),
    ingestPending: () => ingest.stats.pending,
    mqttConnected: mqtt.connected,
  });
  // refusals of the embedded broker, on the registry the HTTP app serves
  if (mqtt.denied) registry.registerMetric(mqtt.denied);
  // photo files: outside the web root, served only through /api/photos/{id}
  const photos = new PhotoStore(path.resolve(cfg.DATA_DIR, 'photos'));
  await photos.init();
  const incidentsRepo = new IncidentsRepo(db, photos);
  const units = unitsModule({
    repo: new UnitsRepo(db, photos),
    incidents: incidentsRepo,
    unitIds,
    submit: (topic, payload, origin) => ingest.submit(topic, payload, origin),
  });
  const indicatorSources = new IndicatorSources(db);
  const assetExists = (id: string) =>
    assets.segments.has(id) || assets.cameras.has(id) || indicators.catalogue().indicators.has(id);
  // the simulation starts once the server listens (its MQTT client id names the port)
  let simulation: ReturnType<typeof simulationModule> | undefined;
  app = createApp({
    city: () => city,
    cityGeoJson: () => cityGeoJson,
    state,
    health: () => health.check(),
    metrics: registry,
    httpRequests,
    trustProxy: cfg.TRUST_PROXY,
    queries: {
      trafficHistory: (q) => trafficHistory(db, q),
      listRejects: (q) => listRejects(db, q),
      cameraEvents: (q) => recentCameraEvents(db, q),
    },
    incidents: {
      repo: incidentsRepo,
      unplaced: new UnplacedReportsRepo(db, photos),
      photos,
      bus,
      city: () => city,
      assets: () => assets,
      audit,
      units,
    },
    units: { units, photos, audit, users: auth.users },
    auth: {
      ...auth,
      audit,
      devices,
      assetExists,
      corsOrigins,
      metricsToken: cfg.METRICS_TOKEN,
    },
    dashboard: dashboardQueries(db, { operatorPositions: cfg.ALARM_OPERATOR_POSITIONS }),
    services: servicesQueries(
      db,
      () => indicators.catalogue().indicators,
      (id) => indicators.received(id),
    ),
    indicators: {
      ingest,
      sources: indicatorSources,
      catalogue: () => indicators.catalogue(),
      store: {
        list: () => listIndicators(db),
        get: (id) => getIndicator(db, id),
        create: (d) => insertIndicator(db, d),
        update: (id, ch) => updateIndicator(db, id, ch),
        agencies: () => listAgencies(db),
        putAgency: (a) => putAgency(db, a),
        labels: () => listLabels(db),
        putLabel: (x) => putLabel(db, x),
        series: (q) => indicatorSeries(db, q),
      },
      reload: () => indicators.load(),
      refreshFor: (times) => indicators.refreshFor(times),
      audit,
    },
    alarms: {
      repo: alarmsRepo,
      bus,
      audit,
      assetExists: (id) => assets.segments.has(id) || assets.cameras.has(id),
      cameraExists: (id) => assets.cameras.has(id),
    },
    security: {
      store: {
        events: (q) => listSecurityEvents(db, q),
        figures: (q) => securityFigures(db, q),
        dashboard: (q) => securityDashboard(db, q),
        getSystem: (id) => getSystem(db, id),
        insertSystem: (x, by) => insertSystem(db, x, by),
        updateSystem: (id, ch, by) => updateSystem(db, id, ch, by),
      },
      systems: () => security.systems(),
      reload: () => security.reload(),
      city: () => city,
      highLevel: async () =>
        (await alarmsRepo.listRules()).find((r) => r.rule === 'security_event')?.threshold ??
        ALARM_RULE_DEFAULTS.security_event.threshold ??
        12,
      audit,
    },
    replay: replayService(db, () => city),
    // drawn frames of the simulation's own cameras; a real camera's come from its events (apiRouter)
    snapshotSvg: (cameraId, now) => simulation?.snapshotSvg(cameraId, now),
    staticDir: path.join(ROOT, 'dist', 'client'),
    log,
  });
  // continuous aggregates (started before listening, so that a stop closes browsers' sockets first and
  // then waits for a refresh in progress): TimescaleDB's own jobs refresh them on a server; PGlite has no background workers
  // (plain PostgreSQL: this fills the dashboard's daily rollup tables, sql/007)
  if ((db.kind === 'pglite' && db.timescale) || !db.timescale) {
    const refresher = startAggregateRefresher(db, 60_000, { logger: log });
    stops.push({ name: 'aggregate refresher', fn: () => refresher.stop() });
  }
  // stops run in reverse: the live module's Socket.IO first (it ends the upgraded WebSockets that would
  // keep the HTTP server open), then the server (closing one that never listened is harmless)
  stops.push({
    name: 'HTTP server',
    fn: () =>
      new Promise<void>((r) => {
        httpServer.close(() => r());
        httpServer.closeAllConnections();
      }),
  });
  // Socket.IO is attached before listening: a browser reconnecting at once never meets the plain app
  // each module gets the core services; stops run in reverse
  const deps: ModuleDeps = { bus, db, city: () => city, state, log };
  const startModule = async (m: IocModule) => {
    await m.start(deps);
    stops.push({ name: m.name, fn: () => m.stop() });
  };
  const reportFeed = reportFeedModule({ repo: incidentsRepo });
  for (const m of [health, live, alerts, indicators, alarms, security, reportFeed, units, memoryModule()])
    await startModule(m);
  await listen(httpServer, cfg.PORT, cfg.HOST);
  const port = (httpServer.address() as AddressInfo).port;
  const httpUrl = `http://localhost:${port}`;
  simulation =
    cfg.simulate && plugin
      ? simulationModule({
          plugin,
          seed: cfg.SIM_SEED,
          backfillDays: cfg.BACKFILL_DAYS,
          mqtt: { url: mqtt.url, clientId: `ioc-sim-${process.pid}-${port}` },
          devices: mqtt.embedded ? devices : undefined,
          incidents: incidentsRepo,
          units: { register: (defs) => units.register(defs) },
          ingest: { store, assets: () => assets, indicators: () => indicators.catalogue() },
          indicators: {
            ids: () => [...indicators.catalogue().indicators.keys()],
            refreshFor: (times) => indicators.refreshFor(times),
          },
        })
      : undefined;
  if (simulation) {
    await startModule(simulation);
    // the simulation's public systems (served in-process) join the inventory, at their address of this start
    const simulated = simulation.securitySystems();
    if (simulated.length) {
      await upsertSimulatedSystems(db, simulated);
      await security.reload();
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
      `  MQTT (devices)        ${mqtt.url}${mqtt.embedded ? ' (embedded broker)' : cfg.NATS_URL ? ` (into JetStream ${cfg.NATS_STREAM} at ${redact(cfg.NATS_URL)})` : ''}`,
    ].join('\n'),
  );
  // shown once, on the terminal only: the log (files, collectors) never holds a password
  if (auth.demo.length) process.stdout.write(demoAccountsNote(auth.demo, `${httpUrl}/login`));
  return {
    httpUrl,
    mqttUrl: mqtt.url,
    db,
    bus,
    state,
    city,
    ingest,
    alarms,
    history: simulation?.history() ?? Promise.resolve(),
    devices,
    indicators,
    indicatorSources,
    security,
    units,
    users: auth.users,
    sessions: auth.sessions,
    audit,
    stop: stopAll,
  };
}

/** The city model: from CITY_FILE, else the simulation's own. */
async function loadCity(cfg: Config, plugin: SimulationPlugin | undefined): Promise<CityModel> {
  if (cfg.CITY_FILE)
    return cityFromGeoJson(JSON.parse(await readFile(cfg.CITY_FILE, 'utf8')), path.basename(cfg.CITY_FILE));
  if (plugin) return plugin.city(cfg.SIM_SEED);
  throw new ConfigError('No city model: set CITY_FILE to a GeoJSON of the city (or plug in a simulation)');
}

/** The configured database (PostgreSQL, or the embedded one in DATA_DIR), migrated. */
async function openDatabase(cfg: Config, log: Logger, stops: Stop[]): Promise<Db> {
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
  return db;
}

/** The embedded broker (no MQTT_URL), or a subscription to the external one; ingest takes both. */
async function startMqtt(
  cfg: Config,
  o: { devices: DevicesRepo; audit: AuditLog; ingest: IngestPipeline; log: Logger; city: CityModel },
  stops: Stop[],
): Promise<{
  url: string;
  embedded: boolean;
  connected: () => boolean;
  /** the embedded broker's refusals (a metric) */
  denied?: ReturnType<typeof createBrokerAuth>['denied'];
}> {
  const { ingest, log } = o;
  if (!cfg.MQTT_URL) {
    // the embedded broker lets in the registered devices, each publishing for its own assets (and an
    // in-process subscriber with credentials made now and known to nobody else: ingest itself needs no
    // login, it takes the messages inside the broker)
    const server = internalCredentials();
    const brokerAuth = createBrokerAuth({
      devices: o.devices,
      audit: o.audit,
      server,
      log,
      assetKind: assetKinds(
        o.city.segments.map((s) => s.id),
        o.city.cameras.map((c) => c.id),
      ),
    });
    // (stops run in reverse: the repeat counts are audited before the audit log's last flush)
    stops.push({ name: 'MQTT audit', fn: () => brokerAuth.stop() });
    // ingest takes the devices' messages inside the broker: a device's PUBACK waits for the commit
    const broker = await startEmbeddedBroker({
      port: cfg.MQTT_PORT,
      host: cfg.HOST,
      auth: brokerAuth.auth,
      ingest,
      log,
    });
    // (stops run in reverse: the broker stops taking messages, then ingest writes what it took)
    stops.push({ name: 'embedded broker', fn: () => broker.close() });
    return { url: broker.url, embedded: true, connected: () => true, denied: brokerAuth.denied };
  }
  if (cfg.NATS_URL) {
    // a durable log between the broker and ingest: the devices publish to NATS's MQTT listener
    // (MQTT_URL), their messages land in a JetStream stream, and every instance pulls from one durable
    // consumer, acknowledging after each commit; what a dead instance had not committed goes to another
    const source = await startJetStreamSource({
      url: cfg.NATS_URL,
      stream: cfg.NATS_STREAM,
      consumer: cfg.NATS_CONSUMER,
      ackWaitMs: cfg.NATS_ACK_WAIT_S * 1000,
      onMessage: (topic, payload) => ingest.accept(topic, payload),
      drain: () => ingest.stop(STOP_WRITE_DEADLINE_MS),
      log,
    });
    stops.push({ name: 'JetStream consumer', fn: () => source.stop() });
    return { url: cfg.MQTT_URL, embedded: false, connected: () => source.connected() };
  }
  // an external broker: ingest subscribes with a persistent session and acknowledges after each commit
  const source = await startMqttSource({
    url: cfg.MQTT_URL,
    clientId: cfg.MQTT_CLIENT_ID,
    // an external broker (Mosquitto) checks logins itself (npm run mosquitto-config)
    username: cfg.MQTT_USERNAME,
    password: cfg.MQTT_PASSWORD,
    protocolVersion: 5,
    sharedGroup: cfg.MQTT_SHARED_GROUP,
    sessionExpiryS: cfg.MQTT_SESSION_EXPIRY_S,
    onMessage: (topic, payload, delivery) => ingest.accept(topic, payload, delivery),
    // stop taking messages, write (and so acknowledge) what was taken, then disconnect
    drain: () => ingest.stop(STOP_WRITE_DEADLINE_MS),
    log,
  });
  stops.push({ name: 'MQTT subscription', fn: () => source.stop() });
  return { url: cfg.MQTT_URL, embedded: false, connected: () => source.connected() };
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

/** The logger LOG_LEVEL and LOG_FORMAT ask for. */
export function loggerFor(cfg: Config): Logger {
  return createLogger(cfg.LOG_LEVEL, cfg.LOG_FORMAT === 'auto' ? undefined : cfg.LOG_FORMAT === 'pretty');
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, '//$1:***@');
}
