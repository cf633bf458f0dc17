import { Router } from 'express';
import { z } from 'zod';
import type { UserView } from '#contract/auth.ts';
import { MAX_NOTE_CHARS } from '#contract/incidentsApi.ts';
import {
  TASK_STEPS,
  type TaskStep,
  UNIT_ID,
  UNIT_POSITION_MIN_GAP_MS,
  type UnitAdminView,
  UnitPositionSchema,
  UnitSaveSchema,
} from '#contract/units.ts';
import { actorOf } from '../auth/guard.ts';
import type { AuditLog } from '../domain/audit.ts';
import type { PhotoStore, PreparedPhoto } from '../store/photoStore.ts';
import type { UnitsService } from '../units/unitsModule.ts';
import { HttpError } from './errors.ts';
import { parseBody, trimmedText } from './query.ts';
import { parseMultipart, type Upload } from './reportsRouter.ts';

export interface UnitsDeps {
  units: UnitsService;
  photos: PhotoStore;
  audit?: AuditLog;
  /** the accounts a unit may be linked to (field accounts) */
  users?: { list(): Promise<UserView[]> };
  now?: () => number;
}

const PhoneBody = UnitPositionSchema.omit({ unitId: true, ts: true }).extend({
  ts: UnitPositionSchema.shape.ts.optional(),
});

const StepBody = z.object({ note: trimmedText(MAX_NOTE_CHARS).optional() });

const NO_STORE = 'no-store';

/**
 * Units (issue 15): the console's list, a field phone sharing its position while on duty, and a unit's
 * tasks and the steps its field account takes on them.
 */
export function unitsRouter(deps: UnitsDeps): Router {
  const r = Router();
  const now = deps.now ?? Date.now;
  /** when each account's phone last had a position taken */
  const lastShare = new Map<string, number>();

  r.get('/api/units', (_req, res) => {
    res.set('Cache-Control', NO_STORE);
    res.json({ items: deps.units.list(), serverTime: now() });
  });

  r.post('/api/units/me/position', async (req, res) => {
    const user = req.auth!.user;
    const body = parseBody(PhoneBody, req.body);
    const t = now();
    const last = lastShare.get(user.username);
    if (last !== undefined && t - last < UNIT_POSITION_MIN_GAP_MS) {
      const retryAfterS = Math.ceil((UNIT_POSITION_MIN_GAP_MS - (t - last)) / 1000);
      res.set('Retry-After', String(retryAfterS));
      throw new HttpError(
        429,
        'too_frequent',
        `one position every ${UNIT_POSITION_MIN_GAP_MS / 1000} s at most`,
        { retryAfterS },
      );
    }
    lastShare.set(user.username, t);
    if (lastShare.size > 10_000) lastShare.clear();
    const { unitId, outcome } = await deps.units.phonePosition(user, { ...body, ts: body.ts ?? t });
    if (outcome.status === 'rejected')
      throw new HttpError(400, outcome.reason ?? 'invalid_payload', outcome.detail ?? 'refused', { unitId });
    res.status(202).json({ unitId, status: outcome.status });
  });

  // the registry, for admins (/api/admin/* is theirs in the access table)
  r.get('/api/admin/units', async (_req, res) => {
    res.set('Cache-Control', NO_STORE);
    const items: UnitAdminView[] = (await deps.units.registry()).map(({ item, account }) => ({
      id: item.id,
      name: item.name,
      kind: item.kind,
      account,
      onDuty: item.onDuty,
      status: item.status,
      ...(item.ts !== undefined ? { ts: item.ts } : {}),
    }));
    res.json({ items });
  });

  r.put('/api/admin/units/:id', async (req, res) => {
    const id = String(req.params.id);
    if (!UNIT_ID.test(id))
      throw new HttpError(400, 'invalid_field', 'a unit id is letters, digits, . _ -, at most 64', {
        fields: [{ field: 'id', message: 'invalid unit id' }],
      });
    const b = parseBody(UnitSaveSchema, req.body);
    const registry = await deps.units.registry();
    const before = registry.find((u) => u.item.id === id);
    let linked: string | null = null;
    if (b.account) {
      const account = b.account;
      const user = (await deps.users?.list())?.find(
        (u) => u.username.toLowerCase() === account.toLowerCase(),
      );
      if (!user) throw new HttpError(422, 'unknown_account', `no account ${account}`);
      if (user.role !== 'field')
        throw new HttpError(422, 'not_field_account', `${account} is not a field account`);
      const other = registry.find(
        (u) => u.item.id !== id && u.account?.toLowerCase() === account.toLowerCase(),
      );
      if (other)
        throw new HttpError(409, 'account_taken', `${account} is linked to unit ${other.item.id}`, {
          unitId: other.item.id,
        });
      linked = user.username;
    }
    await deps.units.register([{ id, name: b.name, kind: b.kind, account: linked }]);
    deps.audit?.record({
      ...actorOf(req),
      action: before ? 'unit.update' : 'unit.create',
      target: id,
      outcome: 'ok',
      details: { ...b },
    });
    res.status(before ? 200 : 201).json({ id });
  });

  r.post('/api/units/me/off-duty', async (req, res) => {
    await deps.units.offDuty(req.auth!.user.username);
    lastShare.delete(req.auth!.user.username);
    res.status(204).end();
  });

  r.get('/api/tasks', async (req, res) => {
    res.set('Cache-Control', NO_STORE);
    res.json(await deps.units.tasksFor(req.auth!.user.username));
  });

  // a step with a photo is a form; one without may be JSON (or an empty body)
  const maybeMultipart: typeof parseMultipart = (req, res, next) =>
    req.is('multipart/form-data') ? parseMultipart(req, res, next) : next();
  r.post('/api/tasks/:id/:step', maybeMultipart, async (req, res) => {
    const step = String(req.params.step) as TaskStep;
    if (!TASK_STEPS.includes(step))
      throw new HttpError(404, 'not_found', `no such step: ${step} (one of ${TASK_STEPS.join(', ')})`);
    const note = parseBody(StepBody, req.body ?? {}).note || null;
    const files = ((req.files as unknown as Upload[] | undefined) ?? []).filter(Boolean);
    let photo: PreparedPhoto | undefined;
    const file = files.find((f) => !f.refused && f.buffer);
    if (files.some((f) => f.refused)) {
      const f = files.find((x) => x.refused)!;
      throw new HttpError(400, f.refused!.code, f.refused!.message);
    }
    if (file?.buffer) {
      if (step !== 'done') throw new HttpError(400, 'unexpected_file', 'a photo goes with the done step');
      const p = await deps.photos.prepare(file.buffer);
      file.buffer = undefined;
      if (!p.ok) throw new HttpError(400, p.code, p.message);
      photo = p.photo;
    }
    const account = req.auth!.user.username;
    const out = await deps.units.step(String(req.params.id), step, account, { note, photo });
    if (!out.ok) {
      if (out.code === 'no_task') throw new HttpError(404, 'no_task', out.message);
      throw new HttpError(409, out.code, out.message, { status: out.status });
    }
    deps.audit?.record({
      ...actorOf(req),
      action: `task.${step}`,
      target: out.task.incidentId,
      outcome: 'ok',
      details: { task: out.task.id, unit: out.task.unitId, photo: Boolean(photo) },
    });
    res.json({ task: out.task });
  });

  return r;
}
