// The names of topic and source codes (issue 14), on the Indicators tab beside the agencies: media
// monitoring tags mentions with codes ("giao-thong", "news"); these are what the dashboard, the console
// and the alarm titles call them. Add and rename only: a code without a name still shows as sent.
import { useState } from 'preact/hooks';
import {
  type BreakdownLabel,
  LABELLED_DIMENSIONS,
  type LabelledDimension,
} from '#contract/indicatorVocab.ts';
import { formatNumber } from '../i18n/format.ts';
import { lang, t } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { adminApi } from './api.ts';
import { Field, FormDialog, NameFields, refusal, useFormSend } from './form.tsx';
import { nameOf } from './indicators.ts';
import { say } from './ui.tsx';

const dimensionText = (d: LabelledDimension) => t(`admin.label.dim.${d}` as MessageKey);
const sameLabel = (a: BreakdownLabel, b: BreakdownLabel) => a.dimension === b.dimension && a.code === b.code;

/** `labels` with `x` put in (renamed in place, or added), for the list after a save. */
export function withLabel(labels: readonly BreakdownLabel[], x: BreakdownLabel): BreakdownLabel[] {
  return labels.some((y) => sameLabel(x, y)) ? labels.map((y) => (sameLabel(x, y) ? x : y)) : [...labels, x];
}

/** The named topic and source codes, topics first: add a name, rename one. */
export function BreakdownLabels(props: { labels: BreakdownLabel[]; onChanged: (x: BreakdownLabel) => void }) {
  const l = lang.value;
  const [editing, setEditing] = useState<BreakdownLabel | 'new' | null>(null);
  const rows = LABELLED_DIMENSIONS.flatMap((d) => props.labels.filter((x) => x.dimension === d));
  return (
    <section class="group" data-testid="labels">
      <div class="toolbar group-bar">
        <h2 class="group-title">
          {t('admin.label.title')}
          <span class="group-count">{formatNumber(l, rows.length)}</span>
        </h2>
        <button type="button" class="btn primary" data-testid="label-new" onClick={() => setEditing('new')}>
          + {t('admin.label.new')}
        </button>
      </div>
      <p class="hint group-hint">{t('admin.label.intro')}</p>
      {rows.length === 0 ? (
        <div class="state small-state">{t('admin.label.empty')}</div>
      ) : (
        <div class="table-wrap">
          <table class="tbl" data-testid="labels-table">
            <thead>
              <tr>
                <th>{t('admin.label.dimension')}</th>
                <th>{t('admin.label.code')}</th>
                <th>{t('admin.ind.nameVi')}</th>
                <th>{t('admin.ind.nameEn')}</th>
                <th class="actions-col">{t('admin.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((x) => (
                <tr
                  key={`${x.dimension}/${x.code}`}
                  data-testid="label-row"
                  data-dimension={x.dimension}
                  data-code={x.code}
                >
                  <td>{dimensionText(x.dimension)}</td>
                  <td class="mono">{x.code}</td>
                  <td>{x.nameVi}</td>
                  <td>{x.nameEn}</td>
                  <td class="actions">
                    <button
                      type="button"
                      class="btn small"
                      data-testid="label-rename"
                      onClick={() => setEditing(x)}
                    >
                      {t('admin.agency.rename')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <LabelDialog
          label={editing === 'new' ? null : editing}
          taken={props.labels}
          onClose={() => setEditing(null)}
          onSaved={(x) => {
            props.onChanged(x);
            setEditing(null);
            say(t('admin.updated', { name: nameOf(l, x) }));
          }}
        />
      )}
    </section>
  );
}

function LabelDialog(props: {
  label: BreakdownLabel | null;
  taken: readonly BreakdownLabel[];
  onClose: () => void;
  onSaved: (x: BreakdownLabel) => void;
}) {
  const l = lang.value;
  const x = props.label;
  const [dimension, setDimension] = useState<LabelledDimension>(x?.dimension ?? 'topic');
  const [code, setCode] = useState(x?.code ?? '');
  const [nameVi, setNameVi] = useState(x?.nameVi ?? '');
  const [nameEn, setNameEn] = useState(x?.nameEn ?? '');
  const [refused, setRefused] = useState<Record<string, string>>({});
  // the code as media monitoring sends it: any text but control characters (the server checks it again)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  const badCode = !code.trim() || code.trim().length > 64 || /[\u0000-\u001f\u007f]/.test(code);
  // a PUT of a named code renames it: a new name must not overwrite one by mistake
  const takenCode = !x && props.taken.some((y) => y.dimension === dimension && y.code === code.trim());
  const form = useFormSend(badCode || takenCode || !nameVi.trim() || !nameEn.trim(), async () => {
    try {
      const r = await adminApi.putLabel({
        dimension,
        code: code.trim(),
        nameVi: nameVi.trim(),
        nameEn: nameEn.trim(),
      });
      props.onSaved(r.item);
    } catch (err) {
      throw refusal(err, setRefused);
    }
  });
  const err = (k: string, bad: boolean, text: string) => refused[k] ?? (form.tried && bad ? text : null);
  return (
    <FormDialog
      title={x ? t('admin.agency.renameTitle', { name: nameOf(l, x) }) : t('admin.label.new')}
      testId="label-dialog"
      form={form}
      submitLabel={x ? t('admin.alarms.save') : t('admin.label.new')}
      submitTestId="label-submit"
      onClose={props.onClose}
    >
      <Field id="label-dimension" label={t('admin.label.dimension')} error={null}>
        <select
          id="label-dimension"
          data-testid="label-dimension"
          class="input"
          value={dimension}
          disabled={!!x}
          onChange={(e) => setDimension((e.target as HTMLSelectElement).value as LabelledDimension)}
        >
          {LABELLED_DIMENSIONS.map((d) => (
            <option key={d} value={d}>
              {dimensionText(d)}
            </option>
          ))}
        </select>
      </Field>
      <Field
        id="label-code"
        label={t('admin.label.code')}
        error={err('code', badCode || takenCode, t(takenCode ? 'admin.label.taken' : 'admin.label.bad.code'))}
        hint={x ? undefined : t('admin.label.codeHint')}
      >
        <input
          id="label-code"
          data-testid="label-code"
          class="input mono"
          autocomplete="off"
          spellcheck={false}
          value={code}
          disabled={!!x}
          aria-describedby="label-code-msg"
          onInput={(e) => setCode((e.target as HTMLInputElement).value)}
        />
      </Field>
      <NameFields
        prefix="label"
        nameVi={nameVi}
        nameEn={nameEn}
        setNameVi={setNameVi}
        setNameEn={setNameEn}
        error={(k, bad) => err(k, bad, t('admin.ind.bad.name'))}
      />
    </FormDialog>
  );
}
