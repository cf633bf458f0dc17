import type { CityModel } from '#contract/assets.ts';
import type { AlertItem } from '#contract/live.ts';
import type { StateChanges } from '../domain/cityState.ts';

/** How long the same alert (kind + asset) stays quiet after it fired. */
export const ALERT_COOLDOWN_MS = 15 * 60_000;
/** Changes older than this raise no alert. */
export const ALERT_MAX_AGE_MS = 10 * 60_000;

const EVENT_TITLES: Record<string, string> = {
  accident: 'Camera phát hiện tai nạn',
  fire: 'Camera phát hiện cháy',
  flood: 'Camera phát hiện ngập',
  wrong_way: 'Camera phát hiện đi ngược chiều',
};
const CATEGORY_TITLES: Record<string, string> = {
  traffic_accident: 'Tai nạn giao thông',
  traffic_jam: 'Ùn tắc giao thông',
  flooding: 'Ngập lụt',
  fire: 'Cháy nổ',
  public_order: 'Trật tự công cộng',
  environment: 'Môi trường',
  infrastructure: 'Hạ tầng',
  lighting: 'Chiếu sáng',
  waste: 'Rác thải',
  other: 'Sự cố khác',
};

/**
 * Alert rules over what a batch changed: a segment going into a jam, a camera going offline,
 * a serious camera detection, a new incident of severity ≥ 3. Pure except for `lastFired`, the
 * cooldown memory the caller keeps.
 */
export function evaluateAlerts(
  ch: StateChanges,
  city: CityModel,
  now: number,
  lastFired: Map<string, number>,
): AlertItem[] {
  const segments = new Map(city.segments.map((s) => [s.id, s]));
  const cameras = new Map(city.cameras.map((c) => [c.id, c]));
  const out: AlertItem[] = [];
  const fire = (key: string, a: Omit<AlertItem, 'id'>) => {
    // history being backfilled or a device's late delivery is not news
    if (now - a.ts > ALERT_MAX_AGE_MS) return;
    const last = lastFired.get(key);
    if (last !== undefined && now - last < ALERT_COOLDOWN_MS) return;
    lastFired.set(key, now);
    out.push({ id: `${key}:${a.ts}`, ...a });
  };
  for (const t of ch.jammed) {
    const seg = segments.get(t.id);
    if (!seg) continue;
    const mid = seg.coords[Math.floor(seg.coords.length / 2)];
    fire(`congestion:${t.id}`, {
      ts: t.ts,
      kind: 'congestion',
      severity: 3,
      title: `Ùn tắc: ${seg.name} (${Math.round(t.speedKmh)} km/h)`,
      assetId: t.id,
      lon: mid[0],
      lat: mid[1],
    });
  }
  for (const c of ch.wentOffline) {
    const cam = cameras.get(c.id);
    fire(`camera_offline:${c.id}`, {
      ts: c.ts,
      kind: 'camera_offline',
      severity: 2,
      title: `Camera mất kết nối: ${cam?.name ?? c.id}`,
      assetId: c.id,
      lon: cam?.lon,
      lat: cam?.lat,
    });
  }
  for (const e of ch.seriousEvents) {
    const cam = cameras.get(e.cameraId);
    fire(`camera_event:${e.cameraId}:${e.kind}`, {
      ts: e.time,
      kind: 'camera_event',
      severity: e.kind === 'fire' ? 5 : 4,
      title: `${EVENT_TITLES[e.kind] ?? e.kind}: ${cam?.name ?? e.cameraId}`,
      assetId: e.cameraId,
      lon: cam?.lon,
      lat: cam?.lat,
    });
  }
  for (const i of ch.newIncidents) {
    if (i.severity < 3 || i.status !== 'new') continue;
    fire(`incident:${i.id}`, {
      ts: i.ts,
      kind: 'incident',
      severity: i.severity,
      title: `${CATEGORY_TITLES[i.category] ?? i.category} (mức ${i.severity})`,
      assetId: i.id,
      lon: i.lon,
      lat: i.lat,
    });
  }
  // bound the cooldown memory
  if (lastFired.size > 10_000)
    for (const [k, t] of lastFired) if (now - t > ALERT_COOLDOWN_MS) lastFired.delete(k);
  return out;
}
