import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import helmet from 'helmet';
import type { Registry } from 'prom-client';
import type { Health } from '#contract/api.ts';
import type { CityModel } from '#contract/assets.ts';
import { authenticate, guardPage } from './auth/guard.ts';
import type { CityState } from './domain/cityState.ts';
import { isOwnOrigin } from './domain/origin.ts';
import { auditedRateLimit, enforcePolicy, routeNotFound } from './http/access.ts';
import { type AdminDeps, adminRouter } from './http/adminRouter.ts';
import { type AlarmsDeps, alarmsRouter } from './http/alarmsRouter.ts';
import { type ApiQueries, apiRouter } from './http/apiRouter.ts';
import { type AuthDeps, authRouter } from './http/authRouter.ts';
import { dashboardRouter } from './http/dashboardRouter.ts';
import { errorHandler, HttpError, notFound } from './http/errors.ts';
import { incidentsRouter } from './http/incidentsRouter.ts';
import { type IndicatorsDeps, indicatorsRouter } from './http/indicatorsRouter.ts';
import { layersRouter } from './http/layersRouter.ts';
import { open311Cors, open311Errors, open311Router } from './http/open311Router.ts';
import { apiRoutes, openApiDocument, routePattern } from './http/openapi.ts';
import { PhotoGate } from './http/photoGate.ts';
import { type IncidentDeps, reportsRouter } from './http/reportsRouter.ts';
import { type SecurityDeps, securityRouter } from './http/securityRouter.ts';
import { servicesRouter } from './http/servicesRouter.ts';
import { type UnitsDeps, unitsRouter } from './http/unitsRouter.ts';
import { healthDraft } from './modules/health.ts';
import { replayRouter } from './replay/replayRouter.ts';
import type { ReplayService } from './replay/replayService.ts';
import type { DashboardQueries } from './store/dashboardRepo.ts';
import type { ServicesQueries } from './store/servicesRepo.ts';

export interface AppDeps {
  city: () => CityModel;
  cityGeoJson: () => unknown;
  state: CityState;
  health: () => Promise<Health>;
  metrics: Registry;
  /** times each request (`ioc_http_request_duration_seconds`) */
  httpRequests?: express.RequestHandler;
  queries: ApiQueries;
  /** field reports, photos, the incident lifecycle and Open311; left out, those routes answer 404 */
  incidents?: IncidentDeps;
  /** a drawn frame of a camera the running simulation owns (a real camera's snapshot comes from its events) */
  snapshotSvg?: (cameraId: string, now: number) => string | undefined;
  /** the leaders' dashboard figures (`/api/dashboard/...`); left out, those routes answer 404 */
  dashboard?: DashboardQueries;
  /** the services on the indicator feed (`/api/services/tiles`, their dashboard tabs); left out, 404 */
  services?: ServicesQueries;
  /** the alarms (`/api/alarms...`, `/api/admin/alarm-rules`, `/api/admin/out-of-service`); left out, 404 */
  alarms?: AlarmsDeps;
  /** the indicator feed (`/api/ingest/{source}`, `/api/indicators...`, `/api/admin/indicators...`); left out, 404 */
  indicators?: IndicatorsDeps;
  /** information security (`/api/security/...`, `/api/dashboard/security`, `/api/admin/security/...`); left out, 404 */
  security?: SecurityDeps;
  /**
   * proxies whose X-Forwarded-For/-Proto are believed (Express's `trust proxy`); default loopback.
   * Behind a TLS-ending proxy the cookie is then Secure, URLs say https and HSTS is sent.
   */
  trustProxy?: boolean | number | string;
  /** the product's version, in the API description */
  version?: string;
  /** the console's replay (`/api/replay...`); left out, those routes answer 404 */
  replay?: ReplayService;
  /** patrol and field units, their positions and tasks (`/api/units...`, `/api/tasks...`); left out, 404 */
  units?: UnitsDeps;
  /** built client (dist/client); pages are served from it when present */
  staticDir?: string;
  log: { error(obj: object, msg: string): void };
  /** accounts, sessions, the access table and the audit log */
  auth: AuthDeps &
    Omit<AdminDeps, 'users' | 'sessions' | 'audit'> & {
      /** origins (scheme://host:port) allowed to call from another site; none: same origin only */
      corsOrigins: string[];
      /** Bearer token that may read /metrics without a session (Prometheus) */
      metricsToken?: string;
    };
}

/** Pages of the product and the built file each serves. */
const PAGES: Record<string, string> = {
  '/': 'console/index.html',
  '/report': 'field/index.html',
  '/dashboard': 'dashboard/index.html',
  '/admin': 'admin/index.html',
};
/** Pages anyone may open. */
const PUBLIC_PAGES: Record<string, string> = { '/login': 'login/index.html' };

/**
 * Cross-origin calls: an allow-listed origin gets CORS headers (with credentials); a state-changing
 * request from any other foreign origin is refused (a second guard against CSRF besides SameSite).
 */
function corsGuard(allowed: string[]): express.RequestHandler {
  const ok = new Set(allowed);
  return (req, res, next) => {
    const origin = req.get('origin');
    if (!origin) return next();
    // Open311 is public to every site, without credentials (open311Cors)
    if (req.path.startsWith(`${OPEN311}/`)) return next();
    if (isOwnOrigin(origin, req.get('host'))) return next();
    if (ok.has(origin)) {
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
        Vary: 'Origin',
      });
      if (req.method === 'OPTIONS') {
        res.set({
          'Access-Control-Allow-Methods': 'GET, POST, PATCH, PUT, DELETE, OPTIONS',
          'Access-Control-Allow-Headers': 'Content-Type, Authorization',
          'Access-Control-Max-Age': '600',
        });
        return void res.status(204).end();
      }
      return next();
    }
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    next(new HttpError(403, 'bad_origin', `requests from ${origin} are not allowed`));
  };
}

const OPEN311 = '/open311/v2';

/** The Express app: security headers, the API, metrics, the built client. No env reads, no connects. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  if (deps.httpRequests) app.use(deps.httpRequests);
  app.set('trust proxy', deps.trustProxy ?? 'loopback');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          workerSrc: ["'self'", 'blob:'],
          imgSrc: ["'self'", 'data:', 'blob:'],
          styleSrc: ["'self'", "'unsafe-inline'"],
          // the pages call their own origin only (Socket.IO too: 'self' covers ws/wss of the same host)
          connectSrc: ["'self'"],
          // no web fonts: the pages use the system's
          fontSrc: ["'none'"],
          // never framed: X-Frame-Options says the same (DENY)
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: null,
        },
      },
      xFrameOptions: { action: 'deny' },
      crossOriginEmbedderPolicy: false,
      hsts: false,
    }),
  );
  // HSTS only over HTTPS (directly, or through a trusted TLS-ending proxy): over plain HTTP it means nothing
  app.use((req, res, next) => {
    if (req.secure) res.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  });
  const a = deps.auth;
  app.use(OPEN311, open311Cors);
  app.use(corsGuard(a.corsOrigins));
  // a batch of 1,000 indicator values is larger than the other bodies
  app.post('/api/ingest/:source', express.json({ limit: '2mb' }));
  app.use(express.json({ limit: '256kb' }));
  app.use(authenticate(a.sessions));
  // the methods the app answers on a path (405 with Allow, 404 for none), read once all routes are in
  let routes: Array<{ method: string; re: RegExp }> | undefined;
  const methodsFor = (p: string) => {
    routes ??= apiRoutes(app).map((r) => ({ method: r.method, re: routePattern(r.path) }));
    return [...new Set(routes.filter((r) => r.re.test(p)).map((r) => r.method))];
  };
  app.use(enforcePolicy(a.audit, { metricsToken: a.metricsToken, methodsFor }));
  // uploads: a phone may send a burst from its outbox, but not a flood
  const perUser = (limit: number, what: string) =>
    auditedRateLimit(a.audit, {
      limit,
      key: (req) => req.auth?.user.id ?? `ip:${ipKeyGenerator(req.ip ?? '')}`,
      code: 'rate_limited',
      message: `too many ${what}: wait a minute`,
      entry: (req) => ({ action: 'http.rate_limited', target: `${req.method} ${req.path}` }),
    });
  app.post('/api/reports', perUser(60, 'reports'));
  app.post('/open311/v2/*rest', perUser(20, 'requests'));
  app.use(authRouter(a));
  app.use(adminRouter(a));

  app.get('/api/health', async (req, res) => {
    const h = await deps.health();
    res.status(h.status === 'ok' ? 200 : 503);
    res.set('Cache-Control', 'no-store');
    res.vary('Accept');
    if (req.accepts(['application/json', 'application/health+json']) === 'application/health+json')
      return void res.type('application/health+json').send(JSON.stringify(healthDraft(h)));
    res.json(h);
  });
  let openApi: string | undefined;
  app.get('/api/openapi.json', (_req, res) => {
    openApi ??= JSON.stringify(openApiDocument(app, { version: deps.version }));
    res.set('Cache-Control', 'no-cache');
    res.type('application/json').send(openApi);
  });
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', deps.metrics.contentType);
    res.send(await deps.metrics.metrics());
  });
  app.use(layersRouter(deps));
  app.use(apiRouter(deps));
  if (deps.alarms) app.use(alarmsRouter(deps.alarms));
  if (deps.indicators) app.use(indicatorsRouter(deps.indicators));
  if (deps.security) app.use(securityRouter(deps.security));
  if (deps.dashboard) app.use(dashboardRouter({ queries: deps.dashboard, city: deps.city }));
  if (deps.replay) app.use(replayRouter({ replay: deps.replay }));
  if (deps.services) app.use(servicesRouter({ queries: deps.services, city: deps.city }));
  if (deps.units) app.use(unitsRouter(deps.units));
  if (deps.incidents) {
    // one decode budget for field reports and Open311 media
    const incidents = { ...deps.incidents, photoGate: deps.incidents.photoGate ?? new PhotoGate() };
    app.use(reportsRouter(incidents));
    app.use(incidentsRouter(incidents));
    app.use(open311Router(incidents));
    app.use('/open311', open311Errors);
  }
  app.use('/api', routeNotFound(methodsFor));
  app.use('/metrics', routeNotFound(methodsFor));

  const dir = deps.staticDir;
  if (dir && existsSync(dir)) {
    for (const [route, file] of Object.entries({ ...PAGES, ...PUBLIC_PAGES })) {
      const full = path.join(dir, file);
      app.get(route, ...(route in PAGES ? [guardPage(route)] : []), (_req, res, next) => {
        if (!existsSync(full))
          return next(new HttpError(404, 'not_built', `${route} is not part of this build`));
        res.set('Cache-Control', 'no-cache');
        res.sendFile(full);
      });
    }
    app.use(express.static(dir, { index: false, maxAge: '1h', immutable: false }));
  } else {
    app.get('/', (_req, res) => {
      res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send(
          'Giao diện chưa được build. Chạy: npm run build\nThe client is not built. Run: npm run build\n',
        );
    });
  }
  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
