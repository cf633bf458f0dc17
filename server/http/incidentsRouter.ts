import { Router } from 'express';
import { z } from 'zod';
import { distanceM } from '#contract/geo.ts';
import {
  INCIDENT_ACTIONS,
  type IncidentDetail,
  incidentNumber,
  MAX_NOTE_CHARS,
} from '#contract/incidentsApi.ts';
import type { IncidentItem } from '#contract/live.ts';
import { UNIT_ID } from '#contract/units.ts';
import { INCIDENT_CATEGORIES, INCIDENT_STATES } from '#contract/vocab.ts';
import { actorOf } from '../auth/guard.ts';
import { type IncidentRecord, isIncidentId, toListItem } from '../store/incidentsRepo.ts';
import { HttpError } from './errors.ts';
import { parseBody, parseQuery, trimmedText, trimmedToken } from './query.ts';
import { checkPosition, type IncidentDeps, photoRef, throwIssues } from './reportsRouter.ts';

export const IncidentListQuery = z.object({
  status: z.enum(['open', 'all', ...INCIDENT_STATES]).default('open'),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  category: z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(INCIDENT_CATEGORIES)))
    .optional(),
});

// free text is stored and shown as sent: control characters (NUL fails a PostgreSQL write) are refused
const Actor = trimmedToken(100).default('operator');
const Note = trimmedText(MAX_NOTE_CHARS).optional();

export const ActionBody = z
  .object({
    action: z.enum(INCIDENT_ACTIONS, `must be one of ${INCIDENT_ACTIONS.join(', ')}`),
    note: Note,
    assignee: trimmedToken(200).optional(),
    /** the unit sent (issue 15): it gets the task on its phone; its name becomes the assignee */
    unitId: z.string().regex(UNIT_ID, 'a unit id').optional(),
    actor: Actor,
  })
  .refine((b) => b.action !== 'assign' || b.assignee || b.unitId, {
    path: ['assignee'],
    message: 'required to assign: the unit sent (unitId), or who is sent',
  });

const NoteBody = z.object({
  note: trimmedText(MAX_NOTE_CHARS, 1),
  actor: Actor,
});

export const MergeBody = z.object({
  ids: z
    .array(z.union([trimmedToken(32), z.number().int()]).transform(String))
    .min(1)
    .max(50),
  note: Note,
  actor: Actor,
});

const NO_STORE = 'no-store';

/** The operators' incident queue, an incident's detail, lifecycle steps and merges. */
export function incidentsRouter(deps: IncidentDeps): Router {
  const r = Router();

  const load = async (id: string): Promise<IncidentRecord> => {
    const rec = isIncidentId(id) ? await deps.repo.get(id) : undefined;
    if (!rec) throw new HttpError(404, 'no_incident', `no incident ${id}`);
    return rec;
  };
  const changed = async (items: IncidentItem[]) => {
    if (items.length) deps.bus.emit('incidents:changed', items);
  };

  r.get('/api/incidents', async (req, res) => {
    const q = parseQuery(IncidentListQuery, req.query);
    const items = await deps.repo.list({
      status: q.status,
      categories: q.category,
      limit: q.limit,
      order: 'rank',
    });
    res.set('Cache-Control', NO_STORE);
    res.json({ items: items.map(toListItem) });
  });

  // Open311 reports given with an address only: the console lists them and an operator places one
  r.get('/api/incidents/unplaced', async (_req, res) => {
    res.set('Cache-Control', NO_STORE);
    res.json({ items: deps.unplaced ? await deps.unplaced.waiting() : [] });
  });

  r.post('/api/incidents/unplaced/:id/place', async (req, res) => {
    const id = String(req.params.id);
    if (!deps.unplaced) throw new HttpError(404, 'no_unplaced', `no unplaced report ${id}`);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const pos = checkPosition({ lat: body.lat, lon: body.lon }, deps.assets());
    throwIssues(pos.issues);
    const out = await deps.unplaced.place(id, pos.lat, pos.lon, req.auth?.user.username ?? null);
    if (!out.ok) {
      if (out.code === 'not_found') throw new HttpError(404, 'no_unplaced', out.message);
      throw new HttpError(409, out.code, out.message, { incidentId: out.incidentId });
    }
    await changed([out.item]);
    deps.audit?.record({
      ...actorOf(req),
      action: 'incident.place',
      target: out.item.id,
      outcome: 'ok',
      details: { unplaced: id },
    });
    res.status(201).json({ incident: { ...out.item, number: incidentNumber(out.item.id) } });
  });

  r.get('/api/incidents/:id', async (req, res) => {
    const rec = await load(String(req.params.id));
    const [history, reports, ownPhotos] = await Promise.all([
      deps.repo.history(rec.id),
      deps.repo.mergedReports(rec.id),
      deps.repo.photoIdsOf(rec.id),
    ]);
    const cameras = deps
      .city()
      .cameras.map((c) => ({
        id: c.id,
        name: c.name,
        distanceM: Math.round(distanceM([rec.lon, rec.lat], [c.lon, c.lat])),
      }))
      .sort((a, b) => a.distanceM - b.distanceM)
      .slice(0, 3);
    const incident: IncidentDetail['incident'] = toListItem(rec);
    if (rec.mergedInto) incident.mergedInto = { id: rec.mergedInto, number: incidentNumber(rec.mergedInto) };
    if (rec.address) incident.address = rec.address;
    const detail: IncidentDetail = {
      incident,
      history,
      photos: [...ownPhotos, ...reports.flatMap((x) => x.photoIds)].map(photoRef),
      nearestCameras: cameras,
      reports: reports.map(({ photoIds, ...x }) => ({ ...x, photos: photoIds.map(photoRef) })),
    };
    res.set('Cache-Control', NO_STORE);
    res.json(detail);
  });

  r.patch('/api/incidents/:id', async (req, res) => {
    const id = String(req.params.id);
    const body = parseBody(ActionBody, req.body);
    await load(id);
    const actor = req.auth?.user.username ?? body.actor;
    const toUnit = body.action === 'assign' && body.unitId;
    if (toUnit && !deps.units) throw new HttpError(400, 'no_units', 'units are not available on this server');
    const out = toUnit
      ? await deps.units!.assign(id, toUnit, actor, body.note || null)
      : await deps.repo.applyAction(id, body.action, {
          actor,
          note: body.note || null,
          assignee: body.action === 'assign' ? body.assignee : null,
        });
    if (!out.ok) {
      if (out.code === 'not_found') throw new HttpError(404, 'no_incident', out.message);
      if (out.code === 'no_unit') throw new HttpError(404, 'no_unit', out.message);
      throw new HttpError(409, out.code, out.message, { status: out.status });
    }
    await changed([out.item]);
    deps.audit?.record({
      ...actorOf(req),
      action: `incident.${body.action}`,
      target: id,
      outcome: 'ok',
      details: {
        status: out.item.status,
        ...(body.action === 'assign' ? { assignee: out.item.assignee, unitId: body.unitId } : {}),
      },
    });
    res.json({ incident: { ...out.item, number: incidentNumber(out.item.id) } });
  });

  r.post('/api/incidents/:id/notes', async (req, res) => {
    const id = String(req.params.id);
    const body = parseBody(NoteBody, req.body);
    await load(id);
    const item = await deps.repo.addNote(id, {
      actor: req.auth?.user.username ?? body.actor,
      note: body.note,
    });
    if (!item) throw new HttpError(404, 'no_incident', `no incident ${id}`);
    await changed([item]);
    deps.audit?.record({ ...actorOf(req), action: 'incident.note', target: id, outcome: 'ok' });
    res.status(201).json({ incident: { ...item, number: incidentNumber(item.id) } });
  });

  r.post('/api/incidents/:id/merge', async (req, res) => {
    const id = String(req.params.id);
    const body = parseBody(MergeBody, req.body);
    await load(id);
    const ids = [...new Set(body.ids)];
    const out = await deps.repo.merge(id, ids, {
      actor: req.auth?.user.username ?? body.actor,
      note: body.note || null,
    });
    if (!out.ok) {
      if (out.code === 'not_found') throw new HttpError(404, 'no_incident', out.message);
      throw new HttpError(409, out.code, out.message, out.details);
    }
    await changed([out.target, ...out.merged]);
    deps.audit?.record({
      ...actorOf(req),
      action: 'incident.merge',
      target: id,
      outcome: 'ok',
      details: { merged: ids },
    });
    res.json({
      incident: { ...out.target, number: incidentNumber(out.target.id) },
      merged: out.merged.map((m) => ({ ...m, number: incidentNumber(m.id) })),
    });
  });

  return r;
}
