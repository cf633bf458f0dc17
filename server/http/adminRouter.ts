import { Router } from 'express';
import { z } from 'zod';
import {
  type DeviceChanged,
  type DeviceView,
  ROLES,
  type UpdateDeviceRequest,
  type UserChanged,
} from '#contract/auth.ts';
import { actorOf } from '../auth/guard.ts';
import { generatePassword } from '../auth/secrets.ts';
import type { Sessions } from '../auth/sessions.ts';
import { UserError, type UsersRepo } from '../auth/users.ts';
import type { AuditLog } from '../domain/audit.ts';
import { toCsv } from './csv.ts';
import { HttpError } from './errors.ts';
import { parseBody, parseQuery, QueryTime, queryToken, trimmedText, trimmedToken } from './query.ts';

/** What the admin routes need of the devices repository (server/auth/devices.ts). */
export interface DevicesAdmin {
  list(): Promise<DeviceView[]>;
  get(id: string): Promise<DeviceView | undefined>;
  create(id: string, name: string, assets: string[], mayReport: boolean): Promise<DeviceChanged>;
  update(id: string, ch: UpdateDeviceRequest): Promise<DeviceChanged>;
}

export interface AdminDeps {
  users: UsersRepo;
  sessions: Sessions;
  audit: AuditLog;
  devices?: DevicesAdmin;
  /** asset ids that exist, to refuse a device for an asset that does not */
  assetExists: (id: string) => boolean;
}

// names are shown on pages and written to the audit log: no control characters (NUL fails the write)
export const CreateUser = z.object({
  username: trimmedToken(48),
  displayName: trimmedText(100).default(''),
  role: z.enum(ROLES),
  password: z.string().max(256).optional(),
});
export const UpdateUser = z
  .object({
    displayName: trimmedText(100, 1).optional(),
    role: z.enum(ROLES).optional(),
    disabled: z.boolean().optional(),
    resetPassword: z.literal(true).optional(),
  })
  .strict();
export const CreateDevice = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, - and _, at most 63'),
  name: trimmedText(100, 1),
  assets: z.array(trimmedToken(64)).max(20_000),
  mayReport: z.boolean().default(false),
});
export const UpdateDevice = z
  .object({
    name: trimmedText(100, 1).optional(),
    assets: z.array(trimmedToken(64)).max(20_000).optional(),
    mayReport: z.boolean().optional(),
    disabled: z.boolean().optional(),
    rotateSecret: z.literal(true).optional(),
  })
  .strict();
export const AuditQuery = z.object({
  from: QueryTime.optional(),
  to: QueryTime.optional(),
  actor: queryToken(200).optional(),
  action: queryToken(60).optional(),
  outcome: z.enum(['ok', 'denied', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
  format: z.enum(['json', 'csv']).optional(),
});

/** A cell a spreadsheet would run as a formula (a username like `=HYPERLINK(...)`) is prefixed with '. */
export function noFormula(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

function userError(err: unknown): never {
  if (err instanceof UserError) {
    const status = err.code === 'no_user' ? 404 : err.code === 'username_taken' ? 409 : 400;
    throw new HttpError(status, err.code, err.message);
  }
  throw err;
}

/** Users, devices and the audit log, for admins (the access table lets only them in). */
export function adminRouter(deps: AdminDeps): Router {
  const r = Router();
  r.use('/api/admin', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  r.get('/api/admin/users', async (_req, res) => {
    res.json({ items: await deps.users.list() });
  });

  r.post('/api/admin/users', async (req, res) => {
    const b = parseBody(CreateUser, req.body);
    const out = await deps.users
      .create({ username: b.username, displayName: b.displayName, role: b.role, password: b.password })
      .catch(userError);
    deps.audit.record({
      ...actorOf(req),
      action: 'user.create',
      target: out.user.username,
      outcome: 'ok',
      details: { role: out.user.role },
    });
    const answer: UserChanged = out;
    res.status(201).json(answer);
  });

  r.patch('/api/admin/users/:id', async (req, res) => {
    const id = String(req.params.id);
    const b = parseBody(UpdateUser, req.body);
    const before = await deps.users.byId(id);
    if (!before) throw new HttpError(404, 'no_user', `no user ${id}`);
    if (req.auth?.user.id === id && (b.disabled === true || (b.role && b.role !== 'admin')))
      throw new HttpError(
        409,
        'own_account',
        'you cannot disable your own account or take away your own admin role',
      );
    const password = b.resetPassword ? generatePassword() : undefined;
    const user = await deps.users
      .update(id, { displayName: b.displayName, role: b.role, disabled: b.disabled, password })
      .catch(userError);
    // a disabled account, a new password or a new role: its open sessions (and sockets) end now
    let ended = 0;
    if (b.disabled === true || password || (b.role && b.role !== before.role))
      ended = await deps.sessions.revokeUser(id);
    const changes = Object.fromEntries(
      Object.entries({
        displayName: b.displayName,
        role: b.role,
        disabled: b.disabled,
        passwordReset: b.resetPassword,
      }).filter(([, v]) => v !== undefined),
    );
    deps.audit.record({
      ...actorOf(req),
      action: b.disabled === true ? 'user.disable' : b.resetPassword ? 'user.reset_password' : 'user.update',
      target: user.username,
      outcome: 'ok',
      details: { ...changes, sessionsEnded: ended },
    });
    const answer: UserChanged = password ? { user, password } : { user };
    res.json(answer);
  });

  const devices = () => {
    if (!deps.devices) throw new HttpError(404, 'no_devices', 'devices are managed by the external broker');
    return deps.devices;
  };
  const unknownAssets = (ids: string[]) => {
    const bad = ids.filter((a) => !deps.assetExists(a));
    if (bad.length)
      throw new HttpError(400, 'unknown_assets', `no such assets: ${bad.slice(0, 10).join(', ')}`, {
        unknown: bad.slice(0, 100),
      });
  };

  r.get('/api/admin/devices', async (_req, res) => {
    res.json({ items: await devices().list() });
  });

  r.post('/api/admin/devices', async (req, res) => {
    const b = parseBody(CreateDevice, req.body);
    unknownAssets(b.assets);
    const out = await devices()
      .create(b.id, b.name, [...new Set(b.assets)], b.mayReport)
      .catch((err: Error) => {
        if (/exists|duplicate|unique/i.test(err.message))
          throw new HttpError(409, 'device_exists', `device ${b.id} exists`);
        throw err;
      });
    deps.audit.record({
      ...actorOf(req),
      action: 'device.create',
      target: b.id,
      outcome: 'ok',
      details: { assets: b.assets.length, mayReport: b.mayReport },
    });
    res.status(201).json(out);
  });

  r.patch('/api/admin/devices/:id', async (req, res) => {
    const id = String(req.params.id);
    const b = parseBody(UpdateDevice, req.body);
    if (b.assets) unknownAssets(b.assets);
    if (!(await devices().get(id))) throw new HttpError(404, 'no_device', `no device ${id}`);
    const out = await devices().update(id, b);
    deps.audit.record({
      ...actorOf(req),
      action:
        b.disabled === true ? 'device.disable' : b.rotateSecret ? 'device.rotate_secret' : 'device.update',
      target: id,
      outcome: 'ok',
      details: {
        ...(b.name ? { name: b.name } : {}),
        ...(b.assets ? { assets: b.assets.length } : {}),
        ...(b.mayReport !== undefined ? { mayReport: b.mayReport } : {}),
        ...(b.disabled !== undefined ? { disabled: b.disabled } : {}),
      },
    });
    res.json(out);
  });

  r.get('/api/admin/audit', async (req, res) => {
    const q = parseQuery(AuditQuery, req.query);
    await deps.audit.flush();
    const items = await deps.audit.list(q);
    if (q.format === 'csv') {
      const rows = items.map((e) => ({
        time_utc: new Date(e.ts).toISOString(),
        actor: noFormula(e.actor ?? ''),
        role: e.role ?? '',
        action: e.action,
        target: noFormula(e.target ?? ''),
        outcome: e.outcome,
        ip: e.ip ?? '',
        details: e.details ? noFormula(JSON.stringify(e.details)) : '',
      }));
      res.set('Content-Type', 'text/csv; charset=utf-8');
      res.set(
        'Content-Disposition',
        `attachment; filename="ioc-audit-${new Date().toISOString().slice(0, 10)}.csv"`,
      );
      return void res.send(
        toCsv(rows, ['time_utc', 'actor', 'role', 'action', 'target', 'outcome', 'ip', 'details']),
      );
    }
    res.json({ items });
  });

  return r;
}
