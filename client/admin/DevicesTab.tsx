import { signal } from '@preact/signals';
import { useEffect, useState } from 'preact/hooks';
import type { DeviceView } from '../../server/contracts/auth.ts';
import { formatDateTime, formatNumber } from '../i18n/format.ts';
import { lang, t } from '../i18n/i18n.ts';
import { AdminApiError, adminApi } from './api.ts';
import { addAssetIds, type CityAssets, checkAssets, countAssets } from './assets.ts';
import { errorText, ListState, Modal, StatusBadge, say, secret } from './ui.tsx';

const DEVICE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The city's cameras and segments: loaded once, `null` when they could not be. */
const city = signal<CityAssets | null | undefined>(undefined);
function loadCity(): void {
  if (city.value !== undefined) return;
  adminApi.city().then(
    (c) => (city.value = c),
    () => (city.value = null),
  );
}

export function DevicesTab() {
  const l = lang.value;
  const [items, setItems] = useState<DeviceView[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [creating, setCreating] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const load = async () => {
    setLoading(true);
    setError(null);
    try {
      setItems((await adminApi.devices()).items);
    } catch (err) {
      setError(err);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    void load();
    loadCity();
  }, []);
  // an external broker (MQTT_URL) keeps its own accounts: nothing to manage here
  const external = error instanceof AdminApiError && error.code === 'no_devices';

  const update = async (
    d: DeviceView,
    body: Parameters<typeof adminApi.updateDevice>[1],
    question: string,
  ) => {
    if (!confirm(question)) return;
    setBusy(d.id);
    try {
      const r = await adminApi.updateDevice(d.id, body);
      setItems((xs) => xs.map((x) => (x.id === d.id ? r.device : x)));
      if (r.secret)
        secret.value = {
          title: t('admin.devices.secretTitle', { id: r.device.id }),
          intro: t('admin.devices.rotated', { id: r.device.id }),
          fields: [
            { label: t('admin.devices.mqttUsername'), value: r.device.username, testId: 'mqtt-username' },
            { label: t('admin.devices.mqttPassword'), value: r.secret, testId: 'mqtt-secret' },
          ],
        };
      else say(t('admin.updated', { name: r.device.id }));
    } catch (err) {
      say(t('admin.failed', { msg: errorText(err) }), 'bad');
    } finally {
      setBusy(null);
    }
  };

  return (
    <section class="panel" data-testid="devices-tab">
      <div class="toolbar">
        <div class="count">{!loading && !error && t('admin.devices.count', { n: items.length })}</div>
        <button type="button" class="btn" onClick={() => void load()}>
          {t('admin.refresh')}
        </button>
        {!external && (
          <button
            type="button"
            class="btn primary"
            data-testid="device-new"
            onClick={() => setCreating(true)}
          >
            + {t('admin.devices.new')}
          </button>
        )}
      </div>
      {external && (
        <div class="state" data-testid="devices-external">
          {t('admin.devices.external')}
        </div>
      )}
      <ListState
        loading={loading && items.length === 0}
        error={external ? null : error}
        empty={!external && items.length === 0}
        emptyText={t('admin.devices.empty')}
        onRetry={() => void load()}
      />
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="tbl" data-testid="devices-table">
            <thead>
              <tr>
                <th>{t('admin.col.id')}</th>
                <th>{t('admin.col.name')}</th>
                <th>{t('admin.col.mqttUser')}</th>
                <th class="num">{t('admin.col.assets')}</th>
                <th>{t('admin.col.mayReport')}</th>
                <th>{t('admin.col.status')}</th>
                <th>{t('admin.col.created')}</th>
                <th class="actions-col">{t('admin.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => {
                const n = countAssets(d.assets, city.value ?? null);
                const rowBusy = busy === d.id;
                return (
                  <tr key={d.id} class={d.disabled ? 'off' : ''} data-testid="device-row" data-id={d.id}>
                    <td class="mono">{d.id}</td>
                    <td>{d.name}</td>
                    <td class="mono">{d.username}</td>
                    <td
                      class="num"
                      title={d.assets.slice(0, 40).join(', ') + (d.assets.length > 40 ? ', …' : '')}
                    >
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
                      <button
                        type="button"
                        class={`btn small${d.disabled ? '' : ' danger'}`}
                        disabled={rowBusy}
                        data-testid={d.disabled ? 'device-enable' : 'device-disable'}
                        onClick={() =>
                          void update(
                            d,
                            { disabled: !d.disabled },
                            t(d.disabled ? 'admin.confirm.enableDevice' : 'admin.confirm.disableDevice', {
                              id: d.id,
                            }),
                          )
                        }
                      >
                        {d.disabled ? t('admin.enable') : t('admin.disable')}
                      </button>
                      <button
                        type="button"
                        class="btn small"
                        disabled={rowBusy}
                        data-testid="device-rotate"
                        onClick={() =>
                          void update(d, { rotateSecret: true }, t('admin.confirm.rotate', { id: d.id }))
                        }
                      >
                        {t('admin.devices.rotate')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {creating && (
        <CreateDevice
          onClose={() => setCreating(false)}
          onCreated={(d, s) => {
            setItems((xs) => [...xs, d]);
            setCreating(false);
            if (s)
              secret.value = {
                title: t('admin.devices.secretTitle', { id: d.id }),
                intro: t('admin.devices.created', { id: d.id }),
                fields: [
                  { label: t('admin.devices.mqttUsername'), value: d.username, testId: 'mqtt-username' },
                  { label: t('admin.devices.mqttPassword'), value: s, testId: 'mqtt-secret' },
                ],
              };
            else say(t('admin.updated', { name: d.id }));
          }}
        />
      )}
    </section>
  );
}

function CreateDevice(props: { onClose: () => void; onCreated: (d: DeviceView, secret?: string) => void }) {
  const l = lang.value;
  const c = city.value;
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [assets, setAssets] = useState('');
  const [mayReport, setMayReport] = useState(false);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const check = checkAssets(assets, c ?? null);
  const badId = !DEVICE_ID.test(id.trim());
  const badName = !name.trim();
  const badAssets = check.unknown.length > 0;
  const noScope = check.ids.length === 0 && !mayReport;
  const submit = async (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (badId || badName || badAssets || noScope) return;
    setBusy(true);
    setError(null);
    try {
      const r = await adminApi.createDevice({
        id: id.trim(),
        name: name.trim(),
        assets: check.ids,
        mayReport,
      });
      props.onCreated(r.device, r.secret);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <Modal title={t('admin.devices.new')} onClose={props.onClose} testId="device-create-dialog" wide>
      <form onSubmit={submit} noValidate>
        <div class="modal-body">
          {error && (
            <div class="state state-error" role="alert">
              {error}
            </div>
          )}
          <div class="two">
            <div>
              <label class="label" for="new-device-id">
                {t('admin.col.id')}
              </label>
              <input
                id="new-device-id"
                class="input mono"
                autocomplete="off"
                autocapitalize="none"
                spellcheck={false}
                value={id}
                aria-invalid={tried && badId}
                aria-describedby="new-device-id-hint"
                onInput={(e) => setId((e.target as HTMLInputElement).value)}
              />
              <div id="new-device-id-hint" class={`hint${tried && badId ? ' bad' : ''}`}>
                {tried && badId ? t('admin.devices.badId') : t('admin.devices.idHint')}
              </div>
            </div>
            <div>
              <label class="label" for="new-device-name">
                {t('admin.col.name')}
              </label>
              <input
                id="new-device-name"
                class="input"
                autocomplete="off"
                value={name}
                aria-invalid={tried && badName}
                onInput={(e) => setName((e.target as HTMLInputElement).value)}
              />
              {tried && badName && <div class="hint bad">{t('admin.required')}</div>}
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
            <button
              type="button"
              class="btn small"
              disabled={!c || c.cameras.length === 0}
              data-testid="assets-all-cameras"
              onClick={() =>
                c &&
                setAssets(
                  addAssetIds(
                    assets,
                    c.cameras.map((x) => x.id),
                  ),
                )
              }
            >
              {t('admin.devices.allCameras', { n: formatNumber(l, c?.cameras.length ?? 0) })}
            </button>
            <button
              type="button"
              class="btn small"
              disabled={!c || c.segments.length === 0}
              data-testid="assets-all-segments"
              onClick={() =>
                c &&
                setAssets(
                  addAssetIds(
                    assets,
                    c.segments.map((x) => x.id),
                  ),
                )
              }
            >
              {t('admin.devices.allSegments', { n: formatNumber(l, c?.segments.length ?? 0) })}
            </button>
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
          {tried && noScope && <div class="hint bad">{t('admin.devices.needScope')}</div>}
        </div>
        <div class="modal-foot">
          <button type="button" class="btn" onClick={props.onClose}>
            {t('admin.cancel')}
          </button>
          <button
            type="submit"
            class="btn primary"
            disabled={busy || badAssets}
            data-testid="device-create-submit"
          >
            {t('admin.devices.new')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
