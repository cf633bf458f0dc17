import { Router } from 'express';
import { z } from 'zod';
import type { CityModel } from '#contract/assets.ts';
import { CreateSystemSchema, UpdateSystemSchema } from '#contract/security.ts';
import type { SecurityDashboard, SecuritySummary, SecuritySystemView } from '#contract/securityVocab.ts';
import { actorOf } from '../auth/guard.ts';
import type { AuditLog } from '../domain/audit.ts';
import type {
  listSecurityEvents,
  SystemRecord,
  securityDashboard,
  securityFigures,
} from '../store/securityRepo.ts';
import { dashboardEndpoints, PeriodQuery } from './dashboardEndpoint.ts';
import { HttpError } from './errors.ts';
import { parseBody, parseQuery, QueryTime, queryToken } from './query.ts';

type Q<F extends (db: never, ...a: never[]) => unknown> = F extends (db: never, ...a: infer A) => infer R
  ? (...a: A) => R
  : never;

/** What the security routes need; the composition root binds them to the database and the probe module. */
export interface SecurityDeps {
  store: {
    events: Q<typeof listSecurityEvents>;
    figures: Q<typeof securityFigures>;
    dashboard: Q<typeof securityDashboard>;
    getSystem(id: string): Promise<SystemRecord | undefined>;
    insertSystem(s: Omit<SystemRecord, 'updatedAt' | 'disabled'>, by: string | null): Promise<SystemRecord>;
    updateSystem(
      id: string,
      ch: z.output<typeof UpdateSystemSchema>,
      by: string | null,
    ): Promise<SystemRecord | undefined>;
  };
  /** the inventory with the latest probes (the probe module's) */
  systems(): SecuritySystemView[];
  /** the inventory changed: read it again and probe */
  reload(): Promise<void>;
  /** the rule level from which an event is high (the `security_event` rule's threshold) */
  highLevel(): Promise<number>;
  audit: AuditLog;
  city: () => CityModel;
  now?: () => number;
}

const DAY = 86_400_000;
const EventsQuery = z.object({
  since: QueryTime.optional(),
  minLevel: z.coerce.number().int().min(0).max(16).optional(),
  agent: queryToken(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/**
 * Information security (issue 15), for operators and admins only (the access table): the console's
 * summary, events and systems (`/api/security/...`), the dashboard's tab (`/api/dashboard/security`) and
 * the inventory on /admin (`/api/admin/security/systems`). Every read of security data is audited
 * (`security.view`), every change of the inventory too.
 */
export function securityRouter(deps: SecurityDeps): Router {
  const r = Router();
  const now = deps.now ?? Date.now;
  const { period } = dashboardEndpoints({ city: deps.city, now });
  const viewed = (req: Parameters<typeof actorOf>[0], target: string, details?: Record<string, unknown>) =>
    deps.audit.record({ ...actorOf(req), action: 'security.view', target, outcome: 'ok', details });

  r.get('/api/security/summary', async (req, res) => {
    const t = now();
    const highLevel = await deps.highLevel();
    const f = await deps.store.figures({ since: t - DAY, highLevel, top: 10 });
    const systems = deps.systems().filter((s) => !s.disabled);
    const answer: SecuritySummary = {
      openHigh: f.openHigh,
      highLevel,
      systemsDown: systems.filter((s) => s.probe && !s.probe.up).length,
      systems: systems.length,
      byBand: f.byBand,
      topSources: f.topSources,
      affected: f.affected,
      latest: f.latest,
      asOf: t,
    };
    viewed(req, 'summary');
    res.json(answer);
  });

  r.get('/api/security/events', async (req, res) => {
    const q = parseQuery(EventsQuery, req.query);
    const items = await deps.store.events({
      since: q.since ?? now() - 7 * DAY,
      minLevel: q.minLevel,
      agent: q.agent || undefined,
      limit: q.limit,
    });
    viewed(req, 'events', { count: items.length });
    res.json({ items });
  });

  r.get('/api/security/systems', (req, res) => {
    viewed(req, 'systems');
    res.json({ items: deps.systems() });
  });

  r.get('/api/dashboard/security', async (req, res) => {
    const p = period(parseQuery(PeriodQuery, req.query));
    const d = await deps.store.dashboard({ from: p.from, to: p.until });
    const answer: SecurityDashboard = { period: p, ...d };
    viewed(req, 'dashboard', { from: p.from, to: p.to });
    res.json(answer);
  });

  // the inventory (admins; /api/admin/* is theirs in the access table)
  r.get('/api/admin/security/systems', (req, res) => {
    viewed(req, 'systems');
    res.json({ items: deps.systems() });
  });

  r.post('/api/admin/security/systems', async (req, res) => {
    const b = parseBody(CreateSystemSchema, req.body);
    const item = await deps.store
      .insertSystem({ ...b, simulated: false }, actorOf(req).actor)
      .catch((err: { code?: string }) => {
        if (err.code === '23505') throw new HttpError(409, 'system_exists', `system ${b.id} exists`);
        throw err;
      });
    await deps.reload();
    deps.audit.record({
      ...actorOf(req),
      action: 'security_system.create',
      target: b.id,
      outcome: 'ok',
      details: { ...b },
    });
    res.status(201).json({ item: deps.systems().find((s) => s.id === item.id) ?? item });
  });

  r.patch('/api/admin/security/systems/:id', async (req, res) => {
    const id = String(req.params.id);
    const b = parseBody(UpdateSystemSchema, req.body);
    const item = await deps.store.updateSystem(id, b, actorOf(req).actor);
    if (!item) throw new HttpError(404, 'unknown_system', `no system ${id}`);
    await deps.reload();
    deps.audit.record({
      ...actorOf(req),
      action: b.disabled === true ? 'security_system.disable' : 'security_system.update',
      target: id,
      outcome: 'ok',
      details: { ...b },
    });
    res.json({ item: deps.systems().find((s) => s.id === id) ?? item });
  });

  return r;
}
