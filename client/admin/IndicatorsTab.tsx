import { useState } from 'preact/hooks';
import {
  type AgencyView,
  type BreakdownLabel,
  GOOD_DIRECTIONS,
  INDICATOR_DIMENSIONS,
  INDICATOR_DOMAINS,
  INDICATOR_PERIODS,
  INDICATOR_SCOPES,
  INDICATOR_UNITS,
  type IndicatorDef,
} from '#contract/indicatorVocab.ts';
import { formatNumber, type Lang } from '../i18n/format.ts';
import { lang, t } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { adminApi, catalogue } from './api.ts';
import { BreakdownLabels, withLabel } from './BreakdownLabels.tsx';
import { Field, FormDialog, NameFields, refusal, useFormSend } from './form.tsx';
import {
  formErrors,
  type IndicatorField,
  type IndicatorForm,
  indicatorChanges,
  indicatorForm,
  NEW_INDICATOR,
  nameOf,
  readIndicatorForm,
  thresholdsText,
  unitLabel,
} from './indicators.ts';
import { ConfirmButton, errorText, ListState, StatusBadge, say, useAdminList } from './ui.tsx';

const fetchCatalogue = async () => {
  const r = await adminApi.indicators();
  // the other tabs pick from what this one shows
  catalogue.value = r;
  return r;
};

const boundsText = (l: Lang, d: IndicatorDef) =>
  d.min === null && d.max === null
    ? '—'
    : `${d.min === null ? '…' : formatNumber(l, d.min, 3)} – ${d.max === null ? '…' : formatNumber(l, d.max, 3)}`;

/**
 * The indicator catalogue (issue 14), by service: what each figure is, how it is given, which way is good
 * and the thresholds that raise alarms; an entry is edited or disabled, a new one made. Below, the agencies
 * figures can be given for and the names of topic and source codes.
 */
export function IndicatorsTab() {
  const l = lang.value;
  const [agencies, setAgencies] = useState<AgencyView[]>([]);
  const [labels, setLabels] = useState<BreakdownLabel[]>([]);
  const list = useAdminList(async () => {
    const r = await fetchCatalogue();
    setAgencies(r.agencies);
    setLabels(r.labels);
    return { items: r.items };
  });
  const [editing, setEditing] = useState<IndicatorDef | 'new' | null>(null);
  const { items, loading, error, load } = list;

  const setDisabled = (d: IndicatorDef, disabled: boolean) =>
    void list
      .change(
        d.id,
        () => adminApi.updateIndicator(d.id, { disabled }),
        (r) => r.item,
      )
      .then((r) => r && say(t('admin.updated', { name: nameOf(l, d) })));

  return (
    <section class="panel" data-testid="indicators-tab">
      <p class="intro">{t('admin.ind.intro')}</p>
      <div class="intro intro-alarm" role="note" data-testid="ind-alarm-note">
        {t('admin.ind.alarmNote')}{' '}
        <a href="#alarm-rules" class="link">
          {t('admin.ind.alarmLink')}
        </a>
      </div>
      <div class="toolbar">
        <div class="count">
          {!loading && !error && t('admin.ind.count', { n: formatNumber(l, items.length) })}
        </div>
        <button type="button" class="btn" onClick={() => void load()}>
          {t('admin.refresh')}
        </button>
        <button type="button" class="btn primary" data-testid="ind-new" onClick={() => setEditing('new')}>
          + {t('admin.ind.new')}
        </button>
      </div>
      <ListState
        loading={loading && items.length === 0}
        error={error}
        empty={items.length === 0}
        emptyText={t('admin.ind.empty')}
        onRetry={() => void load()}
      />
      {items.length > 0 &&
        INDICATOR_DOMAINS.map((domain) => {
          const rows = items.filter((d) => d.domain === domain);
          return (
            <section key={domain} class="group" data-testid="ind-group" data-domain={domain}>
              <h2 class="group-title">
                {t(`domain.${domain}` as MessageKey)}
                <span class="group-count">{formatNumber(l, rows.length)}</span>
              </h2>
              {rows.length === 0 ? (
                <div class="state small-state">{t('admin.ind.groupEmpty')}</div>
              ) : (
                <div class="table-wrap">
                  <table class="tbl tbl-ind" data-testid="ind-table">
                    <thead>
                      <tr>
                        <th>{t('admin.ind.col.indicator')}</th>
                        <th>{t('admin.ind.col.unit')}</th>
                        <th>{t('admin.ind.col.period')}</th>
                        <th>{t('admin.ind.col.scope')}</th>
                        <th>{t('admin.ind.col.direction')}</th>
                        <th class="num">{t('admin.ind.col.bounds')}</th>
                        <th>{t('admin.ind.col.thresholds')}</th>
                        <th>{t('admin.col.status')}</th>
                        <th class="actions-col">{t('admin.col.actions')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {rows.map((d) => (
                        <tr key={d.id} class={d.disabled ? 'off' : ''} data-testid="ind-row" data-id={d.id}>
                          <td class="name-cell">
                            <b>{nameOf(l, d)}</b>
                            <div class="sub">
                              <span class="mono">{d.id}</span> · {nameOf(l === 'vi' ? 'en' : 'vi', d)}
                            </div>
                            {d.dimensions.length > 0 && (
                              <div class="sub">
                                {t('admin.ind.by', {
                                  dims: d.dimensions
                                    .map((x) => t(`admin.ind.dim.${x}` as MessageKey))
                                    .join(', '),
                                })}
                              </div>
                            )}
                          </td>
                          <td>{unitLabel(l, d.unit)}</td>
                          <td>{t(`period.${d.period}` as MessageKey)}</td>
                          <td>{t(`admin.ind.scope.${d.scope}` as MessageKey)}</td>
                          <td class="nowrap">
                            <span aria-hidden="true">{d.goodDirection === 'up' ? '↑ ' : '↓ '}</span>
                            {t(`admin.ind.dir.${d.goodDirection}` as MessageKey)}
                          </td>
                          <td class="num nowrap">{boundsText(l, d)}</td>
                          <td data-testid="ind-thresholds">
                            {thresholdsText(l, d) ?? <span class="muted">{t('admin.ind.noThresholds')}</span>}
                            {thresholdsText(l, d) && (
                              <div class="sub">
                                {t(`admin.ind.basis.${d.thresholds.basis}` as MessageKey)}
                              </div>
                            )}
                          </td>
                          <td>
                            <StatusBadge disabled={d.disabled} />
                          </td>
                          <td class="actions">
                            <button
                              type="button"
                              class="btn small"
                              disabled={list.busy === d.id}
                              data-testid="ind-edit"
                              onClick={() => setEditing(d)}
                            >
                              {t('admin.ind.edit')}
                            </button>
                            <ConfirmButton
                              testId={d.disabled ? 'ind-enable' : 'ind-disable'}
                              danger={!d.disabled}
                              question={t(
                                d.disabled ? 'admin.ind.confirmEnable' : 'admin.ind.confirmDisable',
                                {
                                  name: nameOf(l, d),
                                },
                              )}
                              locked={list.busy === d.id}
                              onConfirmed={() => setDisabled(d, !d.disabled)}
                            >
                              {d.disabled ? t('admin.enable') : t('admin.disable')}
                            </ConfirmButton>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          );
        })}
      {editing && (
        <IndicatorDialog
          entry={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(item, created) => {
            list.add(item);
            setEditing(null);
            say(t(created ? 'admin.ind.created' : 'admin.updated', { name: nameOf(l, item) }));
          }}
        />
      )}
      {!loading && !error && (
        <Agencies
          agencies={agencies}
          onChanged={(a) =>
            setAgencies((xs) =>
              xs.some((x) => x.id === a.id) ? xs.map((x) => (x.id === a.id ? a : x)) : [...xs, a],
            )
          }
        />
      )}
      {!loading && !error && (
        <BreakdownLabels labels={labels} onChanged={(x) => setLabels((xs) => withLabel(xs, x))} />
      )}
    </section>
  );
}

/** Options of a select from a vocabulary, each in the reader's language. */
function options(codes: readonly string[], key: (c: string) => MessageKey) {
  return codes.map((c) => (
    <option key={c} value={c}>
      {t(key(c))}
    </option>
  ));
}

/** A new catalogue entry, or an entry's names, good direction, bounds and thresholds. */
function IndicatorDialog(props: {
  entry: IndicatorDef | null;
  onClose: () => void;
  onSaved: (item: IndicatorDef, created: boolean) => void;
}) {
  const l = lang.value;
  const entry = props.entry;
  const [f, setF] = useState<IndicatorForm>(() => (entry ? indicatorForm(l, entry) : NEW_INDICATOR));
  // the server's refusals, by field, until that field is typed in again
  const [refused, setRefused] = useState<Record<string, string>>({});
  const check = readIndicatorForm(f);
  const form = useFormSend(!check.ok, async () => {
    if (!check.ok) return;
    try {
      if (entry) {
        const ch = indicatorChanges(entry, check.body);
        if (Object.keys(ch).length === 0) return props.onClose();
        props.onSaved((await adminApi.updateIndicator(entry.id, ch)).item, false);
      } else props.onSaved((await adminApi.createIndicator(check.body)).item, true);
    } catch (err) {
      throw refusal(err, setRefused, { code: 'indicator_exists', field: 'id', text: t('admin.ind.exists') });
    }
  });
  const own = form.tried && !check.ok ? formErrors(l, check.bad, f) : {};
  const errorOf = (k: IndicatorField) => refused[k] ?? own[k] ?? null;
  const set = (patch: Partial<IndicatorForm>) => {
    setF({ ...f, ...patch });
    const typed = Object.keys(patch);
    if (typed.some((k) => k in refused))
      setRefused(Object.fromEntries(Object.entries(refused).filter(([k]) => !typed.includes(k))));
  };
  const input = (k: 'id' | 'nameVi' | 'nameEn' | 'min' | 'max' | 'warning' | 'critical', num = false) => (
    <input
      id={`ind-${k}`}
      class={k === 'id' ? 'input mono' : 'input'}
      autocomplete="off"
      inputMode={num ? 'decimal' : undefined}
      spellcheck={k === 'id' ? false : undefined}
      value={f[k]}
      disabled={k === 'id' && !!entry}
      aria-invalid={!!errorOf(k)}
      aria-describedby={`ind-${k}-msg`}
      data-testid={`ind-${k}`}
      onInput={(e) => set({ [k]: (e.target as HTMLInputElement).value })}
    />
  );
  const select = <K extends 'domain' | 'unit' | 'period' | 'scope' | 'goodDirection' | 'basis'>(
    k: K,
    codes: readonly string[],
    key: (c: string) => MessageKey,
    fixed = false,
  ) => (
    <select
      id={`ind-${k}`}
      class="select"
      value={f[k]}
      disabled={fixed}
      aria-invalid={!!errorOf(k)}
      aria-describedby={`ind-${k}-msg`}
      data-testid={`ind-${k}`}
      onChange={(e) => set({ [k]: (e.target as HTMLSelectElement).value } as Partial<IndicatorForm>)}
    >
      {options(codes, key)}
    </select>
  );
  const unit = unitLabel(l, f.unit);
  const thresholdUnit = f.basis === 'baseline_ratio' ? '×' : unit;
  const fixed = !!entry;
  return (
    <FormDialog
      title={entry ? t('admin.ind.editTitle', { name: nameOf(l, entry) }) : t('admin.ind.new')}
      testId="ind-dialog"
      wide
      form={form}
      submitLabel={entry ? t('admin.alarms.save') : t('admin.ind.create')}
      submitTestId="ind-submit"
      onClose={props.onClose}
    >
      <div class="two">
        <Field
          id="ind-id"
          label={t('admin.col.id')}
          error={errorOf('id')}
          hint={fixed ? undefined : t('admin.ind.idHint')}
        >
          {input('id')}
        </Field>
        <Field id="ind-domain" label={t('admin.ind.domain')} error={errorOf('domain')}>
          {select('domain', INDICATOR_DOMAINS, (c) => `domain.${c}` as MessageKey, fixed)}
        </Field>
        <Field id="ind-nameVi" label={t('admin.ind.nameVi')} error={errorOf('nameVi')}>
          {input('nameVi')}
        </Field>
        <Field id="ind-nameEn" label={t('admin.ind.nameEn')} error={errorOf('nameEn')}>
          {input('nameEn')}
        </Field>
      </div>
      <div class="three">
        <Field id="ind-unit" label={t('admin.ind.col.unit')} error={errorOf('unit')}>
          {select('unit', INDICATOR_UNITS, (c) => `unit.${c}` as MessageKey, fixed)}
        </Field>
        <Field id="ind-period" label={t('admin.ind.col.period')} error={errorOf('period')}>
          {select('period', INDICATOR_PERIODS, (c) => `period.${c}` as MessageKey, fixed)}
        </Field>
        <Field id="ind-scope" label={t('admin.ind.col.scope')} error={errorOf('scope')}>
          {select('scope', INDICATOR_SCOPES, (c) => `admin.ind.scope.${c}` as MessageKey, fixed)}
        </Field>
      </div>
      <fieldset class="dims" disabled={fixed}>
        <legend class="label">{t('admin.ind.dims')}</legend>
        {INDICATOR_DIMENSIONS.map((d) => (
          <label key={d} class="check inline">
            <input
              type="checkbox"
              checked={f.dimensions.includes(d)}
              data-testid={`ind-dim-${d}`}
              onChange={(e) =>
                set({
                  dimensions: (e.target as HTMLInputElement).checked
                    ? [...f.dimensions, d]
                    : f.dimensions.filter((x) => x !== d),
                })
              }
            />
            {t(`admin.ind.dim.${d}` as MessageKey)}
          </label>
        ))}
      </fieldset>
      {fixed && <div class="hint">{t('admin.ind.fixed')}</div>}
      <div class="three">
        <Field id="ind-goodDirection" label={t('admin.ind.col.direction')} error={errorOf('goodDirection')}>
          {select('goodDirection', GOOD_DIRECTIONS, (c) => `admin.ind.dir.${c}` as MessageKey)}
        </Field>
        <Field
          id="ind-min"
          label={t('admin.ind.min', { unit })}
          error={errorOf('min')}
          hint={t('admin.ind.emptyNone')}
        >
          {input('min', true)}
        </Field>
        <Field
          id="ind-max"
          label={t('admin.ind.max', { unit })}
          error={errorOf('max')}
          hint={t('admin.ind.emptyNone')}
        >
          {input('max', true)}
        </Field>
      </div>
      <fieldset class="thresholds">
        <legend>{t('admin.ind.col.thresholds')}</legend>
        <p class="hint">
          {t(f.goodDirection === 'down' ? 'admin.ind.thresholdsDown' : 'admin.ind.thresholdsUp')}{' '}
          {t('admin.ind.alarmNote')}
        </p>
        <div class="three">
          <Field id="ind-basis" label={t('admin.ind.basis')} error={errorOf('basis')}>
            {select('basis', ['value', 'baseline_ratio'], (c) => `admin.ind.basis.${c}` as MessageKey)}
          </Field>
          <Field
            id="ind-warning"
            label={t('admin.ind.warning', { unit: thresholdUnit })}
            error={errorOf('warning')}
            hint={t('admin.ind.emptyNoLevel')}
          >
            {input('warning', true)}
          </Field>
          <Field
            id="ind-critical"
            label={t('admin.ind.critical', { unit: thresholdUnit })}
            error={errorOf('critical')}
            hint={t('admin.ind.emptyNoLevel')}
          >
            {input('critical', true)}
          </Field>
        </div>
      </fieldset>
    </FormDialog>
  );
}

/** The agencies figures can be given for (sở, ban, ngành; UBND): add, rename, disable. */
function Agencies(props: { agencies: AgencyView[]; onChanged: (a: AgencyView) => void }) {
  const l = lang.value;
  const [editing, setEditing] = useState<AgencyView | 'new' | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const toggle = async (a: AgencyView) => {
    setBusy(a.id);
    try {
      const r = await adminApi.putAgency(a.id, { nameVi: a.nameVi, nameEn: a.nameEn, disabled: !a.disabled });
      props.onChanged(r.item);
      say(t('admin.updated', { name: nameOf(l, a) }));
    } catch (err) {
      say(t('admin.failed', { msg: errorText(err) }), 'bad');
    } finally {
      setBusy(null);
    }
  };
  return (
    <section class="group" data-testid="agencies">
      <div class="toolbar group-bar">
        <h2 class="group-title">
          {t('admin.agency.title')}
          <span class="group-count">{formatNumber(l, props.agencies.length)}</span>
        </h2>
        <button type="button" class="btn primary" data-testid="agency-new" onClick={() => setEditing('new')}>
          + {t('admin.agency.new')}
        </button>
      </div>
      <p class="hint group-hint">{t('admin.agency.intro')}</p>
      {props.agencies.length === 0 ? (
        <div class="state small-state">{t('admin.agency.empty')}</div>
      ) : (
        <div class="table-wrap">
          <table class="tbl" data-testid="agencies-table">
            <thead>
              <tr>
                <th>{t('admin.col.id')}</th>
                <th>{t('admin.ind.nameVi')}</th>
                <th>{t('admin.ind.nameEn')}</th>
                <th>{t('admin.col.status')}</th>
                <th class="actions-col">{t('admin.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {props.agencies.map((a) => (
                <tr key={a.id} class={a.disabled ? 'off' : ''} data-testid="agency-row" data-id={a.id}>
                  <td class="mono">{a.id}</td>
                  <td>{a.nameVi}</td>
                  <td>{a.nameEn}</td>
                  <td>
                    <StatusBadge disabled={a.disabled} />
                  </td>
                  <td class="actions">
                    <button
                      type="button"
                      class="btn small"
                      disabled={busy === a.id}
                      data-testid="agency-rename"
                      onClick={() => setEditing(a)}
                    >
                      {t('admin.agency.rename')}
                    </button>
                    <ConfirmButton
                      testId={a.disabled ? 'agency-enable' : 'agency-disable'}
                      danger={!a.disabled}
                      question={t(a.disabled ? 'admin.agency.confirmEnable' : 'admin.agency.confirmDisable', {
                        name: nameOf(l, a),
                      })}
                      locked={busy === a.id}
                      onConfirmed={() => void toggle(a)}
                    >
                      {a.disabled ? t('admin.enable') : t('admin.disable')}
                    </ConfirmButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <AgencyDialog
          agency={editing === 'new' ? null : editing}
          taken={props.agencies.map((a) => a.id)}
          onClose={() => setEditing(null)}
          onSaved={(a) => {
            props.onChanged(a);
            setEditing(null);
            say(t('admin.updated', { name: nameOf(l, a) }));
          }}
        />
      )}
    </section>
  );
}

function AgencyDialog(props: {
  agency: AgencyView | null;
  taken: string[];
  onClose: () => void;
  onSaved: (a: AgencyView) => void;
}) {
  const l = lang.value;
  const a = props.agency;
  const [id, setId] = useState(a?.id ?? '');
  const [nameVi, setNameVi] = useState(a?.nameVi ?? '');
  const [nameEn, setNameEn] = useState(a?.nameEn ?? '');
  const [refused, setRefused] = useState<Record<string, string>>({});
  const badId = !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(id.trim());
  // a PUT of an id that exists renames it: a new one must not take an existing one's id by mistake
  const takenId = !a && props.taken.includes(id.trim());
  const form = useFormSend(badId || takenId || !nameVi.trim() || !nameEn.trim(), async () => {
    try {
      const r = await adminApi.putAgency(id.trim(), {
        nameVi: nameVi.trim(),
        nameEn: nameEn.trim(),
        disabled: a?.disabled ?? false,
      });
      props.onSaved(r.item);
    } catch (err) {
      throw refusal(err, setRefused);
    }
  });
  const err = (k: string, bad: boolean, text: string) => refused[k] ?? (form.tried && bad ? text : null);
  return (
    <FormDialog
      title={a ? t('admin.agency.renameTitle', { name: nameOf(l, a) }) : t('admin.agency.new')}
      testId="agency-dialog"
      form={form}
      submitLabel={a ? t('admin.alarms.save') : t('admin.agency.new')}
      submitTestId="agency-submit"
      onClose={props.onClose}
    >
      <Field
        id="agency-id"
        label={t('admin.col.id')}
        error={err('id', badId || takenId, t(takenId ? 'admin.agency.taken' : 'admin.ind.bad.id'))}
        hint={a ? undefined : t('admin.agency.idHint')}
      >
        <input
          id="agency-id"
          class="input mono"
          autocomplete="off"
          spellcheck={false}
          value={id}
          disabled={!!a}
          aria-describedby="agency-id-msg"
          onInput={(e) => setId((e.target as HTMLInputElement).value)}
        />
      </Field>
      <NameFields
        prefix="agency"
        nameVi={nameVi}
        nameEn={nameEn}
        setNameVi={setNameVi}
        setNameEn={setNameEn}
        error={(k, bad) => err(k, bad, t('admin.ind.bad.name'))}
      />
    </FormDialog>
  );
}
