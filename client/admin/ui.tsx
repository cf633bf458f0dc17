import { signal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { lang, t } from '../i18n/i18n.ts';
import { AdminApiError } from './api.ts';

/** A short confirmation under the tabs ("Đã cập nhật …"), gone after a few seconds. */
export const toast = signal<{ text: string; tone: 'ok' | 'bad' } | null>(null);
let toastTimer: ReturnType<typeof setTimeout> | undefined;
export function say(text: string, tone: 'ok' | 'bad' = 'ok'): void {
  toast.value = { text, tone };
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (toast.value = null), tone === 'ok' ? 4000 : 8000);
}

export function Toast() {
  const v = toast.value;
  return (
    <div class="toast-slot" role="status" aria-live="polite">
      {v && (
        <div class={`toast toast-${v.tone}`} data-testid="toast">
          {v.text}
        </div>
      )}
    </div>
  );
}

/** An error in the admin's language where the code is known, the server's words otherwise. */
export function errorText(err: unknown): string {
  if (err instanceof AdminApiError) {
    if (err.status === 0) return t('login.err.unreachable');
    if (err.status === 403) return t('admin.forbidden');
    return err.message;
  }
  return (err as Error)?.message ?? String(err);
}

/** Loading, failed (with a retry) or empty states of a tab's list. */
export function ListState(props: {
  loading: boolean;
  error: unknown;
  empty: boolean;
  emptyText: string;
  onRetry: () => void;
}) {
  lang.value;
  if (props.error)
    return (
      <div class="state state-error" role="alert" data-testid="list-error">
        <span>{t('admin.error', { msg: errorText(props.error) })}</span>
        <button type="button" class="btn" onClick={props.onRetry}>
          {t('admin.retry')}
        </button>
      </div>
    );
  if (props.loading)
    return (
      <div class="state" data-testid="list-loading">
        {t('admin.loading')}
      </div>
    );
  if (props.empty)
    return (
      <div class="state" data-testid="list-empty">
        {props.emptyText}
      </div>
    );
  return null;
}

/**
 * A modal dialog (the platform's `<dialog>`: focus kept inside, Escape closes) unless
 * `sticky`, for what must not be lost by a stray key: a password shown once.
 */
export function Modal(props: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  sticky?: boolean;
  testId?: string;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      class={`modal${props.wide ? ' modal-wide' : ''}`}
      aria-labelledby="modal-title"
      data-testid={props.testId}
      onCancel={(e) => {
        e.preventDefault();
        if (!props.sticky) props.onClose();
      }}
    >
      <div class="modal-head">
        <h2 id="modal-title">{props.title}</h2>
      </div>
      {props.children}
    </dialog>
  );
}

async function copyText(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // not a secure context (http on a LAN address): the old way
    if (!input) return false;
    input.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

/** A secret in a read-only field, with a copy button. */
export function SecretField(props: { label: string; value: string; testId: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const fieldId = `secret-${props.testId}`;
  return (
    <div class="secret">
      <label class="label" for={fieldId}>
        {props.label}
      </label>
      <div class="secret-row">
        <input
          id={fieldId}
          ref={input}
          class="input mono"
          readOnly
          value={props.value}
          data-testid={props.testId}
          onFocus={(e) => (e.target as HTMLInputElement).select()}
        />
        <button
          type="button"
          class="btn primary"
          data-testid={`${props.testId}-copy`}
          onClick={async () => setState((await copyText(props.value, input.current)) ? 'copied' : 'failed')}
        >
          {state === 'copied' ? `✓ ${t('admin.copied')}` : t('admin.copy')}
        </button>
      </div>
      {state === 'failed' && <div class="hint bad">{t('admin.copyFailed')}</div>}
    </div>
  );
}

/** What the server generated, shown this once: a password or a device's MQTT credentials. */
export interface Secret {
  title: string;
  intro: string;
  fields: Array<{ label: string; value: string; testId: string }>;
}

export const secret = signal<Secret | null>(null);

export function SecretDialog() {
  const s = secret.value;
  lang.value;
  if (!s) return null;
  return (
    <Modal title={s.title} onClose={() => (secret.value = null)} sticky testId="secret-dialog">
      <div class="modal-body">
        <p>{s.intro}</p>
        {s.fields.map((f) => (
          <SecretField key={f.testId} {...f} />
        ))}
        <div class="once" role="note">
          {t('admin.once')}
        </div>
      </div>
      <div class="modal-foot">
        <button
          type="button"
          class="btn primary"
          data-testid="secret-close"
          onClick={() => (secret.value = null)}
        >
          {t('admin.close')}
        </button>
      </div>
    </Modal>
  );
}

export function StatusBadge({ disabled }: { disabled: boolean }) {
  return (
    <span class={`pill ${disabled ? 'pill-off' : 'pill-on'}`} data-testid="status">
      {disabled ? t('admin.status.disabled') : t('admin.status.active')}
    </span>
  );
}
