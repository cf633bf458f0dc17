import { signal } from '@preact/signals';
import type { ComponentChildren, ComponentType } from 'preact';
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

/**
 * A tab's list from the server: loaded when the tab opens and again by `load` (refresh, retry);
 * `add` appends a new row. `change` changes one row on the server: the row is `busy` meanwhile
 * (its buttons wait) and the row in the answer (`row` picks it) takes its place; a failure is said
 * in a toast and answers `undefined`.
 */
export function useAdminList<T extends { id: string }>(fetchList: () => Promise<{ items: T[] }>) {
  const [items, setItems] = useState<T[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const load = async () => {
    setLoading(true);
    setError(null);
    try {
      setItems((await fetchList()).items);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load();
  }, []);
  // a row the server already had (the same id) takes its place
  const add = (item: T) =>
    setItems((xs) =>
      xs.some((x) => x.id === item.id) ? xs.map((x) => (x.id === item.id ? item : x)) : [...xs, item],
    );
  const remove = (id: string) => setItems((xs) => xs.filter((x) => x.id !== id));
  const change = async <R,>(id: string, call: () => Promise<R>, row: (r: R) => T): Promise<R | undefined> => {
    setBusy(id);
    try {
      const r = await call();
      const item = row(r);
      setItems((xs) => xs.map((x) => (x.id === item.id ? item : x)));
      return r;
    } catch (err) {
      say(t('admin.failed', { msg: errorText(err) }), 'bad');
      return undefined;
    } finally {
      setBusy(null);
    }
  };
  return { items, loading, error, load, add, remove, busy, change };
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

/** What a tab's dialog for a new row is given: it calls `onCreated` with the new row once it is made. */
export interface CreateProps<T> {
  onClose: () => void;
  /** `name` names the row in the toast; `once` is what the server generated, to show this once */
  onCreated: (row: T, name: string, once?: Secret) => void;
}

/**
 * A tab's panel: the toolbar (the count once loaded, refresh, the button for a new row), the list's
 * loading, failed and empty states, and its table. The dialog for a new row adds the row it made
 * to the list, then shows what the server generated for it (or says it is done).
 */
export function ListPanel<T extends { id: string }>(props: {
  testId: string;
  list: { items: T[]; loading: boolean; error: unknown; load: () => Promise<void>; add: (row: T) => void };
  count: string;
  emptyText: string;
  create?: {
    label: string;
    testId: string;
    Dialog: ComponentType<CreateProps<T>>;
    /** the confirmation once done (default: "`name` updated") */
    done?: (name: string) => string;
  };
  /** what the tab is for, above the toolbar */
  intro?: ComponentChildren;
  /** said instead of the list's failed and empty states (devices on an external broker) */
  notice?: ComponentChildren;
  tableTestId: string;
  /** header cells: label, and class where it has one */
  columns: Array<[string, string?]>;
  rows: ComponentChildren;
}) {
  const { items, loading, error, load } = props.list;
  const [creating, setCreating] = useState(false);
  const create = props.create;
  return (
    <section class="panel" data-testid={props.testId}>
      {props.intro}
      <div class="toolbar">
        <div class="count">{!loading && !error && props.count}</div>
        <button type="button" class="btn" onClick={() => void load()}>
          {t('admin.refresh')}
        </button>
        {create && (
          <button
            type="button"
            class="btn primary"
            data-testid={create.testId}
            onClick={() => setCreating(true)}
          >
            + {create.label}
          </button>
        )}
      </div>
      {props.notice}
      <ListState
        loading={loading && items.length === 0}
        error={props.notice ? null : error}
        empty={!props.notice && items.length === 0}
        emptyText={props.emptyText}
        onRetry={() => void load()}
      />
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="tbl" data-testid={props.tableTestId}>
            <thead>
              <tr>
                {props.columns.map(([label, cls]) => (
                  <th key={label} class={cls}>
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>{props.rows}</tbody>
          </table>
        </div>
      )}
      {creating && create && (
        <create.Dialog
          onClose={() => setCreating(false)}
          onCreated={(row, name, once) => {
            props.list.add(row);
            setCreating(false);
            if (create.done && !once) say(create.done(name));
            else showChange(name, once);
          }}
        />
      )}
    </section>
  );
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

/** After a change: what the server generated, shown this once, or else a toast that `name` is updated. */
export function showChange(name: string, once: Secret | undefined): void {
  if (once) secret.value = once;
  else say(t('admin.updated', { name }));
}

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

/** A small button of a table row that asks `question` first; `onConfirmed` then makes the change. */
export function ConfirmButton(props: {
  testId: string;
  question: string;
  /** the button cannot be pressed (the row is busy, or it is the admin's own account) */
  locked: boolean;
  title?: string;
  danger?: boolean;
  onConfirmed: () => void;
  children: ComponentChildren;
}) {
  return (
    <button
      type="button"
      class={`btn small${props.danger ? ' danger' : ''}`}
      disabled={props.locked}
      title={props.title}
      data-testid={props.testId}
      onClick={() => {
        if (confirm(props.question)) props.onConfirmed();
      }}
    >
      {props.children}
    </button>
  );
}

/** A row's Disable / Enable button (testid `{kind}-disable` or `{kind}-enable`), asking first. */
export function EnableToggle(props: {
  kind: 'user' | 'device';
  /** whether the account or device is disabled now */
  disabled: boolean;
  question: string;
  locked: boolean;
  title?: string;
  onConfirmed: () => void;
}) {
  const { kind, disabled, ...rest } = props;
  return (
    <ConfirmButton testId={`${kind}-${disabled ? 'enable' : 'disable'}`} danger={!disabled} {...rest}>
      {disabled ? t('admin.enable') : t('admin.disable')}
    </ConfirmButton>
  );
}
