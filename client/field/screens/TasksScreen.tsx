import { useEffect, useRef, useState } from 'preact/hooks';
import { distanceM } from '#contract/geo.ts';
import { MAX_NOTE_CHARS } from '#contract/incidentsApi.ts';
import type { FieldTask, TaskState, TaskStep } from '#contract/units.ts';
import { fmt, t } from '../../i18n/i18n.ts';
import type { MessageKey } from '../../i18n/messages.ts';
import {
  dutyState,
  here,
  lastSentAt,
  locateOnce,
  refusedWhy,
  sharing,
  startSharing,
  stopSharing,
} from '../duty.ts';
import { authProblem, online } from '../fieldStore.ts';
import { shrinkPhoto } from '../photo.ts';
import { isOpen, type StepEntry, shownState, stepsFrom } from '../taskSteps.ts';
import {
  dismissStep,
  mySteps,
  stepSender,
  takeStep,
  tasks,
  tasksLoadedAt,
  tasksLoadFailed,
  unit,
} from '../taskStore.ts';
import { ItemIcon } from './ReportItem.tsx';

/** The tasks tab: going on duty (sharing the position), and the tasks the centre sent to this unit. */
export function TasksScreen() {
  useEffect(() => locateOnce(), []);
  const queued = mySteps.value;
  const waiting = queued.filter((e) => e.state === 'pending').length;
  const list = tasks.value;
  return (
    <div class="tasks" data-testid="tasks">
      <DutyCard />
      {waiting > 0 && (
        <div class="steps-waiting" role="status" data-testid="steps-waiting" data-count={waiting}>
          <span class="waiting-dot" aria-hidden="true" />
          {authProblem.value
            ? t('field.steps.waitLogin', { n: waiting })
            : t('field.steps.waiting', { n: waiting })}
        </div>
      )}
      <section class="card">
        <div class="card-head">
          <h2>{t('field.tasks.title')}</h2>
          {unit.value && <span class="card-aside">{t('field.tasks.unit', { name: unit.value.name })}</span>}
        </div>
        {tasksLoadFailed.value && tasksLoadedAt.value > 0 && online.value && (
          <p class="muted small">{t('field.tasks.loadError')}</p>
        )}
        {list.length === 0 ? (
          <p class="muted" data-testid="tasks-empty">
            {unit.value ? t('field.tasks.empty') : t('field.tasks.noUnit')}
          </p>
        ) : (
          <ul class="list">
            {list.map((task) => (
              <TaskItem key={task.id} task={task} queued={queued.filter((e) => e.taskId === task.id)} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

/** The duty switch: sharing the phone's position, opt-in, with what it is doing now. */
function DutyCard() {
  const on = sharing.value;
  const st = dutyState.value;
  return (
    <section class="card duty" data-testid="duty-card">
      <label class="duty-switch">
        <span class="duty-title">{t('field.duty.title')}</span>
        <input
          type="checkbox"
          role="switch"
          aria-checked={on}
          checked={on}
          data-testid="duty-switch"
          onChange={(e) => {
            if ((e.currentTarget as HTMLInputElement).checked) startSharing();
            else void stopSharing();
          }}
        />
        <span class="switch-track" aria-hidden="true" />
      </label>
      <p class="muted small">{t('field.duty.explain')}</p>
      {!on && (st === 'denied' || st === 'no_gps') && (
        <div class="err small" role="alert" data-testid="duty-problem" data-state={st}>
          {t(st === 'denied' ? 'field.duty.denied' : 'field.duty.noGps')}
        </div>
      )}
    </section>
  );
}

/**
 * While sharing: a bar under the header on every tab, with what the GPS and the network do, and Stop.
 * (A refusal of the GPS ends sharing: the duty card says so.)
 */
export function DutyBar() {
  if (!sharing.value) return null;
  const st = dutyState.value;
  const f = fmt.value;
  let line: string;
  let tone = 'ok';
  if (st === 'sharing') {
    line = `${t('field.duty.sharing')} · ${t('field.duty.sentAt', { time: f.time(lastSentAt.value) })}`;
  } else if (st === 'locating') line = t('field.duty.locating');
  else if (st === 'offline') {
    line = t('field.duty.offline');
    tone = 'warn';
  } else if (st === 'refused') {
    line = t('field.duty.refused', { why: refusedWhy.value });
    tone = 'warn';
  } else {
    line = t('field.duty.unavailable');
    tone = 'warn';
  }
  return (
    <div class={`duty-bar duty-${tone}`} role="status" data-testid="duty-bar" data-state={st}>
      <span class="duty-dot" aria-hidden="true" />
      <span class="duty-line" data-testid="duty-line">
        {line}
      </span>
      <button type="button" class="duty-stop" data-testid="duty-stop" onClick={() => void stopSharing()}>
        {t('field.duty.stop')}
      </button>
    </div>
  );
}

const TONE: Record<TaskState, string> = {
  assigned: 'new',
  accepted: 'work',
  on_scene: 'work',
  done: 'done',
  cancelled: 'wait',
};

/** Metres as the officer reads them: 350 m, 1,2 km. */
function distanceText(m: number): string {
  const f = fmt.value;
  return m < 1000 ? `${f.num(Math.round(m / 10) * 10)} m` : `${f.num(m / 1000, 1)} km`;
}

function TaskItem({ task, queued }: { task: FieldTask; queued: StepEntry[] }) {
  const f = fmt.value;
  const state = shownState(task, queued);
  const next = stepsFrom(state);
  const [doneOpen, setDoneOpen] = useState(false);
  const pos = here.value;
  const inc = task.incident;
  const place = inc.address || inc.description || `${inc.lat.toFixed(5)}, ${inc.lon.toFixed(5)}`;
  const pending = queued.filter((e) => e.state === 'pending');
  const refused = queued.filter((e) => e.state === 'rejected');
  return (
    <li
      class={`item task${isOpen(state) ? ' open' : ''}`}
      data-testid="task-item"
      data-id={task.id}
      data-status={state}
    >
      <ItemIcon category={inc.category} />
      <div class="item-main">
        <div class="item-title">
          <span class="item-number">{task.number}</span> · {t(`cat.${inc.category}`)}
        </div>
        <div class="task-place" data-testid="task-place">
          {place}
        </div>
        {inc.address && inc.description && <div class="item-desc">{inc.description}</div>}
        <div class="item-sub">
          {t('field.task.assignedAt', {
            time: f.time(task.assignedAt),
            ago: f.ago(Math.max(0, Date.now() - task.assignedAt)),
          })}
        </div>
        <div class="item-sub" data-testid="task-distance">
          {pos
            ? t('field.task.distance', { d: distanceText(distanceM([pos.lon, pos.lat], [inc.lon, inc.lat])) })
            : t('field.task.noDistance')}
        </div>
      </div>
      <span class={`chip chip-${TONE[state]}`} data-testid="task-state">
        {t(`field.task.state.${state}` as MessageKey)}
      </span>
      {/* the note, the steps and the buttons under the whole card, not beside the chip's column */}
      <div class="task-body">
        {task.note && (
          <div class="update-note" data-testid="task-note">
            <strong>{t('field.task.by', { who: task.assignedBy ?? '' })}</strong> “{task.note}”
          </div>
        )}
        <StepTrail state={state} />
        {pending.map((e) => (
          <div key={e.id} class="task-pending" data-testid="task-pending" data-step={e.step}>
            {stepSender.sending === e.id
              ? t('field.task.sending', { step: stepName(e.step) })
              : t('field.task.pending', { step: stepName(e.step) })}
          </div>
        ))}
        {refused.map((e) => (
          <div key={e.id} class="err small" data-testid="task-refused">
            <div class="err-main">
              {t('field.task.refused', { step: stepName(e.step), why: refusedText(e) })}
            </div>
            <button type="button" class="btn-ghost" onClick={() => void dismissStep(e.id)}>
              {t('field.task.dismiss')}
            </button>
          </div>
        ))}
        {isOpen(state) && !doneOpen && (
          <div class="task-actions">
            {next.includes('accept') && (
              <button
                type="button"
                class="btn-primary"
                data-testid="task-accept"
                onClick={() => void takeStep(task.id, 'accept')}
              >
                {t('field.task.accept')}
              </button>
            )}
            {next.includes('on_scene') && (
              <button
                type="button"
                class={state === 'assigned' ? 'btn-secondary' : 'btn-primary'}
                data-testid="task-on-scene"
                onClick={() => void takeStep(task.id, 'on_scene')}
              >
                {t('field.task.onScene')}
              </button>
            )}
            {next.includes('done') && (
              <button
                type="button"
                class={state === 'on_scene' ? 'btn-primary' : 'btn-secondary'}
                data-testid="task-done"
                onClick={() => setDoneOpen(true)}
              >
                {t('field.task.done')}
              </button>
            )}
          </div>
        )}
        {isOpen(state) && doneOpen && <DoneForm task={task} onClose={() => setDoneOpen(false)} />}
      </div>
    </li>
  );
}

/** The three steps of a task, the ones taken marked. */
function StepTrail({ state }: { state: TaskState }) {
  if (state === 'cancelled') return null;
  const at = { assigned: 0, accepted: 1, on_scene: 2, done: 3, cancelled: 0 }[state];
  const names: TaskStep[] = ['accept', 'on_scene', 'done'];
  return (
    <ol class="trail" aria-hidden="true">
      {names.map((s, i) => (
        <li key={s} class={i < at ? 'taken' : ''}>
          {stepName(s)}
        </li>
      ))}
    </ol>
  );
}

function stepName(s: TaskStep): string {
  return t(`field.task.step.${s}` as MessageKey);
}

function refusedText(e: StepEntry): string {
  const code = e.error?.code ?? '';
  if (code === 'illegal_step') {
    const status = (e.error as { details?: unknown } | undefined)?.details;
    const st = typeof status === 'object' && status && 'status' in status ? String(status.status) : '';
    return t('field.task.err.illegal_step', {
      status: st ? t(`field.task.state.${st}` as MessageKey) : '',
    });
  }
  if (code === 'no_task') return t('field.task.err.no_task');
  return e.error?.message || t('field.task.err.other', { code });
}

/** The done step: what was done (required) and a photo of the scene (optional, shrunk as a report's). */
function DoneForm({ task, onClose }: { task: FieldTask; onClose: () => void }) {
  const [note, setNote] = useState('');
  const [photo, setPhoto] = useState<{ file: File; url: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<MessageKey | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => () => photo && URL.revokeObjectURL(photo.url), [photo]);
  const onFile = async (files: FileList | null) => {
    const f0 = files?.[0];
    if (!f0) return;
    setBusy(true);
    try {
      const small = await shrinkPhoto(f0, f0.name, 0);
      setPhoto({ file: small, url: URL.createObjectURL(small) });
      setErr(null);
    } catch {
      setErr('field.photos.undecodable');
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };
  return (
    <div class="done-form" data-testid="done-form">
      <div class="done-title">{t('field.task.doneTitle')}</div>
      <textarea
        class="textarea"
        rows={3}
        maxLength={MAX_NOTE_CHARS}
        placeholder={t('field.task.notePlaceholder')}
        value={note}
        data-testid="done-note"
        onInput={(e) => {
          setNote((e.currentTarget as HTMLTextAreaElement).value);
          if (err === 'field.task.needNote') setErr(null);
        }}
      />
      {photo && (
        <div class="thumb done-thumb" data-testid="done-thumb">
          <img src={photo.url} alt="" />
        </div>
      )}
      {busy && (
        <div class="muted" data-testid="done-photo-busy">
          <span class="spinner dark" aria-hidden="true" /> {t('field.photos.processing')}
        </div>
      )}
      <label class="btn-secondary">
        {t('field.task.photo')}
        <input
          ref={input}
          type="file"
          accept="image/*"
          capture="environment"
          class="visually-hidden"
          data-testid="done-photo-input"
          onChange={(e) => void onFile((e.currentTarget as HTMLInputElement).files)}
        />
      </label>
      {err && (
        <div class="err small" role="alert" data-testid="done-error">
          {t(err, { name: '' })}
        </div>
      )}
      <div class="task-actions">
        <button
          type="button"
          class="btn-primary"
          data-testid="done-send"
          disabled={busy}
          onClick={() => {
            if (!note.trim()) {
              setErr('field.task.needNote');
              return;
            }
            void takeStep(task.id, 'done', note.trim(), photo?.file);
            onClose();
          }}
        >
          {t('field.task.sendDone')}
        </button>
        <button type="button" class="btn-ghost" data-testid="done-cancel" onClick={onClose}>
          {t('field.task.cancel')}
        </button>
      </div>
    </div>
  );
}
