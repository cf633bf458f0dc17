import { INCIDENT_CATEGORIES } from '#contract/vocab.ts';
import { fmt, lang, t } from '../../i18n/i18n.ts';
import type { MessageKey } from '../../i18n/messages.ts';
import { CATEGORY_COLORS, toCss } from '../../map/layers/style.ts';
import { CategoryIcon } from '../../shared/CategoryIcon.tsx';
import type { FieldError, FormField } from '../fieldErrors.ts';
import {
  category,
  description,
  editing,
  errors,
  MAX_DESCRIPTION,
  photoBusy,
  photos,
  reporter,
  resetForm,
  screen,
  severity,
  submit,
} from '../fieldStore.ts';
import { MAX_PHOTOS } from '../photo.ts';
import { PhotoPicker } from './PhotoPicker.tsx';
import { PositionPicker } from './PositionPicker.tsx';

/** The report form: the six steps and the send button. */
function ErrorText({ field, testid }: { field: FormField; testid?: string }) {
  const e: FieldError | undefined = errors.value[field];
  if (!e) return null;
  return (
    <div class="err" role="alert" data-testid={testid ?? `err-${field}`}>
      <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">
        <circle cx="10" cy="10" r="9" fill="currentColor" />
        <path d="M10 5v6M10 14v.5" stroke="#fff" stroke-width="2.2" stroke-linecap="round" />
      </svg>
      <div>
        {t(e.key)}
        {e.detail && lang.value === 'en' && <div class="err-detail">{e.detail}</div>}
      </div>
    </div>
  );
}

function Section({
  n,
  title,
  field,
  optional,
  children,
  aside,
}: {
  n: number;
  title: MessageKey;
  field: FormField;
  optional?: boolean;
  children: preact.ComponentChildren;
  aside?: preact.ComponentChildren;
}) {
  return (
    <section class={`card${errors.value[field] ? ' has-error' : ''}`} data-testid={`section-${field}`}>
      <div class="card-head">
        <span class="step">{n}</span>
        <h2>
          {t(title)}
          {optional && <span class="opt"> ({t('field.optional')})</span>}
        </h2>
        {aside && <span class="card-aside">{aside}</span>}
      </div>
      <ErrorText field={field} />
      {children}
    </section>
  );
}

export function FormScreen() {
  const sending = screen.value === 'sending';
  return (
    <form
      class="form"
      data-testid="report-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      {editing.value && (
        <div class="edit-banner" data-testid="edit-banner">
          <span>{t('field.edit.banner')}</span>
          <button type="button" class="link" onClick={() => resetForm()}>
            {t('field.edit.cancel')}
          </button>
        </div>
      )}
      <ErrorText field="form" testid="err-form" />
      <Section n={1} title="field.step.category" field="category">
        <CategoryGrid />
      </Section>
      <Section n={2} title="field.step.position" field="position">
        <PositionPicker />
      </Section>
      <Section n={3} title="field.step.description" field="description" optional>
        <textarea
          class="textarea"
          rows={4}
          maxLength={MAX_DESCRIPTION}
          placeholder={t('field.desc.placeholder')}
          value={description.value}
          onInput={(e) => (description.value = (e.currentTarget as HTMLTextAreaElement).value)}
          data-testid="description"
          aria-label={t('field.step.description')}
        />
        <div class="count">
          <span class={description.value.length > MAX_DESCRIPTION ? 'over' : ''} data-testid="desc-count">
            {t('field.desc.count', {
              n: fmt.value.num(description.value.length),
              max: fmt.value.num(MAX_DESCRIPTION),
            })}
          </span>
        </div>
      </Section>
      <Section
        n={4}
        title="field.step.photos"
        field="photos"
        optional
        aside={t('field.photos.count', { n: photos.value.length, max: MAX_PHOTOS })}
      >
        <PhotoPicker />
      </Section>
      <Section n={5} title="field.step.severity" field="severity">
        <SeverityPicker />
      </Section>
      <Section n={6} title="field.step.reporter" field="reporter" optional>
        <input
          class="input"
          type="text"
          autoComplete="name"
          maxLength={200}
          placeholder={t('field.reporter.placeholder')}
          value={reporter.value}
          onInput={(e) => (reporter.value = (e.currentTarget as HTMLInputElement).value)}
          data-testid="reporter"
          aria-label={t('field.step.reporter')}
        />
      </Section>
      <div class="send-bar">
        <button
          type="submit"
          class="btn-primary"
          disabled={sending || photoBusy.value > 0}
          data-testid="send"
        >
          {sending ? (
            <>
              <span class="spinner" aria-hidden="true" />
              {t('field.sending')}
            </>
          ) : (
            <>
              <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
                <path
                  d="M3 11l18-8-8 18-2-8z"
                  fill="none"
                  stroke="currentColor"
                  stroke-width="2.2"
                  stroke-linejoin="round"
                />
              </svg>
              {t('field.send')}
            </>
          )}
        </button>
      </div>
    </form>
  );
}

function CategoryGrid() {
  const sel = category.value;
  return (
    <div class="cat-grid">
      {INCIDENT_CATEGORIES.map((c) => (
        <button
          type="button"
          key={c}
          aria-pressed={sel === c}
          class={`cat${sel === c ? ' selected' : ''}`}
          onClick={() => {
            category.value = c;
            if (errors.value.category) errors.value = { ...errors.value, category: undefined };
          }}
          data-testid={`cat-${c}`}
        >
          <span class="cat-badge" style={{ background: toCss(CATEGORY_COLORS[c]) }}>
            <CategoryIcon category={c} size={26} />
          </span>
          <span class="cat-label">{t(`cat.${c}`)}</span>
        </button>
      ))}
    </div>
  );
}

function SeverityPicker() {
  return (
    <div class="sev">
      {[1, 2, 3, 4, 5].map((n) => (
        <button
          type="button"
          key={n}
          aria-pressed={severity.value === n}
          class={`sev-btn sev-${n}${severity.value === n ? ' selected' : ''}`}
          onClick={() => (severity.value = n)}
          data-testid={`sev-${n}`}
        >
          <span class="sev-n">{n}</span>
          <span class="sev-label">{t(`field.sev.${n}` as MessageKey)}</span>
        </button>
      ))}
    </div>
  );
}
