import { useEffect, useState } from 'preact/hooks';
import {
  ALARM_PRIORITY_CODES,
  ALARM_RULE_DEFAULTS,
  type AlarmPriority,
  type AlarmRuleConfig,
  type AlarmRuleSetting,
} from '#contract/alarmVocab.ts';
import { formatDateTime } from '../i18n/format.ts';
import { lang, t } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import {
  CATALOGUE_THRESHOLDS,
  durationText,
  fieldError,
  formField,
  fromForm,
  isChanged,
  isDefault,
  type NumberField,
  parseNumber,
  type RuleField,
  type RuleForm,
  rangeText,
  toForm,
  unitText,
} from './alarmRules.ts';
import { AdminApiError, adminApi } from './api.ts';
import { CrowdThresholdsSection } from './CrowdThresholds.tsx';
import { errorText, ListState, say, useAdminList } from './ui.tsx';

type Row = AlarmRuleSetting & { id: string };
const withId = (s: AlarmRuleSetting): Row => ({ ...s, id: s.rule });
const fetchRules = async () => ({ items: (await adminApi.alarmRules()).items.map(withId) });

const ruleName = (rule: string) => t(`alarm.rule.${rule}` as MessageKey);

/** The alarm rules (issue 13): every rule's settings, edited in its row; the server checks the bounds. */
export function AlarmRulesTab() {
  lang.value;
  const list = useAdminList(fetchRules);
  const { items, loading, error, load } = list;
  return (
    <section class="panel" data-testid="alarm-rules-tab">
      <p class="intro">{t('admin.alarms.intro')}</p>
      <div class="toolbar">
        <div class="count">{!loading && !error && t('admin.alarms.count', { n: items.length })}</div>
        <button type="button" class="btn" onClick={() => void load()}>
          {t('admin.refresh')}
        </button>
      </div>
      <ListState
        loading={loading && items.length === 0}
        error={error}
        empty={items.length === 0}
        emptyText={t('admin.alarms.empty')}
        onRetry={() => void load()}
      />
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="tbl tbl-rules" data-testid="alarm-rules-table">
            <thead>
              <tr>
                <th>{t('admin.alarms.col.rule')}</th>
                <th class="center">{t('admin.alarms.col.enabled')}</th>
                <th>{t('admin.alarms.col.priority')}</th>
                <th>{t('admin.alarms.col.threshold')}</th>
                <th>{t('admin.alarms.col.margin')}</th>
                <th>{t('admin.alarms.col.delay')}</th>
                <th>{t('admin.alarms.col.clearDelay')}</th>
                <th class="center wrap-head">{t('admin.alarms.col.latched')}</th>
                <th>{t('admin.alarms.col.changed')}</th>
                <th class="actions-col">{t('admin.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <RuleRow key={r.rule} setting={r} onSaved={(s) => list.add(withId(s))} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CrowdThresholdsSection
        defaultThreshold={items.find((r) => r.rule === 'crowd_hotspot')?.threshold ?? null}
        version={items.find((r) => r.rule === 'crowd_hotspot')?.updatedAt ?? 0}
      />
    </section>
  );
}

function RuleRow(props: { setting: AlarmRuleSetting; onSaved: (s: AlarmRuleSetting) => void }) {
  const l = lang.value;
  const s = props.setting;
  const [form, setForm] = useState<RuleForm>(() => toForm(l, s));
  // the fields refused (by the form before sending, or by the server), with what was typed then
  const [bad, setBad] = useState<Partial<Record<RuleField, string>>>({});
  const [busy, setBusy] = useState(false);
  // the stored settings changed (saved, reset, reloaded): the row shows them
  useEffect(() => {
    setForm(toForm(lang.value, s));
    setBad({});
  }, [s.updatedAt, s.rule]);

  const changed = isChanged(l, s, form);
  const formId = `rule-form-${s.rule}`;
  const set = (patch: Partial<RuleForm>) => setForm({ ...form, ...patch });

  const send = async (cfg: AlarmRuleConfig, done: MessageKey) => {
    setBusy(true);
    try {
      const r = await adminApi.updateAlarmRule(cfg);
      props.onSaved(r.item);
      say(t(done, { name: ruleName(s.rule) }));
    } catch (err) {
      const fields =
        err instanceof AdminApiError && err.code === 'invalid_field'
          ? err.details.map((d) => formField(d.field)).filter((f): f is RuleField => !!f)
          : [];
      if (fields.length) {
        setBad(Object.fromEntries(fields.map((f) => [f, String(form[f])])));
        say(t('admin.alarms.refused', { name: ruleName(s.rule) }), 'bad');
      } else say(t('admin.failed', { msg: errorText(err) }), 'bad');
    } finally {
      setBusy(false);
    }
  };

  const save = (e: Event) => {
    e.preventDefault();
    if (!changed || busy) return;
    const out = fromForm(s.rule, form);
    if (!out.ok) {
      setBad(Object.fromEntries(out.bad.map((f) => [f, form[f]])));
      return;
    }
    setBad({});
    void send(out.body, 'admin.alarms.saved');
  };

  const errorOf = (f: RuleField) => (f in bad ? fieldError(l, s.rule, f, bad[f]) : null);
  const numberCell = (f: NumberField, label: MessageKey) => {
    const unit = unitText(l, s.rule, f);
    // the indicator rules' thresholds are each indicator's: edited in the catalogue, named here
    if (f === 'threshold' && !unit && CATALOGUE_THRESHOLDS.includes(s.rule))
      return (
        <td class="na" title={t('admin.alarms.fromCatalogueHint')} data-testid="rule-threshold-catalogue">
          {t('admin.alarms.fromCatalogue')}
        </td>
      );
    if (!unit)
      return (
        <td class="na" title={t('admin.alarms.notUsed')}>
          —
        </td>
      );
    const id = `${s.rule}-${f}`;
    const err = errorOf(f);
    const delay = f === 'delay' || f === 'clearDelay';
    const ms = delay ? parseNumber(form[f]) : null;
    return (
      <td class="field-cell">
        <div class="num-field">
          <input
            id={id}
            class="input num-input"
            form={formId}
            inputMode="decimal"
            autocomplete="off"
            value={form[f]}
            aria-label={`${ruleName(s.rule)}: ${t(label)} (${unit})`}
            aria-invalid={!!err}
            aria-describedby={`${id}-hint`}
            data-testid={`rule-${f}`}
            onInput={(e) => {
              set({ [f]: (e.target as HTMLInputElement).value });
              // typed again: the refusal was of what was there before
              if (f in bad) setBad(Object.fromEntries(Object.entries(bad).filter(([k]) => k !== f)));
            }}
          />
          {delay && <span class="unit">{unit}</span>}
        </div>
        <div
          id={`${id}-hint`}
          class={`hint${err ? ' bad' : ''}`}
          data-testid={err ? `rule-${f}-error` : undefined}
        >
          {err ??
            (delay
              ? // a wait of a minute or more in words ("5 phút"); seconds need none
                typeof ms === 'number' && ms >= 60 && durationText(l, ms * 1000)
              : `${rangeText(l, s.rule, f)} ${unit}`)}
        </div>
      </td>
    );
  };

  const name = ruleName(s.rule);
  return (
    <tr
      class={`${changed ? 'dirty' : ''}${form.enabled ? '' : ' off'}`}
      data-testid="rule-row"
      data-rule={s.rule}
    >
      <td class="rule-cell">
        <b>{name}</b>
        {changed && <span class="pill pill-dirty">{t('admin.alarms.unsaved')}</span>}
        <div class="sub">{t(`admin.alarms.desc.${s.rule}` as MessageKey)}</div>
      </td>
      <td class="center">
        <input
          type="checkbox"
          class="big-check"
          form={formId}
          checked={form.enabled}
          aria-label={`${name}: ${t('admin.alarms.col.enabled')}`}
          data-testid="rule-enabled"
          onChange={(e) => set({ enabled: (e.target as HTMLInputElement).checked })}
        />
      </td>
      <td>
        <select
          class="select"
          form={formId}
          value={String(form.priority)}
          aria-label={`${name}: ${t('admin.alarms.col.priority')}`}
          aria-invalid={!!errorOf('priority')}
          data-testid="rule-priority"
          onChange={(e) => set({ priority: Number((e.target as HTMLSelectElement).value) as AlarmPriority })}
        >
          {ALARM_PRIORITY_CODES.map((p) => (
            <option key={p} value={String(p)}>
              {t(`admin.alarms.priority.${p}` as MessageKey)}
            </option>
          ))}
        </select>
        {errorOf('priority') && <div class="hint bad">{errorOf('priority')}</div>}
      </td>
      {numberCell('threshold', 'admin.alarms.col.threshold')}
      {numberCell('margin', 'admin.alarms.col.margin')}
      {numberCell('delay', 'admin.alarms.col.delay')}
      {numberCell('clearDelay', 'admin.alarms.col.clearDelay')}
      <td class="center">
        <input
          type="checkbox"
          class="big-check"
          form={formId}
          checked={form.latched}
          aria-label={`${name}: ${t('admin.alarms.col.latched')}`}
          data-testid="rule-latched"
          onChange={(e) => set({ latched: (e.target as HTMLInputElement).checked })}
        />
      </td>
      <td class="changed-cell" data-testid="rule-changed">
        {s.updatedBy ? (
          <>
            <span class="mono">{s.updatedBy}</span>
            <div class="sub">{formatDateTime(l, s.updatedAt)}</div>
          </>
        ) : (
          <span class="muted">{t('admin.alarms.shipped')}</span>
        )}
      </td>
      <td class="actions">
        <form id={formId} class="row-form" onSubmit={save}>
          <button type="submit" class="btn small primary" disabled={!changed || busy} data-testid="rule-save">
            {t('admin.alarms.save')}
          </button>
          {changed ? (
            <button
              type="button"
              class="btn small"
              disabled={busy}
              data-testid="rule-undo"
              onClick={() => {
                setForm(toForm(l, s));
                setBad({});
              }}
            >
              {t('admin.alarms.undo')}
            </button>
          ) : (
            <button
              type="button"
              class="btn small"
              disabled={busy || isDefault(s)}
              data-testid="rule-reset"
              onClick={() => {
                if (confirm(t('admin.alarms.confirmReset', { name })))
                  void send(ALARM_RULE_DEFAULTS[s.rule], 'admin.alarms.resetDone');
              }}
            >
              {t('admin.alarms.reset')}
            </button>
          )}
        </form>
      </td>
    </tr>
  );
}
