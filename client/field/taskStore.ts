import { computed, signal } from '@preact/signals';
import type { FieldTask, TaskStep, TasksAnswer, UnitItem } from '#contract/units.ts';
import { apiFetch } from '../shared/session.ts';
import { account, authCheck, me } from './fieldStore.ts';
import { idbStore, newReportId } from './outbox.ts';
import { Sender } from './sender.ts';
import { mergeTask, newTasks, postStep, type StepEntry, sortTasks } from './taskSteps.ts';

/** The tasks as last known, kept per account for a phone that opens offline. */
interface KeptTasks {
  account: string;
  unit: UnitItem | null;
  tasks: FieldTask[];
  at: number;
}

const tasksStore = idbStore<KeptTasks>('ioc-field-tasks');
const stepsStore = idbStore<StepEntry>('ioc-field-steps');

/** This account's unit (null: none yet, it is made when the officer first shares a position). */
export const unit = signal<UnitItem | null>(null);
export const tasks = signal<FieldTask[]>([]);
/** when the list was last had from the server (0: never on this phone) */
export const tasksLoadedAt = signal(0);
export const tasksLoadFailed = signal(false);
/** the steps waiting on the phone (and those the server refused, until dismissed), oldest first */
export const steps = signal<StepEntry[]>([]);

/** Steps of this account only: another account's on a shared phone wait for it, untouched. */
export const mySteps = computed(() => steps.value.filter((e) => !e.owner || e.owner.id === me.value?.id));
/** Tasks waiting to be accepted: the tab's badge. */
export const newTaskCount = computed(() => newTasks(tasks.value, mySteps.value));

/** Sends the steps in the order they were taken; offline, they wait, and go when the network is back. */
export const stepSender = new Sender<StepEntry>({
  store: stepsStore,
  post: postStep,
  async onSent(_e, body) {
    const t = (body as { task?: FieldTask } | undefined)?.task;
    if (t) await applyTask(t);
  },
  now: () => Date.now(),
  rand: Math.random,
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
  authCheck,
  account,
});
stepSender.on(() => void refreshSteps());

export async function refreshSteps(): Promise<void> {
  steps.value = (await stepsStore.list()).sort((a, b) => a.createdAt - b.createdAt);
}

async function keep(): Promise<void> {
  const who = me.value?.username;
  if (!who) return;
  await tasksStore.put(who, { account: who, unit: unit.value, tasks: tasks.value, at: tasksLoadedAt.value });
}

/** What the phone kept of this account's tasks: shown before (or instead of) the server's answer. */
export async function loadKeptTasks(): Promise<void> {
  const who = me.value?.username;
  const kept = who ? await tasksStore.get(who) : undefined;
  if (kept && tasksLoadedAt.value === 0) {
    unit.value = kept.unit;
    tasks.value = kept.tasks;
    tasksLoadedAt.value = kept.at;
  }
  await refreshSteps();
}

/** The tasks from the server (`GET /api/tasks`): on start and on every (re)connection of the live line. */
export async function loadTasks(): Promise<void> {
  try {
    const r = await apiFetch('/api/tasks');
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const a = (await r.json()) as TasksAnswer;
    unit.value = a.unit;
    // a push that came while the answer was on its way is newer: kept
    let list = sortTasks([...a.tasks]);
    for (const t of tasks.value) if (a.tasks.some((x) => x.id === t.id)) list = mergeTask(list, t);
    tasks.value = list;
    tasksLoadedAt.value = Date.now();
    tasksLoadFailed.value = false;
    await keep();
  } catch {
    tasksLoadFailed.value = true;
  }
}

/** A task pushed live (`task:changed`), or the server's answer to a step. */
export async function applyTask(t: FieldTask): Promise<void> {
  tasks.value = mergeTask(tasks.value, t);
  await keep();
}

/**
 * The officer takes a step: kept on the phone first, then sent (now, or when the network is back, after
 * the steps taken before it).
 */
export async function takeStep(taskId: string, step: TaskStep, note?: string, photo?: File): Promise<void> {
  const id = newReportId();
  const e: StepEntry = {
    id,
    taskId,
    step,
    createdAt: Date.now(),
    attempts: 0,
    nextAttemptAt: 0,
    state: 'pending',
    ...(note && { note }),
    ...(photo && { photo }),
    ...(me.value && { owner: me.value }),
  };
  await stepsStore.put(id, e);
  await refreshSteps();
  void stepSender.kick(true);
}

/** Forgets a step the server refused (the officer has read why). */
export async function dismissStep(id: string): Promise<void> {
  await stepsStore.remove(id);
  await refreshSteps();
}
