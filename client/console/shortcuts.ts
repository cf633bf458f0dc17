import { toggleLang } from '../i18n/i18n.ts';
import { HEAT_PERIODS } from '../map/layers/heatLayer.ts';
import { heatPeriod, help, LAYER_KEYS, selection, toggleLayer, toggleQueue, wall } from './store.ts';

export function toggleFullscreen(): void {
  if (document.fullscreenElement) void document.exitFullscreen();
  else void document.documentElement.requestFullscreen?.().catch(() => undefined);
}

/** The wall's keyboard: one key per action, shown on the `?` sheet. */
export function installShortcuts(resetView: () => void): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable))
      return;
    const k = e.key;
    if (k === '?') help.value = !help.value;
    else if (k === 'Escape') {
      if (help.value) help.value = false;
      else selection.value = null;
    } else if (k === 'w' || k === 'W') wall.value = !wall.value;
    else if (k === 'f' || k === 'F') toggleFullscreen();
    else if (k === 'l' || k === 'L') toggleLang();
    else if (k === 'i' || k === 'I') toggleQueue();
    else if (k === 'r' || k === 'R') resetView();
    else if (k === 'p' || k === 'P') {
      const i = HEAT_PERIODS.indexOf(heatPeriod.value);
      heatPeriod.value = HEAT_PERIODS[(i + 1) % HEAT_PERIODS.length];
    } else if (k >= '1' && k <= '5') toggleLayer(LAYER_KEYS[Number(k) - 1]);
    else return;
    e.preventDefault();
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}
