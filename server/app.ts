import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Registry } from 'prom-client';
import type { Health } from './contracts/api.ts';
import type { CityModel } from './contracts/assets.ts';
import type { CityState } from './domain/cityState.ts';
import { type ApiQueries, apiRouter } from './http/apiRouter.ts';
import { dashboardRouter } from './http/dashboardRouter.ts';
import { errorHandler, HttpError, notFound } from './http/errors.ts';
import { incidentsRouter } from './http/incidentsRouter.ts';
import { layersRouter } from './http/layersRouter.ts';
import { open311Errors, open311Router } from './http/open311Router.ts';
import { type IncidentDeps, reportsRouter } from './http/reportsRouter.ts';
import type { DashboardQueries } from './store/dashboardRepo.ts';

export interface AppDeps {
  city: () => CityModel;
  cityGeoJson: () => unknown;
  state: CityState;
  health: () => Promise<Health>;
  metrics: Registry;
  queries: ApiQueries;
  /** field reports, photos, the incident lifecycle and Open311; left out, those routes answer 404 */
  incidents?: IncidentDeps;
  snapshotSvg?: (cameraId: string, now: number) => string | undefined;
  /** the leaders' dashboard figures (`/api/dashboard/...`); left out, those routes answer 404 */
  dashboard?: DashboardQueries;
  /** built client (dist/client); pages are served from it when present */
  staticDir?: string;
  log: { error(obj: object, msg: string): void };
}

/** Pages of the product and the built file each serves. */
const PAGES: Record<string, string> = {
  '/': 'console/index.html',
  '/report': 'field/index.html',
  '/dashboard': 'dashboard/index.html',
};

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
  app.use(express.json({ limit: '256kb' }));

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
  if (deps.dashboard) app.use(dashboardRouter({ queries: deps.dashboard, city: deps.city }));
  if (deps.incidents) {
    app.use(reportsRouter(deps.incidents));
    app.use(incidentsRouter(deps.incidents));
    app.use(open311Router(deps.incidents));
    app.use('/open311', open311Errors);
  }
  app.use('/api', notFound);

  const dir = deps.staticDir;
  if (dir && existsSync(dir)) {
    for (const [route, file] of Object.entries(PAGES)) {
      const full = path.join(dir, file);
      app.get(route, (_req, res, next) => {
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
