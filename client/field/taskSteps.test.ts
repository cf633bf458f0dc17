import { describe, expect, it } from 'vitest';
import type { FieldTask } from '#contract/units.ts';
import { positionBody, sendDelay } from './duty.ts';
import { alreadyTaken, mergeTask, newTasks, type StepEntry, shownState, stepsFrom } from './taskSteps.ts';

function task(
  id: string,
  status: FieldTask['status'],
  assignedAt: number,
  updatedAt = assignedAt,
): FieldTask {
  return Object.freeze({
    id,
    incidentId: `i${id}`,
    number: `PA-00000${id}`,
    unitId: 'field-an',
    status,
    assignedAt,
    updatedAt,
    incident: { category: 'public_order', severity: 3, lat: 13.77, lon: 109.22 },
  }) as FieldTask;
}

function step(
  taskId: string,
  s: StepEntry['step'],
  createdAt: number,
  state: StepEntry['state'] = 'pending',
) {
  return {
    id: `${taskId}-${s}`,
    taskId,
    step: s,
    createdAt,
    attempts: 0,
    nextAttemptAt: 0,
    state,
  } as StepEntry;
}

describe('a task as the officer sees it', () => {
  it('moves on by the steps still waiting on the phone, in the order they were taken', () => {
    const t = task('1', 'assigned', 1);
    expect(shownState(t, [])).toBe('assigned');
    // queued out of order in the store: taken accept first, then on scene
    expect(shownState(t, [step('1', 'on_scene', 20), step('1', 'accept', 10)])).toBe('on_scene');
    // another task's steps, and a refused one, move nothing
    expect(shownState(t, [step('2', 'accept', 10), step('1', 'accept', 11, 'rejected')])).toBe('assigned');
  });

  it('a cancelled task stays cancelled whatever waits', () => {
    expect(shownState(task('1', 'cancelled', 1), [step('1', 'accept', 10)])).toBe('cancelled');
  });

  it('offers the steps the server takes from each state', () => {
    expect(stepsFrom('assigned')).toEqual(['accept', 'on_scene']);
    expect(stepsFrom('accepted')).toEqual(['on_scene', 'done']);
    expect(stepsFrom('on_scene')).toEqual(['done']);
    expect(stepsFrom('done')).toEqual([]);
  });

  it('keeps the newer view of a task, open tasks first, newest assigned first', () => {
    const list = [task('1', 'done', 1), task('2', 'assigned', 2)];
    const merged = mergeTask(list, task('3', 'assigned', 3));
    expect(merged.map((t) => t.id)).toEqual(['3', '2', '1']);
    // an older push does not undo a newer state
    const newer = mergeTask(merged, task('2', 'accepted', 2, 50));
    expect(mergeTask(newer, task('2', 'assigned', 2, 40)).find((t) => t.id === '2')?.status).toBe('accepted');
  });

  it('counts as new only the tasks not yet accepted, on the phone or on the server', () => {
    const list = [task('1', 'assigned', 1), task('2', 'assigned', 2), task('3', 'on_scene', 3)];
    expect(newTasks(list, [])).toBe(2);
    expect(newTasks(list, [step('1', 'accept', 5)])).toBe(1);
  });
});

describe('a step the server already has', () => {
  const conflict = (status: string) => ({
    status: 409,
    body: { error: { code: 'illegal_step', message: 'x', details: { status } } },
  });
  it('is taken as sent when the task is at its state or past it (the answer was lost)', () => {
    expect(alreadyTaken('accept', conflict('accepted'))).toBe(true);
    expect(alreadyTaken('accept', conflict('on_scene'))).toBe(true);
    expect(alreadyTaken('done', conflict('done'))).toBe(true);
  });
  it('is refused when the task is behind it or was cancelled', () => {
    expect(alreadyTaken('done', conflict('assigned'))).toBe(false);
    expect(alreadyTaken('accept', conflict('cancelled'))).toBe(false);
    expect(alreadyTaken('accept', { status: 404, body: {} })).toBe(false);
  });
});

describe('sharing the position on duty', () => {
  it('sends at most one position every 10 s', () => {
    expect(sendDelay(0, 1_000_000)).toBe(0);
    expect(sendDelay(1_000_000, 1_004_000)).toBe(6_000);
    expect(sendDelay(1_000_000, 1_010_000)).toBe(0);
  });
  it("sends the fix as the contract's body, dated when the GPS took it", () => {
    expect(positionBody({ lat: 13.77, lon: 109.22, accuracyM: 12.4, ts: 1_700_000_000_123.4 })).toEqual({
      ts: 1_700_000_000_123,
      lat: 13.77,
      lon: 109.22,
      accuracyM: 12,
    });
  });
});
