import { Router } from 'express';
import { z } from 'zod';
import type { AlarmEvent } from '#contract/alarmLifecycle.ts';
import {
  ALARM_RULE_DEFAULTS,
  ALARM_RULES,
  ALARM_STATES,
  AlarmActionSchema,
  AlarmBulkAckSchema,
  type AlarmItem,
  type AlarmPriority,
  type AlarmRefusal,
  type AlarmRuleCode,
  AlarmRuleUpdateSchema,
  OutOfServiceSchema,
} from '#contract/alarms.ts';
import { CROWD_THRESHOLD_MAX, CROWD_THRESHOLD_MIN, type CrowdThresholds } from '#contract/hotspots.ts';
import { actorOf } from '../auth/guard.ts';
import type { Bus } from '../bus.ts';
import type { AuditLog } from '../domain/audit.ts';
import type { AlarmResult, AlarmsRepo } from '../store/alarmsRepo.ts';
import { HttpError } from './errors.ts';
import { parseBody, parseQuery, queryToken } from './query.ts';

export interface AlarmsDeps {
  repo: AlarmsRepo;
  bus: Bus;
  audit: AuditLog;
  /** asset ids that exist (an asset put out of service must be one) */
  assetExists: (id: string) => boolean;
  /** camera ids that exist (a hotspot threshold is a camera's) */
  cameraExists: (id: string) => boolean;
}

const CrowdThresholdBody = z.object({
  threshold: z.number().int().min(CROWD_THRESHOLD_MIN).max(CROWD_THRESHOLD_MAX),
});

/** A comma-separated query filter of values from `values`. */
const listOf = <T extends string>(values: readonly T[]) =>
  z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(values as [T, ...T[]])))
    .optional();

export const AlarmListQuery = z.object({
  state: listOf([...ALARM_STATES, 'all'] as const),
  priority: z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(['1', '2', '3', '4']).transform((p) => Number(p) as AlarmPriority)))
    .optional(),
  rule: listOf(ALARM_RULES),
  ward: queryToken(64).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

/** A refusal as the API answers it; an id that names no alarm is refused as `unknown_alarm`. */
type Refusal = Omit<AlarmRefusal, 'code'> & { code: AlarmRefusal['code'] | 'unknown_alarm' };

const NO_STORE = 'no-store';

/**
 * The operators' alarms (issue 13): the list, an alarm's history, acknowledge / shelve / unshelve one,
 * acknowledge many; and the admin's rules and assets out of service. Every change is decided by the
 * state machine in the store, announced on the bus (`alarms:changed`: the live layer) and audited.
 */
export function alarmsRouter(deps: AlarmsDeps): Router {
  const r = Router();
  const changed = (items: AlarmItem[], event?: AlarmEvent['type']) => {
    if (!items.length) return;
    deps.bus.emit('alarms:changed', items);
    if (event) deps.bus.emit('alarms:transitions', { event, count: items.length });
  };

  r.get('/api/alarms', async (req, res) => {
    const q = parseQuery(AlarmListQuery, req.query);
    const states = q.state?.includes('all')
      ? [...ALARM_STATES]
      : (q.state as AlarmItem['state'][] | undefined);
    const items = await deps.repo.list({
      states,
      priorities: q.priority,
      rules: q.rule,
      wardId: q.ward || undefined,
      limit: q.limit,
    });
    res.set('Cache-Control', NO_STORE);
    res.json({ items });
  });

  r.get('/api/alarms/:id/history', async (req, res) => {
    const id = String(req.params.id);
    if (!(await deps.repo.get(id))) throw new HttpError(404, 'unknown_alarm', `no alarm ${id}`);
    res.set('Cache-Control', NO_STORE);
    res.json({ items: await deps.repo.history(id) });
  });

  r.post('/api/alarms/:id/actions', async (req, res) => {
    const id = String(req.params.id);
    const body = parseBody(AlarmActionSchema, req.body);
    const actor = req.auth?.user.username ?? 'operator';
    const now = Date.now();
    const ev: AlarmEvent =
      body.action === 'shelve'
        ? {
            type: 'shelve',
            by: actor,
            reason: body.reason.trim(),
            until: body.duration === 'until_clear' ? null : now + body.duration,
          }
        : { type: body.action };
    const note =
      body.action === 'shelve' ? body.reason.trim() : body.comment?.trim() ? body.comment.trim() : null;
    const out = await deps.repo.apply(id, ev, { actor, at: now, note });
    if (!out.ok && out.code === 'not_found') throw new HttpError(404, 'unknown_alarm', `no alarm ${id}`);
    if (!out.ok) {
      // never applied silently: the answer says what the alarm is now, so the console can show it
      const refusal = { state: out.state, shelved: out.shelved, suppressed: out.suppressed };
      res.status(409).json({
        error: { code: out.code, message: out.message, details: refusal },
        ...refusal,
        item: out.item,
      });
      return;
    }
    changed([out.item], ev.type);
    deps.audit.record({
      ...actorOf(req),
      action: `alarm.${body.action}`,
      target: id,
      outcome: 'ok',
      details: {
        key: out.item.key,
        state: out.item.state,
        ...(note ? { note } : {}),
        ...(ev.type === 'shelve' ? { until: ev.until } : {}),
      },
    });
    res.json({ item: out.item });
  });

  r.post('/api/alarms/acknowledge', async (req, res) => {
    const body = parseBody(AlarmBulkAckSchema, req.body);
    const actor = req.auth?.user.username ?? 'operator';
    const note = body.comment?.trim() || null;
    const now = Date.now();
    const acknowledged: AlarmItem[] = [];
    const refused: Array<Refusal & { id: string }> = [];
    for (const id of new Set(body.ids)) {
      const out: AlarmResult = await deps.repo.apply(id, { type: 'acknowledge' }, { actor, at: now, note });
      if (out.ok) acknowledged.push(out.item);
      else if (out.code === 'not_found')
        refused.push({
          id,
          code: 'unknown_alarm',
          message: `no alarm ${id}`,
          state: 'normal',
          shelved: false,
          suppressed: false,
        });
      else
        refused.push({
          id,
          code: out.code,
          message: out.message,
          state: out.state,
          shelved: out.shelved,
          suppressed: out.suppressed,
        });
    }
    changed(acknowledged, 'acknowledge');
    for (const a of acknowledged)
      deps.audit.record({
        ...actorOf(req),
        action: 'alarm.acknowledge',
        target: a.id,
        outcome: 'ok',
        details: { key: a.key, state: a.state, bulk: true, ...(note ? { note } : {}) },
      });
    res.json({ acknowledged, refused });
  });

  // --- admin: the rules' settings and the assets out of service ---

  r.get('/api/admin/alarm-rules', async (_req, res) => {
    res.set('Cache-Control', NO_STORE);
    res.json({ items: await deps.repo.ruleSettings() });
  });

  r.put('/api/admin/alarm-rules/:rule', async (req, res) => {
    const rule = String(req.params.rule);
    if (!(ALARM_RULES as readonly string[]).includes(rule))
      throw new HttpError(404, 'unknown_rule', `no alarm rule ${rule}`);
    const raw = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    if (raw.rule !== undefined && raw.rule !== rule)
      throw new HttpError(
        400,
        'invalid_field',
        `rule: the body names ${String(raw.rule)}, the path ${rule}`,
        [{ field: 'rule', message: 'must be the rule of the path' }],
      );
    const cfg = parseBody(AlarmRuleUpdateSchema, { ...raw, rule: rule as AlarmRuleCode });
    const before = (await deps.repo.listRules()).find((x) => x.rule === rule);
    const item = await deps.repo.updateRule(cfg, req.auth?.user.username ?? 'admin');
    deps.bus.emit('alarms:settings', { what: 'rules' });
    deps.audit.record({
      ...actorOf(req),
      action: 'alarm_rule.update',
      target: rule,
      outcome: 'ok',
      details: { before: before ?? null, after: item },
    });
    // with who changed it and when, as the list has it
    const setting = (await deps.repo.ruleSettings()).find((x) => x.rule === rule);
    res.json({ item: setting ?? item });
  });

  // --- crowd hotspots: the cameras' own thresholds (issue 15) ---

  r.get('/api/crowd-thresholds', async (_req, res) => {
    const [rules, items] = await Promise.all([deps.repo.listRules(), deps.repo.crowdThresholds()]);
    const rule = rules.find((x) => x.rule === 'crowd_hotspot') ?? ALARM_RULE_DEFAULTS.crowd_hotspot;
    const body: CrowdThresholds = { defaultThreshold: rule.threshold ?? 50, items };
    res.set('Cache-Control', NO_STORE);
    res.json(body);
  });

  r.put('/api/admin/crowd-thresholds/:cameraId', async (req, res) => {
    const cameraId = String(req.params.cameraId);
    const b = parseBody(CrowdThresholdBody, req.body);
    if (!deps.cameraExists(cameraId)) throw new HttpError(404, 'unknown_asset', `no camera ${cameraId}`);
    const out = await deps.repo.putCrowdThreshold(cameraId, b.threshold, req.auth?.user.username ?? 'admin');
    deps.bus.emit('alarms:settings', { what: 'rules' });
    deps.audit.record({
      ...actorOf(req),
      action: 'crowd_threshold.update',
      target: cameraId,
      outcome: 'ok',
      details: { before: out.before, after: out.item.threshold },
    });
    res.json({ item: out.item });
  });

  r.delete('/api/admin/crowd-thresholds/:cameraId', async (req, res) => {
    const cameraId = String(req.params.cameraId);
    if (!(await deps.repo.deleteCrowdThreshold(cameraId)))
      throw new HttpError(404, 'no_threshold', `camera ${cameraId} has the default threshold`);
    deps.bus.emit('alarms:settings', { what: 'rules' });
    deps.audit.record({ ...actorOf(req), action: 'crowd_threshold.reset', target: cameraId, outcome: 'ok' });
    res.status(204).end();
  });

  r.get('/api/admin/out-of-service', async (_req, res) => {
    res.set('Cache-Control', NO_STORE);
    res.json({ items: await deps.repo.outOfServiceViews() });
  });

  r.put('/api/admin/out-of-service/:assetId', async (req, res) => {
    const assetId = String(req.params.assetId);
    const raw = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    if (raw.assetId !== undefined && raw.assetId !== assetId)
      throw new HttpError(400, 'invalid_field', 'assetId: the body names another asset than the path', [
        { field: 'assetId', message: 'must be the asset of the path' },
      ]);
    const b = parseBody(OutOfServiceSchema, { until: null, ...raw, assetId });
    if (b.until !== null && b.until <= Date.now())
      throw new HttpError(400, 'invalid_field', 'until: must be in the future', [
        { field: 'until', message: 'must be in the future' },
      ]);
    if (!deps.assetExists(assetId)) throw new HttpError(404, 'unknown_asset', `no asset ${assetId}`);
    const by = req.auth?.user.username ?? 'admin';
    const out = await deps.repo.putOutOfService({ assetId, reason: b.reason.trim(), until: b.until }, by);
    changed(out.suppressed, 'suppress');
    deps.bus.emit('alarms:settings', { what: 'out_of_service' });
    deps.audit.record({
      ...actorOf(req),
      action: 'asset.out_of_service',
      target: assetId,
      outcome: 'ok',
      details: { reason: out.item.reason, until: out.item.until, suppressed: out.suppressed.length },
    });
    const view = (await deps.repo.outOfServiceViews()).find((o) => o.assetId === assetId);
    res.json({ item: view ?? { ...out.item, suppressedAlarms: out.suppressed.length } });
  });

  r.delete('/api/admin/out-of-service/:assetId', async (req, res) => {
    const assetId = String(req.params.assetId);
    const out = await deps.repo.returnToService(assetId, req.auth?.user.username ?? 'admin');
    if (!out.removed && out.unsuppressed.length === 0)
      throw new HttpError(404, 'not_out_of_service', `asset ${assetId} is not out of service`);
    changed(out.unsuppressed, 'unsuppress');
    deps.bus.emit('alarms:settings', { what: 'out_of_service' });
    deps.audit.record({
      ...actorOf(req),
      action: 'asset.return_to_service',
      target: assetId,
      outcome: 'ok',
      details: { unsuppressed: out.unsuppressed.length },
    });
    res.status(204).end();
  });

  return r;
}
