import { incidentNumber } from '#contract/incidentsApi.ts';
import type { IncidentItem } from '#contract/live.ts';
import {
  type FieldTask,
  TASK_STEP_RULES,
  type TaskState,
  type TaskStep,
  type UnitItem,
  type UnitKind,
  unitStatusOf,
} from '#contract/units.ts';
import type { IncidentCategory } from '#contract/vocab.ts';
import type { Db } from './db.ts';
import { INCIDENT_COLUMNS, type IncidentRow, toIncidentItem } from './incidentRows.ts';
import type { PhotoStore, PreparedPhoto } from './photoStore.ts';

const MS = (col: string) => `(extract(epoch FROM ${col}) * 1000)::float8`;

export interface UnitDef {
  id: string;
  name: string;
  kind: UnitKind;
  /** the field account that sees its tasks */
  account?: string | null;
}

/** A unit as stored, with the account it is linked to (the live item says only whether it is). */
export interface UnitRecord {
  item: UnitItem;
  account: string | null;
}

interface UnitRow {
  id: string;
  name: string;
  kind: UnitKind;
  account: string | null;
  on_duty: boolean;
  created: number;
  ts: number | null;
  lat: number | null;
  lon: number | null;
  accuracy_m: number | null;
  task_status: TaskState | null;
  task_incident: string | null;
  task_updated: number | null;
}

const UNIT_SELECT = `
  SELECT u.id, u.name, u.kind, u.account, u.on_duty, ${MS('u.created_at')} AS created,
    ${MS('p.time')} AS ts, p.lat, p.lon, p.accuracy_m,
    t.status AS task_status, t.incident_id::text AS task_incident, ${MS('t.updated_at')} AS task_updated
  FROM units u
  LEFT JOIN LATERAL (
    SELECT time, lat, lon, accuracy_m FROM unit_positions WHERE unit_id = u.id ORDER BY time DESC LIMIT 1
  ) p ON true
  LEFT JOIN LATERAL (
    SELECT status, incident_id, updated_at FROM unit_tasks
    WHERE unit_id = u.id AND status IN ('assigned', 'accepted', 'on_scene') ORDER BY assigned_at DESC LIMIT 1
  ) t ON true`;

function toRecord(r: UnitRow): UnitRecord {
  const item: UnitItem = {
    id: r.id,
    name: r.name,
    kind: r.kind,
    status: unitStatusOf(r.task_status ?? undefined),
    linked: r.account !== null,
    onDuty: r.on_duty,
    updatedAt: Math.max(r.created, r.ts ?? 0, r.task_updated ?? 0),
  };
  if (r.ts !== null && r.lat !== null && r.lon !== null) {
    item.ts = r.ts;
    item.lat = r.lat;
    item.lon = r.lon;
    if (r.accuracy_m !== null) item.accuracyM = r.accuracy_m;
  }
  if (r.task_incident && r.task_status) item.incidentId = r.task_incident;
  return { item, account: r.account };
}

interface TaskRow {
  id: string;
  incident_id: string;
  unit_id: string;
  status: TaskState;
  assigned_at: number;
  updated_at: number;
  assigned_by: string | null;
  note: string | null;
  category: IncidentCategory;
  severity: number;
  lat: number;
  lon: number;
  description: string | null;
  address: string | null;
  account: string | null;
}

const TASK_SELECT = `
  SELECT t.id::text AS id, t.incident_id::text AS incident_id, t.unit_id, t.status,
    ${MS('t.assigned_at')} AS assigned_at, ${MS('t.updated_at')} AS updated_at, t.assigned_by, t.note,
    i.category, i.severity::int AS severity, i.lat, i.lon, i.description, i.address, u.account
  FROM unit_tasks t JOIN incidents i ON i.id = t.incident_id JOIN units u ON u.id = t.unit_id`;

function toTask(r: TaskRow): FieldTask {
  const t: FieldTask = {
    id: r.id,
    incidentId: r.incident_id,
    number: incidentNumber(r.incident_id),
    unitId: r.unit_id,
    status: r.status,
    assignedAt: r.assigned_at,
    updatedAt: r.updated_at,
    incident: { category: r.category, severity: r.severity, lat: r.lat, lon: r.lon },
  };
  if (r.assigned_by) t.assignedBy = r.assigned_by;
  if (r.note) t.note = r.note;
  if (r.description) t.incident.description = r.description;
  if (r.address) t.incident.address = r.address;
  return t;
}

export type StepResult =
  | { ok: true; task: FieldTask; account: string | null; incident: IncidentItem }
  | { ok: false; code: 'no_task' | 'illegal_step'; message: string; status?: TaskState };

/** Units, their positions and their tasks (sql/021). */
export class UnitsRepo {
  constructor(
    private readonly db: Db,
    private readonly photos?: PhotoStore,
  ) {}

  /** Every unit with its last position and open task. */
  async list(): Promise<UnitRecord[]> {
    const r = await this.db.query<UnitRow>(`${UNIT_SELECT} ORDER BY u.id`);
    return r.rows.map(toRecord);
  }

  async get(id: string): Promise<UnitRecord | undefined> {
    const r = await this.db.query<UnitRow>(`${UNIT_SELECT} WHERE u.id = $1`, [id]);
    return r.rows[0] && toRecord(r.rows[0]);
  }

  /** The unit linked to a field account, if any. */
  async ofAccount(account: string): Promise<UnitRecord | undefined> {
    const r = await this.db.query<UnitRow>(`${UNIT_SELECT} WHERE lower(u.account) = lower($1)`, [account]);
    return r.rows[0] && toRecord(r.rows[0]);
  }

  /** Registers units, or renames and relinks them; their positions and tasks stay. */
  async upsert(defs: readonly UnitDef[]): Promise<void> {
    if (!defs.length) return;
    await this.db.query(
      `INSERT INTO units (id, name, kind, account)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, account = excluded.account`,
      [
        defs.map((d) => d.id),
        defs.map((d) => d.name),
        defs.map((d) => d.kind),
        defs.map((d) => d.account ?? null),
      ],
    );
  }

  async setOnDuty(id: string, onDuty: boolean): Promise<void> {
    await this.db.query('UPDATE units SET on_duty = $2 WHERE id = $1', [id, onDuty]);
  }

  /**
   * Gives an incident to a unit: its other open tasks are cancelled (it went to someone else), the new
   * task is `assigned`. Answers the new task and the ids of units whose task was cancelled.
   */
  async createTask(
    incidentId: string,
    unitId: string,
    by: string,
    note: string | null,
  ): Promise<{
    task: FieldTask;
    account: string | null;
    cancelled: Array<{ task: FieldTask; account: string | null }>;
  }> {
    return this.db.transaction(async (tx) => {
      const c = await tx.query<{ id: string }>(
        `UPDATE unit_tasks SET status = 'cancelled', updated_at = now()
         WHERE incident_id = $1 AND status IN ('assigned', 'accepted', 'on_scene') RETURNING id::text AS id`,
        [incidentId],
      );
      const ins = await tx.query<{ id: string }>(
        `INSERT INTO unit_tasks (incident_id, unit_id, assigned_by, note) VALUES ($1, $2, $3, $4) RETURNING id::text AS id`,
        [incidentId, unitId, by, note],
      );
      const ids = [ins.rows[0].id, ...c.rows.map((x) => x.id)];
      const r = await tx.query<TaskRow>(`${TASK_SELECT} WHERE t.id = ANY($1::bigint[])`, [ids]);
      const byId = new Map(r.rows.map((x) => [x.id, x]));
      const one = (id: string) => {
        const row = byId.get(id)!;
        return { task: toTask(row), account: row.account };
      };
      const created = one(ins.rows[0].id);
      return { ...created, cancelled: c.rows.map((x) => one(x.id)) };
    });
  }

  /** Cancels the open tasks of incidents that were resolved or closed by the console. */
  async cancelTasksOf(incidentId: string): Promise<Array<{ task: FieldTask; account: string | null }>> {
    const c = await this.db.query<{ id: string }>(
      `UPDATE unit_tasks SET status = 'cancelled', updated_at = now()
       WHERE incident_id = $1 AND status IN ('assigned', 'accepted') RETURNING id::text AS id`,
      [incidentId],
    );
    if (!c.rows.length) return [];
    const r = await this.db.query<TaskRow>(`${TASK_SELECT} WHERE t.id = ANY($1::bigint[])`, [
      c.rows.map((x) => x.id),
    ]);
    return r.rows.map((x) => ({ task: toTask(x), account: x.account }));
  }

  /** The open tasks of a unit, then its last few finished ones. */
  async tasksOfUnit(unitId: string): Promise<FieldTask[]> {
    const r = await this.db.query<TaskRow>(
      `${TASK_SELECT} WHERE t.unit_id = $1
       ORDER BY (t.status IN ('assigned', 'accepted', 'on_scene')) DESC, t.updated_at DESC LIMIT 20`,
      [unitId],
    );
    return r.rows.map(toTask);
  }

  /**
   * A field account's step on its task, in one transaction: the task moves only from a state the step
   * starts from and only for the unit's own account; the step is written to the incident's history (with
   * the note and photo) and the incident's `updated_at` moves, so the console reloads it.
   */
  async step(
    taskId: string,
    step: TaskStep,
    account: string,
    opts: { note?: string | null; photo?: PreparedPhoto },
  ): Promise<StepResult> {
    if (!/^[1-9]\d{0,17}$/.test(taskId)) return { ok: false, code: 'no_task', message: `no task ${taskId}` };
    const rule = TASK_STEP_RULES[step];
    const stamp = step === 'accept' ? 'accepted_at' : step === 'on_scene' ? 'on_scene_at' : 'done_at';
    let saved = false;
    try {
      return await this.db.transaction(async (tx): Promise<StepResult> => {
        const cur = await tx.query<TaskRow>(
          `${TASK_SELECT} WHERE t.id = $1 AND lower(u.account) = lower($2)`,
          [taskId, account],
        );
        const row = cur.rows[0];
        if (!row) return { ok: false, code: 'no_task', message: `no task ${taskId} of your unit` };
        const upd = await tx.query<{ id: string }>(
          `UPDATE unit_tasks SET status = $2, updated_at = now(), ${stamp} = now()
           WHERE id = $1 AND status = ANY($3::text[]) RETURNING id::text AS id`,
          [taskId, rule.to, rule.from],
        );
        if (!upd.rows.length)
          return {
            ok: false,
            code: 'illegal_step',
            message: `cannot ${step.replace('_', ' ')} a task that is ${row.status}`,
            status: row.status,
          };
        const inc = await tx.query<IncidentRow>(
          `WITH ev AS (
             INSERT INTO incident_events (incident_id, action, actor, note) VALUES ($1, $2, $3, $4)
           )
           UPDATE incidents SET updated_at = now() WHERE id = $1 RETURNING ${INCIDENT_COLUMNS}`,
          [row.incident_id, `unit_${step}`, account, opts.note ?? null],
        );
        if (opts.photo) {
          const p = opts.photo;
          await this.photos!.save(p);
          saved = true;
          await tx.query(
            `INSERT INTO photos (id, incident_id, content_type, bytes, width, height, thumb_bytes, original_type, original_bytes)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [
              p.id,
              row.incident_id,
              p.contentType,
              p.image.length,
              p.width,
              p.height,
              p.thumb.length,
              p.originalType,
              p.originalBytes,
            ],
          );
        }
        const after = await tx.query<TaskRow>(`${TASK_SELECT} WHERE t.id = $1`, [taskId]);
        return {
          ok: true,
          task: toTask(after.rows[0]),
          account: row.account,
          incident: toIncidentItem(inc.rows[0]),
        };
      });
    } catch (err) {
      if (saved && opts.photo) await this.photos?.remove(opts.photo.id).catch(() => {});
      throw err;
    }
  }

  /** The task a field account may act on, or undefined. */
  async taskOf(taskId: string): Promise<(FieldTask & { account: string | null }) | undefined> {
    if (!/^[1-9]\d{0,17}$/.test(taskId)) return undefined;
    const r = await this.db.query<TaskRow>(`${TASK_SELECT} WHERE t.id = $1`, [taskId]);
    return r.rows[0] && { ...toTask(r.rows[0]), account: r.rows[0].account };
  }
}
