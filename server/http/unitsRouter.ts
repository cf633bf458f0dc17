import { Router } from 'express';
import { z } from 'zod';
import { MAX_NOTE_CHARS } from '#contract/incidentsApi.ts';
import { TASK_STEPS, type TaskStep, UNIT_POSITION_MIN_GAP_MS, UnitPositionSchema } from '#contract/units.ts';
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
