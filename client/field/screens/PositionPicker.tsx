import { useEffect, useRef, useState } from 'preact/hooks';
import { fmt, t } from '../../i18n/i18n.ts';
import { errors, gps, position } from '../fieldStore.ts';
import type { PinMap } from '../pinMap.ts';

/** GPS accuracy worse than this asks the reporter to check the pin. */
const POOR_ACCURACY_M = 100;

export function PositionPicker() {
  const mapEl = useRef<HTMLDivElement>(null);
  const pin = useRef<PinMap | null>(null);
  const [mapState, setMapState] = useState<'loading' | 'ok' | 'error'>('loading');
  const watch = useRef<number | null>(null);

  const startGps = () => {
    if (!('geolocation' in navigator)) {
      gps.value = 'denied';
      return;
    }
    if (watch.current !== null) navigator.geolocation.clearWatch(watch.current);
    gps.value = 'locating';
    watch.current = navigator.geolocation.watchPosition(
      (p) => {
        // the reporter's own pin wins over later GPS fixes
        if (gps.value === 'manual') return;
        const prev = position.value;
        const accuracyM = Math.round(p.coords.accuracy);
        if (prev?.source === 'gps' && prev.accuracyM !== undefined && accuracyM > prev.accuracyM) return;
        position.value = { lon: p.coords.longitude, lat: p.coords.latitude, accuracyM, source: 'gps' };
        gps.value = 'ok';
        if (errors.value.position) errors.value = { ...errors.value, position: undefined };
        pin.current?.setPosition(p.coords.longitude, p.coords.latitude, accuracyM);
      },
      () => {
        if (gps.value === 'locating') gps.value = 'denied';
      },
      { enableHighAccuracy: true, timeout: 20_000, maximumAge: 30_000 },
    );
  };

  useEffect(() => {
    let cancelled = false;
    if (gps.value !== 'manual') startGps();
    import('../pinMap.ts')
      .then(({ createPinMap }) =>
        createPinMap(mapEl.current as HTMLDivElement, position.value, (lon, lat) => {
          position.value = { lon, lat, source: 'manual' };
          gps.value = 'manual';
          if (errors.value.position) errors.value = { ...errors.value, position: undefined };
        }),
      )
      .then((m) => {
        if (cancelled) return m.destroy();
        pin.current = m;
        const p = position.value;
        if (p) m.setPosition(p.lon, p.lat, p.source === 'gps' ? p.accuracyM : undefined);
        setMapState('ok');
      })
      .catch(() => !cancelled && setMapState('error'));
    return () => {
      cancelled = true;
      if (watch.current !== null) navigator.geolocation.clearWatch(watch.current);
      pin.current?.destroy();
      pin.current = null;
    };
  }, []);

  const p = position.value;
  const g = gps.value;
  let line: string;
  let tone = 'ok';
  if (g === 'locating') line = t('field.gps.locating');
  else if (g === 'manual') line = t('field.gps.manual');
  else if (g === 'denied') {
    line = t('field.gps.denied');
    tone = 'warn';
  } else if (p?.accuracyM !== undefined && p.accuracyM > POOR_ACCURACY_M) {
    line = t('field.gps.poor', { m: fmt.value.num(p.accuracyM) });
    tone = 'warn';
  } else line = t('field.gps.accuracy', { m: fmt.value.num(p?.accuracyM ?? 0) });
  return (
    <div class="position">
      <div class={`gps gps-${tone}`} data-testid="gps-status" data-state={g}>
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <circle cx="12" cy="12" r="4" fill="currentColor" />
          <path d="M12 2v3M12 19v3M2 12h3M19 12h3" stroke="currentColor" stroke-width="2" />
          <circle cx="12" cy="12" r="7.5" fill="none" stroke="currentColor" stroke-width="2" />
        </svg>
        <span class="gps-line">{line}</span>
        {(g === 'manual' || g === 'denied') && (
          <button type="button" class="btn-ghost" onClick={startGps}>
            {t('field.gps.retry')}
          </button>
        )}
      </div>
      <div class="mini-map-wrap">
        <div ref={mapEl} class="mini-map" data-testid="mini-map" data-state={mapState} />
        {mapState === 'loading' && <div class="map-note">{t('field.map.loading')}</div>}
        {mapState === 'error' && <div class="map-note">{t('field.map.error')}</div>}
      </div>
      {p && (
        <div class="coords" data-testid="coords">
          {p.lat.toFixed(5)}, {p.lon.toFixed(5)} · {t('field.map.hint')}
        </div>
      )}
    </div>
  );
}
