// Urban security and order (contract v1.7, issue 15): patrol and field units on the map, and dispatch
// of an incident to a unit. Shared by the server, the console, the field page and the simulators.
import { z } from 'zod';
import type { LonLat } from './assets.ts';
import { distanceM } from './geo.ts';
import type { IncidentCategory } from './vocab.ts';

/** What a unit is doing: free, sent to an incident (assigned or accepted), or at the scene. */
export const UNIT_STATUSES = ['available', 'dispatched', 'on_scene'] as const;
export type UnitStatus = (typeof UNIT_STATUSES)[number];

/** A patrol car's tracker, or a field officer's phone shared from /report. */
export const UNIT_KINDS = ['patrol', 'field'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

/** A unit whose last position is older than this is stale: drawn greyed, ranked last for dispatch. */
export const UNIT_STALE_MS = 2 * 60_000;
/** Units publish at most this often; the phone sends at this pace too. */
export const UNIT_POSITION_INTERVAL_MS = 10_000;
/** The server refuses a phone's positions closer together than this (429 `too_frequent`). */
export const UNIT_POSITION_MIN_GAP_MS = 5_000;
/** The speed the dispatch list's ETA assumes: a car in city traffic, in a straight line. */
export const DISPATCH_SPEED_KMH = 30;

/** A unit id: a topic level and a URL segment. */
export const UNIT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Payload of `ioc/unit/{unitId}/position` (and of `POST /api/units/me/position`, without `unitId`). */
export const UnitPositionSchema = z.looseObject({
  ts: z.union([
    z.number().int().min(0).max(8.64e15),
    z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
  ]),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  /** metres, as the GPS says */
  accuracyM: z.number().min(0).max(100_000).optional(),
  headingDeg: z.number().min(0).max(360).optional(),
  speedKmh: z.number().min(0).max(250).optional(),
  unitId: z.string().max(64).optional(),
  id: z.string().min(1).max(64).optional(),
});
export type UnitPositionPayload = z.input<typeof UnitPositionSchema>;

/** A unit as the live `units` layer carries it. */
export interface UnitItem {
  id: string;
  name: string;
  kind: UnitKind;
  /** the last position and its time (epoch ms); absent before the first */
  lat?: number;
  lon?: number;
  ts?: number;
  accuracyM?: number;
  status: UnitStatus;
  /** the incident it is sent to, while dispatched or on scene */
  incidentId?: string;
  /** whether a field account is linked (only such a unit sees its tasks on /report) */
  linked: boolean;
  /** false once its officer stopped sharing (the console hides it) */
  onDuty: boolean;
  /** when anything of it last changed (position, status, duty) */
  updatedAt: number;
}

/** Whether a unit's last position is too old to trust. */
export function unitStale(u: Pick<UnitItem, 'ts'>, now: number): boolean {
  return u.ts === undefined || now - u.ts > UNIT_STALE_MS;
}

export interface RankedUnit {
  unit: UnitItem;
  distanceM: number;
  /** minutes at DISPATCH_SPEED_KMH in a straight line, at least 1 */
  etaMin: number;
  stale: boolean;
}

/**
 * The units an incident at `at` may be given to, for the assign list: on duty with a position; fresh
 * before stale, available before busy, nearest first (straight-line distance, ETA at DISPATCH_SPEED_KMH).
 */
export function rankUnits(units: Iterable<UnitItem>, at: LonLat, now: number): RankedUnit[] {
  const out: RankedUnit[] = [];
  for (const u of units) {
    if (!u.onDuty || u.lat === undefined || u.lon === undefined) continue;
    const d = distanceM([u.lon, u.lat], at);
    out.push({
      unit: u,
      distanceM: Math.round(d),
      etaMin: Math.max(1, Math.ceil((d / 1000 / DISPATCH_SPEED_KMH) * 60)),
      stale: unitStale(u, now),
    });
  }
  const rank = (r: RankedUnit) => (r.stale ? 2 : 0) + (r.unit.status === 'available' ? 0 : 1);
  return out.sort((a, b) => rank(a) - rank(b) || a.distanceM - b.distanceM);
}

/** A task's steps, in order; `cancelled` when the incident went to another unit or was closed. */
export const TASK_STATES = ['assigned', 'accepted', 'on_scene', 'done', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** What the field account does with a task: `POST /api/tasks/{id}/{step}`. */
export const TASK_STEPS = ['accept', 'on_scene', 'done'] as const;
export type TaskStep = (typeof TASK_STEPS)[number];

/** The state a step leads to, and the states it may start from. */
export const TASK_STEP_RULES: Record<TaskStep, { from: readonly TaskState[]; to: TaskState }> = {
  accept: { from: ['assigned'], to: 'accepted' },
  on_scene: { from: ['assigned', 'accepted'], to: 'on_scene' },
  done: { from: ['accepted', 'on_scene'], to: 'done' },
};

/** The next state of a task on `step`, or undefined when the step does not apply now. */
export function nextTaskState(current: TaskState, step: TaskStep): TaskState | undefined {
  const r = TASK_STEP_RULES[step];
  return r.from.includes(current) ? r.to : undefined;
}

/** The unit status a task in `state` gives its unit. */
export function unitStatusOf(state: TaskState | undefined): UnitStatus {
  return state === 'assigned' || state === 'accepted'
    ? 'dispatched'
    : state === 'on_scene'
      ? 'on_scene'
      : 'available';
}

/** A task as the unit's field account sees it (`GET /api/tasks`, socket `task:changed`). */
export interface FieldTask {
  id: string;
  incidentId: string;
  /** the incident's report number (PA-…) */
  number: string;
  unitId: string;
  status: TaskState;
  assignedAt: number;
  updatedAt: number;
  /** the operator who sent it, and their note */
  assignedBy?: string;
  note?: string;
  incident: {
    category: IncidentCategory;
    severity: number;
    lat: number;
    lon: number;
    description?: string;
    address?: string;
  };
}

/** Answer of `GET /api/tasks`: the caller's unit (if any) and its tasks, open first then the last done. */
export interface TasksAnswer {
  unit: UnitItem | null;
  tasks: FieldTask[];
}

/** Body of `POST /api/units/me/position`: the phone's position (the unit is the caller's own). */
export type PhonePosition = Omit<UnitPositionPayload, 'unitId'>;

/** A unit as admins see it on /admin (`GET /api/admin/units`): the registry and its last report. */
export interface UnitAdminView {
  id: string;
  name: string;
  kind: UnitKind;
  /** the field account that sees its tasks on /report; null: none (a patrol car's tracker only) */
  account: string | null;
  onDuty: boolean;
  status: UnitStatus;
  /** its last position's time (epoch ms); absent before the first */
  ts?: number;
}

/** `PUT /api/admin/units/{id}`: registers a unit or renames and relinks it (positions and tasks stay). */
export const UnitSaveSchema = z.strictObject({
  name: z.string().trim().min(1).max(80),
  kind: z.enum(UNIT_KINDS),
  account: z.string().trim().min(1).max(64).nullable(),
});
export type UnitSaveRequest = z.infer<typeof UnitSaveSchema>;
