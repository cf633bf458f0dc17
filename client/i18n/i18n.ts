import { computed, signal } from '@preact/signals';
import {
  formatAgo,
  formatDateTime,
  formatNumber,
  formatTime,
  LANGS,
  type Lang,
  translate,
} from './format.ts';
import type { MessageKey } from './messages.ts';

const STORAGE_KEY = 'ioc.lang';

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved && (LANGS as readonly string[]).includes(saved)) return saved as Lang;
  } catch {
    // storage blocked: fall back to the default
  }
  return 'vi';
}

/** The chosen language; Vietnamese unless this browser chose otherwise. */
export const lang = signal<Lang>(initialLang());

/** Sets the language and remembers it for this browser. */
export function setLang(next: Lang): void {
  lang.value = next;
  document.documentElement.lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // not remembered, still switched
  }
}

export function toggleLang(): void {
  setLang(lang.value === 'vi' ? 'en' : 'vi');
}

/** Translates in the current language (reading `lang` subscribes a component). */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(lang.value, key, params);
}

export const fmt = computed(() => {
  const l = lang.value;
  return {
    num: (n: number, digits = 0) => formatNumber(l, n, digits),
    time: (ts: number) => formatTime(l, ts),
    dateTime: (ts: number) => formatDateTime(l, ts),
    ago: (ms: number) => formatAgo(l, ms),
  };
});
