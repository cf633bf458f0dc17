import type { FieldTask, TaskState, TaskStep } from '#contract/units.ts';
import { nextTaskState, TASK_STEP_RULES } from '#contract/units.ts';
import type { QueuedItem } from './outbox.ts';
import { parseRetryAfter } from './retry.ts';
import type { PostResult } from './sender.ts';

/** A step on a task the officer took, kept on the phone until the server has it (sent in order). */
export interface StepEntry extends QueuedItem {
  taskId: string;
  step: TaskStep;
  note?: string;
  /** the done step's photo, already shrunk as a report's */
  photo?: File;
}

/** How far along each state is: a step is taken once the task is at its state or past it. */
const ORDER: Record<TaskState, number> = { assigned: 0, accepted: 1, on_scene: 2, done: 3, cancelled: 4 };

/** Whether a task is still to be worked on. */
export function isOpen(status: TaskState): boolean {
  return status === 'assigned' || status === 'accepted' || status === 'on_scene';
}

/**
 * The state the officer sees a task in: the server's, moved on by the steps still waiting on the phone
 * (in the order they were taken); a step that no longer applies (the task was cancelled) moves nothing.
 */
export function shownState(task: Pick<FieldTask, 'id' | 'status'>, queued: readonly StepEntry[]): TaskState {
  let s = task.status;
  for (const e of [...queued].sort((a, b) => a.createdAt - b.createdAt)) {
    if (e.taskId !== task.id || e.state !== 'pending') continue;
    s = nextTaskState(s, e.step) ?? s;
  }
  return s;
}

/** The steps the officer may take on a task in `state`. */
export function stepsFrom(state: TaskState): TaskStep[] {
  return (Object.keys(TASK_STEP_RULES) as TaskStep[]).filter((k) => nextTaskState(state, k) !== undefined);
}

/**
 * A task as the server last told it (`GET /api/tasks` or pushed) into the list: an older view never
 * replaces a newer one; open tasks first, newest assigned first.
 */
export function mergeTask(list: readonly FieldTask[], t: FieldTask): FieldTask[] {
  const prev = list.find((x) => x.id === t.id);
  if (prev && prev.updatedAt > t.updatedAt) return [...list];
  return sortTasks([...list.filter((x) => x.id !== t.id), t]);
}

export function sortTasks(list: FieldTask[]): FieldTask[] {
  return list.sort(
    (a, b) => Number(isOpen(b.status)) - Number(isOpen(a.status)) || b.assignedAt - a.assignedAt,
  );
}

/** How many tasks wait to be accepted (the tab's badge). */
export function newTasks(list: readonly FieldTask[], queued: readonly StepEntry[]): number {
  return list.filter((t) => shownState(t, queued) === 'assigned').length;
}

/**
 * A 409 to a step the server already has: the answer to an earlier attempt was lost on the way back
 * (the task is at the step's state or past it, not cancelled). Taken as sent.
 */
export function alreadyTaken(step: TaskStep, r: PostResult): boolean {
  if (r.status !== 409) return false;
  const status = (r.body as { error?: { details?: { status?: TaskState } } } | undefined)?.error?.details
    ?.status;
  if (!status || status === 'cancelled') return false;
  return ORDER[status] >= ORDER[TASK_STEP_RULES[step].to];
}

/** A step that goes long on 2G with its photo gets this long. */
const POST_TIMEOUT_MS = 90_000;

/** One attempt to send a step (`POST /api/tasks/{id}/{step}`): a form with its note and photo, if any. */
export async function postStep(e: StepEntry): Promise<PostResult> {
  let body: FormData | undefined;
  if (e.note || e.photo) {
    body = new FormData();
    if (e.note) body.set('note', e.note);
    if (e.photo) body.append('photo', e.photo, e.photo.name);
  }
  let r: Response;
  try {
    r = await fetch(`/api/tasks/${encodeURIComponent(e.taskId)}/${e.step}`, {
      method: 'POST',
      body,
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    });
  } catch (err) {
    return { status: 0, failure: navigator.onLine ? (err as Error).message : 'offline' };
  }
  let json: unknown;
  try {
    json = await r.json();
  } catch {
    // not JSON: the status decides
  }
  const out: PostResult = {
    status: r.status,
    body: json,
    retryAfterMs: parseRetryAfter(r.headers.get('retry-after'), Date.now()),
    failure: `HTTP ${r.status}`,
  };
  return alreadyTaken(e.step, out) ? { ...out, status: 200 } : out;
}
