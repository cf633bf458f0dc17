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
import { auditedRateLimit, enforcePolicy } from './http/access.ts';
import { type AdminDeps, adminRouter } from './http/adminRouter.ts';
import { type AlarmsDeps, alarmsRouter } from './http/alarmsRouter.ts';
import { type ApiQueries, apiRouter } from './http/apiRouter.ts';
import { type AuthDeps, authRouter } from './http/authRouter.ts';
import { dashboardRouter } from './http/dashboardRouter.ts';
import { errorHandler, HttpError, notFound } from './http/errors.ts';
import { incidentsRouter } from './http/incidentsRouter.ts';
import { type IndicatorsDeps, indicatorsRouter } from './http/indicatorsRouter.ts';
import { layersRouter } from './http/layersRouter.ts';
import { open311Errors, open311Router } from './http/open311Router.ts';
import { type IncidentDeps, reportsRouter } from './http/reportsRouter.ts';
import { servicesRouter } from './http/servicesRouter.ts';
import { type UnitsDeps, unitsRouter } from './http/unitsRouter.ts';
import type { DashboardQueries } from './store/dashboardRepo.ts';
import type { ServicesQueries } from './store/servicesRepo.ts';

export interface AppDeps {
  city: () => CityModel;
  cityGeoJson: () => unknown;
  state: CityState;
  health: () => Promise<Health>;
  metrics: Registry;
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

/** The Express app: security headers, the API, metrics, the built client. No env reads, no connects. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          workerSrc: ["'self'", 'blob:'],
          imgSrc: ["'self'", 'data:', 'blob:'],
          styleSrc: ["'self'", "'unsafe-inline'"],
          connectSrc: ["'self'", 'ws:', 'wss:'],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: null,
        },
      },
      crossOriginEmbedderPolicy: false,
      hsts: false,
    }),
  );
  const a = deps.auth;
  app.use(corsGuard(a.corsOrigins));
  // a batch of 1,000 indicator values is larger than the other bodies
  app.post('/api/ingest/:source', express.json({ limit: '2mb' }));
  app.use(express.json({ limit: '256kb' }));
  app.use(authenticate(a.sessions));
  app.use(enforcePolicy(a.audit, { metricsToken: a.metricsToken }));
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

  app.get('/api/health', async (_req, res) => {
    const h = await deps.health();
    res.status(h.status === 'ok' ? 200 : 503).json(h);
  });
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', deps.metrics.contentType);
    res.send(await deps.metrics.metrics());
  });
  app.use(layersRouter(deps));
  app.use(apiRouter(deps));
  if (deps.alarms) app.use(alarmsRouter(deps.alarms));
  if (deps.indicators) app.use(indicatorsRouter(deps.indicators));
  if (deps.dashboard) app.use(dashboardRouter({ queries: deps.dashboard, city: deps.city }));
  if (deps.services) app.use(servicesRouter({ queries: deps.services, city: deps.city }));
  if (deps.units) app.use(unitsRouter(deps.units));
  if (deps.incidents) {
    app.use(reportsRouter(deps.incidents));
    app.use(incidentsRouter(deps.incidents));
    app.use(open311Router(deps.incidents));
    app.use('/open311', open311Errors);
  }
  app.use('/api', notFound);

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
