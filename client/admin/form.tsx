import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { lang, t } from '../i18n/i18n.ts';
import { AdminApiError } from './api.ts';
import { fieldErrors } from './indicators.ts';
import { errorText, Modal } from './ui.tsx';

/**
 * A dialog's form: checked when sent (`tried` then shows what is wrong, and nothing is sent while
 * `invalid`), `busy` while the server answers, `error` when it refuses.
 */
export function useFormSend(invalid: boolean, send: () => Promise<void>) {
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (invalid) return;
    setBusy(true);
    setError(null);
    try {
      await send();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return { tried, busy, error, submit };
}

/** Why the server refused a dialog's form, on top of it. */
function FormError({ error }: { error: string | null }) {
  if (!error) return null;
  return (
    <div class="state state-error" role="alert">
      {error}
    </div>
  );
}

/** A modal form (see useFormSend): why the server refused it on top, Cancel and the submit button below. */
export function FormDialog(props: {
  title: string;
  testId: string;
  wide?: boolean;
  form: { busy: boolean; error: string | null; submit: (e: Event) => void };
  submitLabel: string;
  submitTestId: string;
  /** the submit button waits, besides while the form is sent */
  blocked?: boolean;
  onClose: () => void;
  children: ComponentChildren;
}) {
  return (
    <Modal title={props.title} onClose={props.onClose} testId={props.testId} wide={props.wide}>
      <form onSubmit={props.form.submit} noValidate>
        <div class="modal-body">
          <FormError error={props.form.error} />
          {props.children}
        </div>
        <div class="modal-foot">
          <button type="button" class="btn" onClick={props.onClose}>
            {t('admin.cancel')}
          </button>
          <button
            type="submit"
            class="btn primary"
            disabled={props.form.busy || props.blocked}
            data-testid={props.submitTestId}
          >
            {props.submitLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/**
 * A text field of a dialog's form. With `hint`, an identifier: monospace, no capitals or spell-check,
 * the hint under it (its `bad` text when refused); without, a name that must not be empty.
 */
export function TextField(props: {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  /** refused (shown once the admin has tried to send the form) */
  bad: boolean;
  hint?: { ok: string; bad: string };
}) {
  const { id, hint, bad } = props;
  return (
    <>
      <label class="label" for={id}>
        {props.label}
      </label>
      <input
        id={id}
        class={hint ? 'input mono' : 'input'}
        autocomplete="off"
        autocapitalize={hint ? 'none' : undefined}
        spellcheck={hint ? false : undefined}
        value={props.value}
        aria-invalid={bad}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
      />
      {hint && (
        <div id={`${id}-hint`} class={`hint${bad ? ' bad' : ''}`}>
          {bad ? hint.bad : hint.ok}
        </div>
      )}
      {!hint && bad && <div class="hint bad">{t('admin.required')}</div>}
    </>
  );
}

/**
 * A labelled control of a dialog's form, with why it was refused under it (in the reader's language)
 * or else its hint. The control names `{id}-msg` in its `aria-describedby`; the refusal's testid is
 * `{id}-error`.
 */
export function Field(props: {
  id: string;
  label: string;
  error?: string | null;
  hint?: string;
  children: ComponentChildren;
}) {
  const msg = props.error || props.hint;
  return (
    <div class="field">
      <label class="label" for={props.id}>
        {props.label}
      </label>
      {props.children}
      {msg && (
        <div
          id={`${props.id}-msg`}
          class={`hint${props.error ? ' bad' : ''}`}
          data-testid={props.error ? `${props.id}-error` : undefined}
        >
          {msg}
        </div>
      )}
    </div>
  );
}

/**
 * What a dialog's send throws when the server refuses it: `400 invalid_field` puts each field's reason (in
 * the reader's language) under its field through `setRefused` and says so once; `taken` maps another code
 * (`indicator_exists`, `source_exists`) to a field's reason the same way; anything else is its error text.
 */
export function refusal(
  err: unknown,
  setRefused: (r: Record<string, string>) => void,
  taken?: { code: string; field: string; text: string },
): Error {
  if (err instanceof AdminApiError && err.code === 'invalid_field' && err.details.length) {
    setRefused(fieldErrors(lang.value, err.details));
    return new Error(t('admin.ind.refused'));
  }
  if (taken && err instanceof AdminApiError && err.code === taken.code) {
    setRefused({ [taken.field]: taken.text });
    return new Error(t('admin.ind.refused'));
  }
  return new Error(errorText(err));
}

/** The Vietnamese and English names of a dialog (ids and testids `{prefix}-nameVi`, `{prefix}-nameEn`). */
export function NameFields(props: {
  prefix: string;
  nameVi: string;
  nameEn: string;
  setNameVi: (v: string) => void;
  setNameEn: (v: string) => void;
  /** the reason a name is refused (the server's, or missing once the admin tried to send), or null */
  error: (field: 'nameVi' | 'nameEn', bad: boolean) => string | null;
}) {
  const one = (field: 'nameVi' | 'nameEn', value: string, set: (v: string) => void) => {
    const id = `${props.prefix}-${field}`;
    return (
      <Field id={id} label={t(`admin.ind.${field}`)} error={props.error(field, !value.trim())}>
        <input
          id={id}
          data-testid={id}
          class="input"
          autocomplete="off"
          value={value}
          aria-describedby={`${id}-msg`}
          onInput={(e) => set((e.target as HTMLInputElement).value)}
        />
      </Field>
    );
  };
  return (
    <>
      {one('nameVi', props.nameVi, props.setNameVi)}
      {one('nameEn', props.nameEn, props.setNameEn)}
    </>
  );
}
