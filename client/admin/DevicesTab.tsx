import { useEffect, useState } from 'preact/hooks';
import type { DeviceView, UpdateDeviceRequest } from '#contract/auth.ts';
import { formatDateTime, formatNumber } from '../i18n/format.ts';
import { lang, t } from '../i18n/i18n.ts';
import { AdminApiError, adminApi, city, loadCity } from './api.ts';
import { addAssetIds, checkAssets, countAssets } from './assets.ts';
import { FormDialog, TextField, useFormSend } from './form.tsx';
import {
  ConfirmButton,
  type CreateProps,
  EnableToggle,
  ListPanel,
  StatusBadge,
  showChange,
  useAdminList,
} from './ui.tsx';

const DEVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A device's MQTT credentials, to show this once (`intro` says whether it was created or rotated). */
function credentials(d: DeviceView, value: string, intro: 'admin.devices.created' | 'admin.devices.rotated') {
  return {
    title: t('admin.devices.secretTitle', { id: d.id }),
    intro: t(intro, { id: d.id }),
    fields: [
      { label: t('admin.devices.mqttUsername'), value: d.username, testId: 'mqtt-username' },
      { label: t('admin.devices.mqttPassword'), value, testId: 'mqtt-secret' },
    ],
  };
}

export function DevicesTab() {
  const l = lang.value;
  const list = useAdminList(adminApi.devices);
  useEffect(loadCity, []);
  // an external broker (MQTT_URL) keeps its own accounts: nothing to manage here
  const external = list.error instanceof AdminApiError && list.error.code === 'no_devices';

  const update = async (d: DeviceView, body: UpdateDeviceRequest) => {
    const r = await list.change(
      d.id,
      () => adminApi.updateDevice(d.id, body),
      (x) => x.device,
    );
    if (r)
      showChange(
        r.device.id,
        r.secret ? credentials(r.device, r.secret, 'admin.devices.rotated') : undefined,
      );
  };

  return (
    <ListPanel
      testId="devices-tab"
      list={list}
      count={t('admin.devices.count', { n: list.items.length })}
      emptyText={t('admin.devices.empty')}
      create={
        external ? undefined : { label: t('admin.devices.new'), testId: 'device-new', Dialog: CreateDevice }
      }
      notice={
        external && (
          <div class="state" data-testid="devices-external">
            {t('admin.devices.external')}
          </div>
        )
      }
      tableTestId="devices-table"
      columns={[
        [t('admin.col.id')],
        [t('admin.col.name')],
        [t('admin.col.mqttUser')],
        [t('admin.col.assets'), 'num'],
        [t('admin.col.mayReport')],
        [t('admin.col.status')],
        [t('admin.col.created')],
        [t('admin.col.actions'), 'actions-col'],
      ]}
      rows={list.items.map((d) => {
        const n = countAssets(d.assets, city.value ?? null);
        const rowBusy = list.busy === d.id;
        return (
          <tr key={d.id} class={d.disabled ? 'off' : ''} data-testid="device-row" data-id={d.id}>
            <td class="mono">{d.id}</td>
            <td>{d.name}</td>
            <td class="mono">{d.username}</td>
            <td class="num" title={d.assets.slice(0, 40).join(', ') + (d.assets.length > 40 ? ', …' : '')}>
              <b>{formatNumber(l, d.assets.length)}</b>
              {city.value && d.assets.length > 0 && (
                <div class="sub">
                  {t('admin.devices.summary', {
                    cameras: formatNumber(l, n.cameras),
                    segments: formatNumber(l, n.segments),
                  })}
                </div>
              )}
            </td>
            <td>{d.mayReport ? t('admin.yes') : <span class="muted">{t('admin.no')}</span>}</td>
            <td>
              <StatusBadge disabled={d.disabled} />
            </td>
            <td>{formatDateTime(l, d.createdAt)}</td>
            <td class="actions">
              <EnableToggle
                kind="device"
                disabled={d.disabled}
                question={t(d.disabled ? 'admin.confirm.enableDevice' : 'admin.confirm.disableDevice', {
                  id: d.id,
                })}
                locked={rowBusy}
                onConfirmed={() => void update(d, { disabled: !d.disabled })}
              />
              <ConfirmButton
                testId="device-rotate"
                question={t('admin.confirm.rotate', { id: d.id })}
                locked={rowBusy}
                onConfirmed={() => void update(d, { rotateSecret: true })}
              >
                {t('admin.devices.rotate')}
              </ConfirmButton>
            </td>
          </tr>
        );
      })}
    />
  );
}

function CreateDevice(props: CreateProps<DeviceView>) {
  const l = lang.value;
  const c = city.value;
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [assets, setAssets] = useState('');
  const [mayReport, setMayReport] = useState(false);
  const check = checkAssets(assets, c ?? null);
  const badId = !DEVICE_ID.test(id.trim());
  const badName = !name.trim();
  const badAssets = check.unknown.length > 0;
  const noScope = check.ids.length === 0 && !mayReport;
  const form = useFormSend(badId || badName || badAssets || noScope, async () => {
    const r = await adminApi.createDevice({
      id: id.trim(),
      name: name.trim(),
      assets: check.ids,
      mayReport,
    });
    props.onCreated(
      r.device,
      r.device.id,
      r.secret ? credentials(r.device, r.secret, 'admin.devices.created') : undefined,
    );
  });
  return (
    <FormDialog
      title={t('admin.devices.new')}
      testId="device-create-dialog"
      wide
      form={form}
      submitLabel={t('admin.devices.new')}
      submitTestId="device-create-submit"
      blocked={badAssets}
      onClose={props.onClose}
    >
      <div class="two">
        <div>
          <TextField
            id="new-device-id"
            label={t('admin.col.id')}
            value={id}
            onInput={setId}
            bad={form.tried && badId}
            hint={{ ok: t('admin.devices.idHint'), bad: t('admin.devices.badId') }}
          />
        </div>
        <div>
          <TextField
            id="new-device-name"
            label={t('admin.col.name')}
            value={name}
            onInput={setName}
            bad={form.tried && badName}
          />
        </div>
      </div>
      <label class="label" for="new-device-assets">
        {t('admin.devices.assets')}
      </label>
      <textarea
        id="new-device-assets"
        class="input mono"
        rows={4}
        spellcheck={false}
        value={assets}
        aria-invalid={badAssets}
        aria-describedby="new-device-assets-check"
        data-testid="device-assets"
        onInput={(e) => setAssets((e.target as HTMLTextAreaElement).value)}
      />
      <div class="helpers">
        {(['cameras', 'segments'] as const).map((kind) => (
          <button
            key={kind}
            type="button"
            class="btn small"
            disabled={!c || c[kind].length === 0}
            data-testid={`assets-all-${kind}`}
            onClick={() =>
              c &&
              setAssets(
                addAssetIds(
                  assets,
                  c[kind].map((x) => x.id),
                ),
              )
            }
          >
            {t(kind === 'cameras' ? 'admin.devices.allCameras' : 'admin.devices.allSegments', {
              n: formatNumber(l, c?.[kind].length ?? 0),
            })}
          </button>
        ))}
        <button type="button" class="btn small" disabled={!assets} onClick={() => setAssets('')}>
          {t('admin.devices.clear')}
        </button>
      </div>
      <div id="new-device-assets-check" class="hint" data-testid="assets-check" aria-live="polite">
        {c === null ? (
          <span class="warn-text">{t('admin.devices.cityMissing')}</span>
        ) : badAssets ? (
          <span class="bad-text">
            {t('admin.devices.unknown', {
              ids: check.unknown.slice(0, 12).join(', ') + (check.unknown.length > 12 ? ', …' : ''),
            })}
          </span>
        ) : check.ids.length > 0 ? (
          t('admin.devices.summary', {
            cameras: formatNumber(l, check.cameras),
            segments: formatNumber(l, check.segments),
          })
        ) : (
          t('admin.devices.assetsHint')
        )}
      </div>
      <label class="check">
        <input
          type="checkbox"
          checked={mayReport}
          onChange={(e) => setMayReport((e.target as HTMLInputElement).checked)}
        />
        {t('admin.devices.mayReport')}
      </label>
      {form.tried && noScope && <div class="hint bad">{t('admin.devices.needScope')}</div>}
    </FormDialog>
  );
}
