import { useEffect, useState } from 'preact/hooks';
import { CROWD_THRESHOLD_MAX, CROWD_THRESHOLD_MIN, type CrowdThresholds } from '#contract/hotspots.ts';
import { formatDateTime } from '../i18n/format.ts';
import { lang, t } from '../i18n/i18n.ts';
import { adminApi } from './api.ts';
import type { AssetRef } from './assets.ts';
import { errorText, say } from './ui.tsx';

/**
 * The cameras' own hotspot thresholds (issue 15), under the alarm rules: a square holds more people
 * than a lane. A camera without one has the `crowd_hotspot` rule's threshold (edited in its row above).
 */
export function CrowdThresholdsSection(props: { defaultThreshold: number | null; version: number }) {
  const l = lang.value;
  const [data, setData] = useState<CrowdThresholds | null>(null);
  const [cameras, setCameras] = useState<AssetRef[]>([]);
  const [camera, setCamera] = useState('');
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const load = async () => {
    try {
      setData(await adminApi.crowdThresholds());
    } catch (err) {
      say(t('admin.failed', { msg: errorText(err) }), 'bad');
    }
  };
  useEffect(() => {
    void load();
    adminApi.city().then(
      (c) => setCameras(c.cameras),
      () => setCameras([]),
    );
  }, [props.version]);
  const name = (id: string) => cameras.find((c) => c.id === id)?.name ?? id;
  const n = Number(value);
  const valid = camera !== '' && Number.isInteger(n) && n >= CROWD_THRESHOLD_MIN && n <= CROWD_THRESHOLD_MAX;
  const run = async (fn: () => Promise<unknown>, done: string) => {
    setBusy(true);
    try {
      await fn();
      say(done);
      await load();
    } catch (err) {
      say(t('admin.failed', { msg: errorText(err) }), 'bad');
    } finally {
      setBusy(false);
    }
  };
  const save = (e: Event) => {
    e.preventDefault();
    if (!valid || busy) return;
    void run(
      async () => {
        await adminApi.putCrowdThreshold(camera, n);
        setValue('');
      },
      t('admin.crowd.saved', { name: name(camera) }),
    );
  };
  const items = data?.items ?? [];
  return (
    <section class="crowd-thresholds" data-testid="crowd-thresholds">
      <h3>{t('admin.crowd.title')}</h3>
      <p class="intro">
        {t('admin.crowd.intro', { n: data?.defaultThreshold ?? props.defaultThreshold ?? '—' })}
      </p>
      {items.length === 0 ? (
        <p class="muted">{t('admin.crowd.empty')}</p>
      ) : (
        <table class="tbl" data-testid="crowd-thresholds-table">
          <thead>
            <tr>
              <th>{t('admin.crowd.col.camera')}</th>
              <th>{t('admin.crowd.col.threshold')}</th>
              <th>{t('admin.alarms.col.changed')}</th>
              <th class="actions-col">{t('admin.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((x) => (
              <tr key={x.cameraId} data-testid={`crowd-row-${x.cameraId}`}>
                <td>
                  {name(x.cameraId)} <span class="muted">{x.cameraId}</span>
                </td>
                <td>{t('admin.crowd.people', { n: x.threshold })}</td>
                <td>
                  {formatDateTime(l, x.updatedAt)} · {x.updatedBy ?? '—'}
                </td>
                <td class="actions-col">
                  <button
                    type="button"
                    class="btn small"
                    disabled={busy}
                    onClick={() =>
                      void run(
                        () => adminApi.deleteCrowdThreshold(x.cameraId),
                        t('admin.crowd.removed', { name: name(x.cameraId) }),
                      )
                    }
                  >
                    {t('admin.crowd.useDefault')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form class="crowd-add" onSubmit={save}>
        <label>
          {t('admin.crowd.col.camera')}
          <select value={camera} onChange={(e) => setCamera((e.target as HTMLSelectElement).value)}>
            <option value="">{t('admin.crowd.pick')}</option>
            {cameras.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.id})
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('admin.crowd.col.threshold')}
          <input
            type="number"
            min={CROWD_THRESHOLD_MIN}
            max={CROWD_THRESHOLD_MAX}
            step={1}
            value={value}
            onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" class="btn primary" disabled={!valid || busy}>
          {t('admin.crowd.save')}
        </button>
      </form>
    </section>
  );
}
