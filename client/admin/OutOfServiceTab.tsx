import { useEffect, useState } from 'preact/hooks';
import { MAX_SHELVE_REASON_CHARS, type OutOfServiceView } from '#contract/alarmVocab.ts';
import { formatDateTime, formatNumber } from '../i18n/format.ts';
import { lang, t } from '../i18n/i18n.ts';
import { AdminApiError, adminApi, city, loadCity } from './api.ts';
import { FormDialog, useFormSend } from './form.tsx';
import { assetIndex, checkOutOfService, epochToCityInput, type OutOfServiceForm } from './outOfService.ts';
import { ConfirmButton, type CreateProps, ListPanel, say, useAdminList } from './ui.tsx';

type Row = OutOfServiceView & { id: string };
const fetchList = async () => ({
  items: (await adminApi.outOfService()).items.map((o): Row => ({ ...o, id: o.assetId })),
});

/** A camera or segment by its name where the city model has it, else by its id. */
function assetName(id: string): string {
  return assetIndex(city.value).get(id)?.name ?? id;
}

/**
 * Assets out of service (issue 13): cameras and road segments under maintenance, whose alarms are
 * suppressed (kept and listed, not announced) until they are returned to service.
 */
export function OutOfServiceTab() {
  const l = lang.value;
  const list = useAdminList(fetchList);
  useEffect(loadCity, []);
  const index = assetIndex(city.value);
  const suppressed = list.items.reduce((n, o) => n + o.suppressedAlarms, 0);

  const giveBack = async (o: Row) => {
    const done = await list.change(
      o.id,
      async () => {
        await adminApi.returnToService(o.assetId);
        return true;
      },
      () => o,
    );
    if (!done) return;
    list.remove(o.id);
    say(t('admin.oos.returned', { name: assetName(o.assetId) }));
  };

  return (
    <ListPanel
      testId="oos-tab"
      list={list}
      count={`${t('admin.oos.count', { n: formatNumber(l, list.items.length) })}${
        list.items.length ? ` · ${t('admin.oos.suppressedTotal', { n: formatNumber(l, suppressed) })}` : ''
      }`}
      emptyText={t('admin.oos.empty')}
      create={{
        label: t('admin.oos.new'),
        testId: 'oos-new',
        Dialog: PutOutOfService,
        done: (id) => t('admin.oos.done', { name: assetName(id) }),
      }}
      intro={
        <p class="intro" data-testid="oos-intro">
          {t('admin.oos.intro')}
        </p>
      }
      tableTestId="oos-table"
      columns={[
        [t('admin.oos.col.asset')],
        [t('admin.oos.col.reason')],
        [t('admin.oos.col.by')],
        [t('admin.oos.col.since')],
        [t('admin.oos.col.until')],
        [t('admin.oos.col.suppressed'), 'num'],
        [t('admin.col.actions'), 'actions-col'],
      ]}
      rows={list.items.map((o) => {
        const a = index.get(o.assetId);
        return (
          <tr key={o.id} data-testid="oos-row" data-id={o.assetId}>
            <td>
              <b>{a?.name ?? o.assetId}</b>
              <div class="sub">
                {a ? t(a.kind === 'camera' ? 'admin.oos.kind.camera' : 'admin.oos.kind.segment') : ''}{' '}
                <span class="mono">{o.assetId}</span>
              </div>
            </td>
            <td class="reason">{o.reason}</td>
            <td class="mono">{o.by}</td>
            <td class="nowrap">{formatDateTime(l, o.since)}</td>
            <td class="nowrap">
              {o.until === null ? (
                <span class="muted">{t('admin.oos.untilManual')}</span>
              ) : (
                formatDateTime(l, o.until)
              )}
            </td>
            <td class="num" data-testid="oos-suppressed">
              <b>{formatNumber(l, o.suppressedAlarms)}</b>
            </td>
            <td class="actions">
              <ConfirmButton
                testId="oos-return"
                question={t('admin.oos.confirmReturn', { name: a?.name ?? o.assetId })}
                locked={list.busy === o.id}
                onConfirmed={() => void giveBack(o)}
              >
                {t('admin.oos.return')}
              </ConfirmButton>
            </td>
          </tr>
        );
      })}
    />
  );
}

function PutOutOfService(props: CreateProps<Row>) {
  const l = lang.value;
  const c = city.value;
  const [form, setForm] = useState<OutOfServiceForm>({ asset: '', reason: '', until: '' });
  const [current, setCurrent] = useState<OutOfServiceView[]>([]);
  useEffect(() => {
    adminApi.outOfService().then(
      (r) => setCurrent(r.items),
      () => undefined,
    );
  }, []);
  const check = checkOutOfService(form, c, Date.now());
  const problems = check.ok ? [] : check.problems;
  const index = assetIndex(c);
  const already = current.some((o) => o.assetId === form.asset.trim());
  const f = useFormSend(!check.ok, async () => {
    if (!check.ok) return;
    try {
      const r = await adminApi.putOutOfService(check.assetId, check.body);
      props.onCreated({ ...r.item, id: r.item.assetId }, r.item.assetId);
    } catch (err) {
      // the server's refusal of a field, in the admin's words
      if (err instanceof AdminApiError && err.code === 'unknown_asset')
        throw new Error(t('admin.oos.badAsset'));
      if (err instanceof AdminApiError && err.details.some((d) => d.field === 'until'))
        throw new Error(t('admin.oos.badUntil'));
      throw err;
    }
  });
  const bad = (p: 'asset' | 'reason' | 'until') => f.tried && problems.includes(p);
  const picked = index.get(form.asset.trim());
  return (
    <FormDialog
      title={t('admin.oos.new')}
      testId="oos-dialog"
      wide
      form={f}
      submitLabel={t('admin.oos.submit')}
      submitTestId="oos-submit"
      onClose={props.onClose}
    >
      <label class="label" for="oos-asset">
        {t('admin.oos.asset')}
      </label>
      <input
        id="oos-asset"
        class="input mono"
        list="oos-assets"
        autocomplete="off"
        autocapitalize="none"
        spellcheck={false}
        value={form.asset}
        aria-invalid={bad('asset')}
        aria-describedby="oos-asset-hint"
        data-testid="oos-asset"
        onInput={(e) => setForm({ ...form, asset: (e.target as HTMLInputElement).value })}
      />
      <datalist id="oos-assets">
        {[...(c?.cameras ?? []), ...(c?.segments ?? [])].map((a) => (
          <option key={a.id} value={a.id} label={a.name} />
        ))}
      </datalist>
      <div id="oos-asset-hint" class={`hint${bad('asset') ? ' bad' : ''}`} aria-live="polite">
        {bad('asset') ? (
          t('admin.oos.badAsset')
        ) : picked ? (
          <span data-testid="oos-picked">
            {t(picked.kind === 'camera' ? 'admin.oos.kind.camera' : 'admin.oos.kind.segment')}:{' '}
            <b>{picked.name}</b>
          </span>
        ) : c === null ? (
          <span class="warn-text">{t('admin.oos.cityMissing')}</span>
        ) : (
          t('admin.oos.assetHint', {
            cameras: formatNumber(l, c?.cameras.length ?? 0),
            segments: formatNumber(l, c?.segments.length ?? 0),
          })
        )}
      </div>
      {already && (
        <div class="note" data-testid="oos-already">
          {t('admin.oos.already')}
        </div>
      )}
      <label class="label" for="oos-reason">
        {t('admin.oos.reason')}
      </label>
      <textarea
        id="oos-reason"
        class="input"
        rows={2}
        maxLength={MAX_SHELVE_REASON_CHARS}
        value={form.reason}
        aria-invalid={bad('reason')}
        aria-describedby="oos-reason-hint"
        data-testid="oos-reason"
        onInput={(e) => setForm({ ...form, reason: (e.target as HTMLTextAreaElement).value })}
      />
      <div id="oos-reason-hint" class={`hint${bad('reason') ? ' bad' : ''}`}>
        {bad('reason') ? t('admin.required') : t('admin.oos.reasonHint')}
      </div>
      <label class="label" for="oos-until">
        {t('admin.oos.until')}
      </label>
      <input
        id="oos-until"
        type="datetime-local"
        class="input until-input"
        min={epochToCityInput(Date.now())}
        value={form.until}
        aria-invalid={bad('until')}
        aria-describedby="oos-until-hint"
        data-testid="oos-until"
        onInput={(e) => setForm({ ...form, until: (e.target as HTMLInputElement).value })}
      />
      <div id="oos-until-hint" class={`hint${bad('until') ? ' bad' : ''}`}>
        {bad('until') ? t('admin.oos.badUntil') : t('admin.oos.untilHint')}
      </div>
    </FormDialog>
  );
}
