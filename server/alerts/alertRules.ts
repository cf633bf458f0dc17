import type { CityModel } from '#contract/assets.ts';
import type { AlertItem } from '#contract/live.ts';
import type { StateChanges } from '../domain/cityState.ts';

/** How long the same alert (kind + asset) stays quiet after it fired. */
export const ALERT_COOLDOWN_MS = 15 * 60_000;
/** Changes older than this raise no alert. */
export const ALERT_MAX_AGE_MS = 10 * 60_000;

/**
 * Alert rules over what a batch changed: a segment going into a jam, a camera going offline,
 * a serious camera detection, a new incident of severity ≥ 3. Titles are codes with parameters
 * (`AlertTitle`): the console words them in the reader's language. Pure except for `lastFired`, the
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
      title: { code: 'congestion', params: { segment: seg.name, speedKmh: Math.round(t.speedKmh) } },
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
      title: { code: 'camera_offline', params: { camera: cam?.name ?? c.id } },
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
      title: { code: 'camera_event', params: { camera: cam?.name ?? e.cameraId, event: e.kind } },
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
      title: { code: 'incident', params: { category: i.category, severity: i.severity } },
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
