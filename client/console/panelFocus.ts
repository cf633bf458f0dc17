// A panel a key opened takes the keyboard focus, and gives it back where it was when it closes: the
// operator who pressed I, A, S or ? goes on with Tab inside what opened, not from the top of the page.
// A panel opened with the pointer leaves the focus where it was (on the button that opened it).
import type { RefObject } from 'preact';
import { useLayoutEffect } from 'preact/hooks';

export type KeyPanel = 'help' | 'queue' | 'alarms' | 'side';

let pending: { panel: KeyPanel; from: Element | null } | null = null;

/** A shortcut has just opened this panel: its next render as open takes the focus. */
export function openedByKey(panel: KeyPanel): void {
  pending = { panel, from: document.activeElement };
}

/**
 * In the panel's component: when `open` turns true after `openedByKey(panel)`, focus moves to `ref`
 * (focusable with tabIndex -1); when it turns false, focus goes back to what had it, unless the
 * operator has moved it elsewhere meanwhile.
 */
export function useKeyOpenedFocus(panel: KeyPanel, open: boolean, ref: RefObject<HTMLElement>): void {
  useLayoutEffect(() => {
    if (!open || pending?.panel !== panel) return;
    const from = pending.from;
    pending = null;
    const el = ref.current;
    if (!el) return;
    el.focus({ preventScroll: true });
    return () => {
      const at = document.activeElement;
      // the panel is gone (or going): the focus was in it, or fell to the page with it
      if (at && at !== document.body && !el.contains(at)) return;
      if (from instanceof HTMLElement && from !== document.body && from.isConnected)
        from.focus({ preventScroll: true });
    };
  }, [open]);
}
