import { toggleLang } from '../i18n/i18n.ts';
import { HEAT_PERIODS } from '../map/layers/heatLayer.ts';
import { alarmForm, alarmsOpen, toggleAlarms } from './alarmStore.ts';
import { openedByKey } from './panelFocus.ts';
import { nextService } from './services.ts';
import {
  heatPeriod,
  help,
  LAYER_KEYS,
  queueOpen,
  selection,
  toggleLayer,
  toggleQueue,
  wall,
} from './store.ts';
import { cancelPlacing } from './unplacedStore.ts';

export function toggleFullscreen(): void {
  if (document.fullscreenElement) void document.exitFullscreen();
  else void document.documentElement.requestFullscreen?.().catch(() => undefined);
}

/**
 * Escape closes the innermost thing open: the help sheet, the placing of an unplaced report, an
 * alarm form, the alarm list, then the side panel.
 */
export function closeInnermost(): void {
  if (help.value) help.value = false;
  else if (cancelPlacing()) return;
  else if (alarmForm.value) alarmForm.value = null;
  else if (alarmsOpen.value) alarmsOpen.value = false;
  else selection.value = null;
}

/** The wall's keyboard: one key per action, shown on the `?` sheet. */
export function installShortcuts(resetView: () => void, timeBar: () => void = () => undefined): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target as HTMLElement | null;
    const typing =
      !!target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable);
    const k = e.key;
    // Escape works in a form's field too: it closes the form
    if (k === 'Escape') {
      if (typing) target?.blur();
      closeInnermost();
      e.preventDefault();
      return;
    }
    if (typing || target?.tagName === 'SELECT') return;
    if (k === '?') {
      help.value = !help.value;
      if (help.value) openedByKey('help');
    } else if (k === 'w' || k === 'W') wall.value = !wall.value;
    else if (k === 'f' || k === 'F') toggleFullscreen();
    else if (k === 'l' || k === 'L') toggleLang();
    else if (k === 'i' || k === 'I') {
      toggleQueue();
      if (queueOpen.value) openedByKey('queue');
    } else if (k === 'a' || k === 'A') {
      toggleAlarms();
      if (alarmsOpen.value) openedByKey('alarms');
    } else if (k === 'r' || k === 'R') resetView();
    else if (k === 't' || k === 'T') timeBar();
    else if (k === 's' || k === 'S') {
      const sel = selection.value;
      const next = nextService(sel?.kind === 'service' ? sel.id : null);
      if (next && !sel) openedByKey('side');
      selection.value = next ? { kind: 'service', id: next } : null;
    } else if (k === 'p' || k === 'P') {
      const i = HEAT_PERIODS.indexOf(heatPeriod.value);
      heatPeriod.value = HEAT_PERIODS[(i + 1) % HEAT_PERIODS.length];
    } else if (k >= '1' && k <= String(LAYER_KEYS.length)) toggleLayer(LAYER_KEYS[Number(k) - 1]);
    else return;
    e.preventDefault();
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}
