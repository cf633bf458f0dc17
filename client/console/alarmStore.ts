import { signal } from '@preact/signals';
import type { AudioStatus } from './alarmAudio.ts';
import { type AlarmFilter, NO_FILTER } from './alarmList.ts';

/** The alarm list (key A). */
export const alarmsOpen = signal<boolean>(false);
export const alarmFilter = signal<AlarmFilter>(NO_FILTER);
/** flood parents whose children are listed under them */
export const alarmExpanded = signal<ReadonlySet<string>>(new Set());
/** ticked rows, for "acknowledge the selected" */
export const alarmChecked = signal<ReadonlySet<string>>(new Set());
/** the alarm whose details, actions and history show (a row clicked, a map mark clicked) */
export const alarmFocus = signal<string | null>(null);
/** an open form of the focused alarm (Escape closes it first) */
export const alarmForm = signal<'shelve' | null>(null);
/** activations a silence covered (soundKey): they stay quiet, a new one sounds */
export const silenced = signal<ReadonlySet<string>>(new Set());
export const audioStatus = signal<AudioStatus>('running');

export function toggleAlarms(): void {
  alarmsOpen.value = !alarmsOpen.value;
  if (!alarmsOpen.value) alarmForm.value = null;
}

/** Opens the list on one alarm (a map mark, the banner). */
export function focusAlarm(id: string): void {
  alarmsOpen.value = true;
  alarmForm.value = null;
  alarmFocus.value = id;
}

export function toggleIn(set: ReadonlySet<string>, id: string): Set<string> {
  const next = new Set(set);
  if (!next.delete(id)) next.add(id);
  return next;
}
