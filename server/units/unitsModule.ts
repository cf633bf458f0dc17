import { topics } from '#contract/mqtt.ts';
import type { FieldTask, PhonePosition, TaskStep, TasksAnswer, UnitItem } from '#contract/units.ts';
import type { Bus } from '../bus.ts';
import type { CityState } from '../domain/cityState.ts';
import type { IngestOutcome } from '../ingest/ingestPipeline.ts';
import type { IocModule } from '../modules/module.ts';
import type { IncidentsRepo } from '../store/incidentsRepo.ts';
import type { PreparedPhoto } from '../store/photoStore.ts';
import type { UnitDef, UnitRecord, UnitsRepo } from '../store/unitsRepo.ts';

/** How often the registry is read again: units registered on another instance are taken within this. */
const RELOAD_MS = 30_000;

export interface UnitsModuleOptions {
  repo: UnitsRepo;
  incidents: IncidentsRepo;
  /** the ids ingest takes positions for (the asset index's `units`): this module fills it */
  unitIds: Set<string>;
  /** ingest's own path for a phone's position: the same validation, rejects and metrics as MQTT */
  submit(
    topic: string,
    payload: object,
    origin: { via: 'http'; sender: string; label: string },
  ): Promise<IngestOutcome>;
  now?: () => number;
}

export type AssignResult =
  | { ok: true; item: import('#contract/live.ts').IncidentItem; task: FieldTask }
  | { ok: false; code: string; message: string; status?: string };

/** What the routers ask of the units (server/http/unitsRouter.ts, the incident panel's assign). */
export interface UnitsService {
  /** every unit on duty or not, as the live layer has them */
  list(): UnitItem[];
  /** registers units (the simulation's patrols, an admin's) and takes positions for them from now on */
  register(defs: readonly UnitDef[]): Promise<void>;
  /** the registry with each unit's linked account, for admins */
  registry(): Promise<UnitRecord[]>;
  /** gives an incident to a unit: the incident's `assign` step, then the unit's task, pushed to its phone */
  assign(incidentId: string, unitId: string, actor: string, note: string | null): Promise<AssignResult>;
  /** a field account's step on its task; `done` also resolves the incident */
  step(
    taskId: string,
    step: TaskStep,
    account: string,
    opts: { note?: string | null; photo?: PreparedPhoto },
  ): Promise<
    | { ok: true; task: FieldTask }
    | { ok: false; code: 'no_task' | 'illegal_step'; message: string; status?: string }
  >;
  /** the unit linked to an account and its tasks */
  tasksFor(account: string): Promise<TasksAnswer>;
  /** a phone's position: the account's unit (made on its first share), then ingest */
  phonePosition(
    user: { username: string; displayName: string },
    p: PhonePosition,
  ): Promise<{ unitId: string; outcome: IngestOutcome }>;
  /** the officer stopped sharing: the unit leaves the map until its next position */
  offDuty(account: string): Promise<void>;
}

/** The unit id of a field account's phone. */
export const phoneUnitId = (username: string) => `field-${username.toLowerCase()}`;

/**
 * Patrol and field units (issue 15): keeps `state.units` (the live `units` layer) from the registry and
 * the positions ingest writes, gives incidents to units as tasks, and follows their steps. Every change
 * goes out on the bus: `units:changed` to the consoles, `tasks:changed` to the unit's phone.
 */
export function unitsModule(o: UnitsModuleOptions): IocModule & UnitsService {
  const name = 'units';
  const now = o.now ?? Date.now;
  let bus: Bus | undefined;
  let state: CityState | undefined;
  let timer: NodeJS.Timeout | undefined;

  const emitUnits = (items: UnitItem[]) => items.length && bus?.emit('units:changed', items);
  const emitTask = (account: string | null, task: FieldTask) => {
    if (account) bus?.emit('tasks:changed', { account, task });
  };

  /** Takes stored units into the live state; a position newer in memory (not yet read back) is kept. */
  const take = (items: UnitItem[], announce: boolean) => {
    const s = state;
    if (!s) return;
    const changed: UnitItem[] = [];
    for (const it of items) {
      o.unitIds.add(it.id);
      const prev = s.units.get(it.id);
      const next: UnitItem =
        prev?.ts !== undefined && (it.ts === undefined || prev.ts > it.ts)
          ? { ...it, ts: prev.ts, lat: prev.lat, lon: prev.lon, accuracyM: prev.accuracyM }
          : it;
      if (prev && sameUnit(prev, next)) continue;
      next.updatedAt = Math.max(next.updatedAt, (prev?.updatedAt ?? 0) + 1);
      s.units.set(it.id, next);
      changed.push(next);
    }
    if (announce) emitUnits(changed);
  };

  const reload = async (ids?: string[]) => {
    const all = await o.repo.list();
    take(
      all.map((r) => r.item).filter((u) => !ids || ids.includes(u.id)),
      true,
    );
  };

  const service: UnitsService = {
    list: () => [...(state?.units.values() ?? [])],

    async register(defs) {
      await o.repo.upsert(defs);
      for (const d of defs) o.unitIds.add(d.id);
      await reload(defs.map((d) => d.id));
    },

    registry: () => o.repo.list(),

    async assign(incidentId, unitId, actor, note) {
      const unit = state?.units.get(unitId) ?? (await o.repo.get(unitId))?.item;
      if (!unit) return { ok: false, code: 'no_unit', message: `no unit ${unitId}` };
      const out = await o.incidents.applyAction(incidentId, 'assign', { actor, note, assignee: unit.name });
      if (!out.ok) return out;
      const t = await o.repo.createTask(incidentId, unitId, actor, note);
      await reload([unitId, ...t.cancelled.map((c) => c.task.unitId)]);
      emitTask(t.account, t.task);
      for (const c of t.cancelled) emitTask(c.account, c.task);
      return { ok: true, item: out.item, task: t.task };
    },

    async step(taskId, step, account, opts) {
      const r = await o.repo.step(taskId, step, account, opts);
      if (!r.ok) return r;
      let incident = r.incident;
      if (step === 'done' && (incident.status === 'dispatched' || incident.status === 'acknowledged')) {
        const res = await o.incidents.applyAction(incident.id, 'resolve', { actor: account });
        if (res.ok) incident = res.item;
      }
      bus?.emit('incidents:changed', [incident]);
      await reload([r.task.unitId]);
      emitTask(r.account, r.task);
      return { ok: true, task: r.task };
    },

    async tasksFor(account) {
      const unit = await o.repo.ofAccount(account);
      if (!unit) return { unit: null, tasks: [] };
      const live = state?.units.get(unit.item.id);
      return { unit: live ?? unit.item, tasks: await o.repo.tasksOfUnit(unit.item.id) };
    },

    async phonePosition(user, p) {
      let unit = (await o.repo.ofAccount(user.username))?.item;
      if (!unit) {
        await service.register([
          { id: phoneUnitId(user.username), name: user.displayName, kind: 'field', account: user.username },
        ]);
        unit = (await o.repo.ofAccount(user.username))?.item;
        if (!unit) throw new Error(`the unit of ${user.username} was not stored`);
      }
      if (!unit.onDuty) {
        await o.repo.setOnDuty(unit.id, true);
        await reload([unit.id]);
      }
      const outcome = await o.submit(topics.unitPosition(unit.id), p, {
        via: 'http',
        sender: user.username,
        label: `phone of ${user.username}`,
      });
      return { unitId: unit.id, outcome };
    },

    async offDuty(account) {
      const unit = await o.repo.ofAccount(account);
      if (!unit) return;
      await o.repo.setOnDuty(unit.item.id, false);
      await reload([unit.item.id]);
    },
  };

  return {
    name,
    ...service,
    async start(deps) {
      bus = deps.bus;
      state = deps.state;
      take(
        (await o.repo.list()).map((r) => r.item),
        false,
      );
      deps.bus.on('ingest:written', name, ({ batch }) => {
        const s = state;
        if (!s || !batch.unitPositions.length) return;
        const changed = new Map<string, UnitItem>();
        const t = now();
        for (const r of batch.unitPositions) {
          const u = s.units.get(r.unitId);
          // an older position (late, redelivered) never moves a unit back
          if (!u || (u.ts !== undefined && u.ts >= r.time)) continue;
          const next: UnitItem = {
            ...u,
            ts: r.time,
            lat: r.lat,
            lon: r.lon,
            updatedAt: Math.max(t, u.updatedAt + 1),
          };
          if (r.accuracyM !== null) next.accuracyM = r.accuracyM;
          else delete next.accuracyM;
          s.units.set(u.id, next);
          changed.set(u.id, next);
        }
        emitUnits([...changed.values()]);
      });
      // a console's resolve or close ends the units' open tasks on it
      deps.bus.on('incidents:changed', name, (items) => {
        const s = state;
        if (!s) return;
        for (const i of items) {
          if (i.status !== 'resolved' && i.status !== 'closed') continue;
          if (![...s.units.values()].some((u) => u.incidentId === i.id)) continue;
          void o.repo
            .cancelTasksOf(i.id)
            .then(async (cancelled) => {
              await reload(cancelled.map((c) => c.task.unitId));
              for (const c of cancelled) emitTask(c.account, c.task);
            })
            .catch((err) =>
              deps.log.warn({ err, incident: i.id }, 'could not cancel the tasks of an incident'),
            );
        }
      });
      timer = setInterval(() => {
        reload().catch((err) => deps.log.warn({ err }, 'could not read the units again'));
      }, RELOAD_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      bus?.removeAll(name);
    },
  };
}

function sameUnit(a: UnitItem, b: UnitItem): boolean {
  return (
    a.name === b.name &&
    a.kind === b.kind &&
    a.status === b.status &&
    a.incidentId === b.incidentId &&
    a.linked === b.linked &&
    a.onDuty === b.onDuty &&
    a.ts === b.ts &&
    a.lat === b.lat &&
    a.lon === b.lon
  );
}
