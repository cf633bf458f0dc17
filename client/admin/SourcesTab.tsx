import { useEffect, useState } from 'preact/hooks';
import {
  API_KEY_HEADER,
  INDICATOR_DOMAINS,
  type IndicatorDef,
  type IndicatorSourceKey,
  type IndicatorSourceView,
  MAX_INGEST_BATCH,
} from '#contract/indicatorVocab.ts';
import { formatDateTime, formatNumber } from '../i18n/format.ts';
import { lang, t } from '../i18n/i18n.ts';
import type { MessageKey } from '../i18n/messages.ts';
import { adminApi, catalogue, loadCatalogue, type SourceRequest } from './api.ts';
import { Field, FormDialog, refusal, useFormSend } from './form.tsx';
import { curlExample, nameOf } from './indicators.ts';
import {
  ConfirmButton,
  type CreateProps,
  ListPanel,
  type Secret,
  SecretField,
  showChange,
  useAdminList,
} from './ui.tsx';

/** The key of a source, to show this once, with the call that uses it. */
function keyShown(k: IndicatorSourceKey, intro: 'admin.src.created' | 'admin.src.rotated'): Secret {
  return {
    title: t('admin.src.keyTitle', { id: k.source.id }),
    intro: t(intro, { id: k.source.id, header: API_KEY_HEADER }),
    fields: [
      { label: t('admin.src.key'), value: k.apiKey, testId: 'source-key' },
      {
        label: t('admin.src.curlWithKey'),
        value: curlExample(
          location.origin,
          k.source.id,
          k.source.indicators[0] ?? 'cpi',
          k.apiKey,
          Date.now(),
          catalogue.value?.items,
        ),
        testId: 'source-curl',
      },
    ],
  };
}

/**
 * The systems that send figures over HTTP (`POST /api/ingest/{source}`, issue 14): each with the indicators
 * it may send and its rate; its API key is shown once when made or renewed, and can be revoked.
 */
export function SourcesTab() {
  const l = lang.value;
  const list = useAdminList(adminApi.sources);
  const [editing, setEditing] = useState<IndicatorSourceView | null>(null);
  useEffect(() => loadCatalogue(), []);
  const names = new Map((catalogue.value?.items ?? []).map((d) => [d.id, nameOf(l, d)]));
  const first = list.items.find((s) => s.revokedAt === null);

  return (
    <ListPanel
      testId="sources-tab"
      list={list}
      count={t('admin.src.count', { n: formatNumber(l, list.items.length) })}
      emptyText={t('admin.src.empty')}
      create={{ label: t('admin.src.new'), testId: 'source-new', Dialog: CreateSource }}
      intro={
        <>
          <p class="intro">{t('admin.src.intro', { n: formatNumber(l, MAX_INGEST_BATCH) })}</p>
          <HowToCall sourceId={first?.id} indicator={first?.indicators[0]} />
          {editing && (
            <EditSource
              source={editing}
              onClose={() => setEditing(null)}
              onSaved={(x) => {
                list.add(x);
                setEditing(null);
                showChange(x.id, undefined);
              }}
            />
          )}
        </>
      }
      tableTestId="sources-table"
      columns={[
        [t('admin.col.id')],
        [t('admin.col.name')],
        [t('admin.src.col.indicators')],
        [t('admin.src.col.rate'), 'num'],
        [t('admin.src.col.key')],
        [t('admin.col.status')],
        [t('admin.col.actions'), 'actions-col'],
      ]}
      rows={list.items.map((s) => {
        const busy = list.busy === s.id;
        const revoked = s.revokedAt !== null;
        return (
          <tr key={s.id} class={revoked ? 'off' : ''} data-testid="source-row" data-id={s.id}>
            <td class="mono">{s.id}</td>
            <td>{s.name}</td>
            <td class="ind-list">
              <b>{t('admin.src.nIndicators', { n: formatNumber(l, s.indicators.length) })}</b>
              <div class="sub">
                {s.indicators
                  .slice(0, 4)
                  .map((i) => names.get(i) ?? i)
                  .join(', ')}
                {s.indicators.length > 4 ? ', …' : ''}
              </div>
            </td>
            <td class="num">{formatNumber(l, s.ratePerMin)}</td>
            <td>
              {formatDateTime(l, s.keyCreatedAt)}
              {revoked && s.revokedAt !== null && (
                <div class="sub">{t('admin.src.revokedAt', { time: formatDateTime(l, s.revokedAt) })}</div>
              )}
            </td>
            <td>
              <span class={`pill ${revoked ? 'pill-off' : 'pill-on'}`} data-testid="status">
                {revoked ? t('admin.src.revoked') : t('admin.status.active')}
              </span>
            </td>
            <td class="actions">
              <button
                type="button"
                class="btn small"
                disabled={busy}
                data-testid="source-edit"
                onClick={() => setEditing(s)}
              >
                {t('admin.ind.edit')}
              </button>
              <ConfirmButton
                testId="source-rotate"
                question={t(revoked ? 'admin.src.confirmRenew' : 'admin.src.confirmRotate', { id: s.id })}
                locked={busy}
                onConfirmed={() =>
                  void list
                    .change(
                      s.id,
                      () => adminApi.newSourceKey(s.id),
                      (r) => r.source,
                    )
                    .then((r) => r && showChange(s.id, keyShown(r, 'admin.src.rotated')))
                }
              >
                {revoked ? t('admin.src.renew') : t('admin.src.rotate')}
              </ConfirmButton>
              {!revoked && (
                <ConfirmButton
                  testId="source-revoke"
                  danger
                  question={t('admin.src.confirmRevoke', { id: s.id })}
                  locked={busy}
                  onConfirmed={() =>
                    void list
                      .change(
                        s.id,
                        async () => {
                          await adminApi.revokeSource(s.id);
                          return { ...s, revokedAt: Date.now() };
                        },
                        (r) => r,
                      )
                      .then((r) => r && showChange(s.id, undefined))
                  }
                >
                  {t('admin.src.revoke')}
                </ConfirmButton>
              )}
            </td>
          </tr>
        );
      })}
    />
  );
}

/** How a system calls the endpoint: a curl line with this server's address and the key header. */
function HowToCall(props: { sourceId?: string; indicator?: string }) {
  lang.value;
  const example = curlExample(
    location.origin,
    props.sourceId ?? 'stats-office',
    props.indicator ?? 'cpi',
    t('admin.src.keyPlaceholder'),
    Date.now(),
    catalogue.value?.items,
  );
  return (
    <details class="howto" data-testid="source-howto">
      <summary>{t('admin.src.howto')}</summary>
      <p class="hint">
        {t('admin.src.howtoText', { header: API_KEY_HEADER, n: formatNumber(lang.value, MAX_INGEST_BATCH) })}
      </p>
      <SecretField label={t('admin.src.curl')} value={example} testId="source-howto-curl" />
      <p class="hint">{t('admin.src.answer')}</p>
    </details>
  );
}

/** The catalogue's indicators to tick, by service. */
function IndicatorPicker(props: {
  value: string[];
  onChange: (ids: string[]) => void;
  error: string | null;
}) {
  const l = lang.value;
  const c = catalogue.value;
  const items: IndicatorDef[] = (c?.items ?? []).filter((d) => !d.disabled || props.value.includes(d.id));
  return (
    <fieldset class="picker" aria-describedby="src-indicators-msg" aria-invalid={!!props.error}>
      <legend class="label">{t('admin.src.col.indicators')}</legend>
      {c === undefined && <div class="hint">{t('admin.loading')}</div>}
      {c === null && <div class="hint bad">{t('admin.src.noCatalogue')}</div>}
      {INDICATOR_DOMAINS.map((domain) => {
        const ds = items.filter((d) => d.domain === domain);
        if (ds.length === 0) return null;
        return (
          <div key={domain} class="picker-group">
            <div class="picker-title">{t(`domain.${domain}` as MessageKey)}</div>
            {ds.map((d) => (
              <label key={d.id} class="check">
                <input
                  type="checkbox"
                  checked={props.value.includes(d.id)}
                  data-testid={`src-ind-${d.id}`}
                  onChange={(e) =>
                    props.onChange(
                      (e.target as HTMLInputElement).checked
                        ? [...props.value, d.id]
                        : props.value.filter((x) => x !== d.id),
                    )
                  }
                />
                <span>
                  {nameOf(l, d)} <span class="mono muted">{d.id}</span>
                </span>
              </label>
            ))}
          </div>
        );
      })}
      <div id="src-indicators-msg" class={`hint${props.error ? ' bad' : ''}`}>
        {props.error ?? t('admin.src.indicatorsHint', { n: formatNumber(l, props.value.length) })}
      </div>
    </fieldset>
  );
}

/** The source's form, new or changed: id (new only), name, indicators, rate. */
function SourceForm(props: {
  mode: 'create' | 'edit';
  initial: SourceRequest;
  title: string;
  submitLabel: string;
  onClose: () => void;
  send: (b: SourceRequest) => Promise<void>;
}) {
  const _l = lang.value;
  const [f, setF] = useState(props.initial);
  const [rate, setRate] = useState(String(props.initial.ratePerMin));
  const [refused, setRefused] = useState<Record<string, string>>({});
  const ratePerMin = Number(rate.trim());
  const bad = {
    id: !/^[a-z0-9][a-z0-9_-]{0,62}$/.test(f.id.trim()),
    name: !f.name.trim(),
    indicators: f.indicators.length === 0,
    ratePerMin: !(Number.isInteger(ratePerMin) && ratePerMin >= 1 && ratePerMin <= 100_000),
  };
  const form = useFormSend(Object.values(bad).some(Boolean), async () => {
    try {
      await props.send({ ...f, id: f.id.trim(), name: f.name.trim(), ratePerMin });
    } catch (err) {
      throw refusal(err, setRefused, { code: 'source_exists', field: 'id', text: t('admin.src.exists') });
    }
  });
  const rule: Record<keyof typeof bad, MessageKey> = {
    id: 'admin.ind.bad.id',
    name: 'admin.ind.bad.name',
    indicators: 'admin.src.bad.indicators',
    ratePerMin: 'admin.src.bad.rate',
  };
  const err = (k: keyof typeof bad) => refused[k] ?? (form.tried && bad[k] ? t(rule[k]) : null);
  const clear = (k: string) =>
    k in refused && setRefused(Object.fromEntries(Object.entries(refused).filter(([x]) => x !== k)));
  return (
    <FormDialog
      title={props.title}
      testId="source-dialog"
      wide
      form={form}
      submitLabel={props.submitLabel}
      submitTestId="source-submit"
      onClose={props.onClose}
    >
      <div class="two">
        <Field
          id="src-id"
          label={t('admin.col.id')}
          error={err('id')}
          hint={props.mode === 'create' ? t('admin.src.idHint') : undefined}
        >
          <input
            id="src-id"
            class="input mono"
            autocomplete="off"
            spellcheck={false}
            value={f.id}
            disabled={props.mode === 'edit'}
            aria-invalid={!!err('id')}
            aria-describedby="src-id-msg"
            data-testid="src-id"
            onInput={(e) => {
              setF({ ...f, id: (e.target as HTMLInputElement).value });
              clear('id');
            }}
          />
        </Field>
        <Field id="src-name" label={t('admin.col.name')} error={err('name')}>
          <input
            id="src-name"
            class="input"
            autocomplete="off"
            value={f.name}
            aria-invalid={!!err('name')}
            aria-describedby="src-name-msg"
            data-testid="src-name"
            onInput={(e) => {
              setF({ ...f, name: (e.target as HTMLInputElement).value });
              clear('name');
            }}
          />
        </Field>
      </div>
      <IndicatorPicker
        value={f.indicators}
        error={err('indicators')}
        onChange={(indicators) => {
          setF({ ...f, indicators });
          clear('indicators');
        }}
      />
      <Field
        id="src-rate"
        label={t('admin.src.rate')}
        error={err('ratePerMin')}
        hint={t('admin.src.rateHint')}
      >
        <input
          id="src-rate"
          class="input num-wide"
          inputMode="numeric"
          autocomplete="off"
          value={rate}
          aria-invalid={!!err('ratePerMin')}
          aria-describedby="src-rate-msg"
          data-testid="src-rate"
          onInput={(e) => {
            setRate((e.target as HTMLInputElement).value);
            clear('ratePerMin');
          }}
        />
      </Field>
    </FormDialog>
  );
}

function CreateSource(props: CreateProps<IndicatorSourceView>) {
  return (
    <SourceForm
      mode="create"
      initial={{ id: '', name: '', indicators: [], ratePerMin: 600 }}
      title={t('admin.src.new')}
      submitLabel={t('admin.src.create')}
      onClose={props.onClose}
      send={async (b) => {
        const r = await adminApi.createSource(b);
        props.onCreated(r.source, r.source.id, keyShown(r, 'admin.src.created'));
      }}
    />
  );
}

function EditSource(props: {
  source: IndicatorSourceView;
  onClose: () => void;
  onSaved: (s: IndicatorSourceView) => void;
}) {
  const s = props.source;
  return (
    <SourceForm
      mode="edit"
      initial={{ id: s.id, name: s.name, indicators: s.indicators, ratePerMin: s.ratePerMin }}
      title={t('admin.src.editTitle', { id: s.id })}
      submitLabel={t('admin.alarms.save')}
      onClose={props.onClose}
      send={async (b) => {
        const r = await adminApi.updateSource(s.id, {
          name: b.name,
          indicators: b.indicators,
          ratePerMin: b.ratePerMin,
        });
        props.onSaved(r.source);
      }}
    />
  );
}
