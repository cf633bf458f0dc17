import { Router } from 'express';
import type { CityModel } from '#contract/assets.ts';
import type { CityState } from '../domain/cityState.ts';
import { HttpError } from './errors.ts';

/** A reading older than this is shown as "no recent data". */
export const TRAFFIC_STALE_MS = 10 * 60_000;

/** `GET /api/layers/{traffic|cameras|incidents}`: the current state of a layer as GeoJSON. */
export function layersRouter(deps: { city: () => CityModel; state: CityState; now?: () => number }): Router {
  const r = Router();
  const now = deps.now ?? Date.now;
  r.get('/api/layers/:layer', (req, res) => {
    const city = deps.city();
    const t = now();
    switch (req.params.layer) {
      case 'traffic':
        res.json({
          type: 'FeatureCollection',
          features: city.segments.map((s) => {
            const st = deps.state.traffic.get(s.id);
            const fresh = st && t - st.ts <= TRAFFIC_STALE_MS;
            return {
              type: 'Feature',
              id: s.id,
              geometry: { type: 'LineString', coordinates: s.coords },
              properties: {
                id: s.id,
                name: s.name,
                speedLimitKmh: s.speedLimitKmh,
                districtId: s.districtId ?? null,
                speedKmh: st?.speedKmh ?? null,
                volume: st?.volume ?? null,
                occupancy: st?.occupancy ?? null,
                level: fresh ? st.level : 'unknown',
                ts: st ? new Date(st.ts).toISOString() : null,
              },
            };
          }),
        });
        return;
      case 'cameras':
        res.json({
          type: 'FeatureCollection',
          features: city.cameras.map((c) => {
            const st = deps.state.cameras.get(c.id);
            return {
              type: 'Feature',
              id: c.id,
              geometry: { type: 'Point', coordinates: [c.lon, c.lat] },
              properties: {
                id: c.id,
                name: c.name,
                segmentId: c.segmentId ?? null,
                online: st?.online ?? null,
                fps: st?.fps ?? null,
                ts: st ? new Date(st.ts).toISOString() : null,
                lastEvent: st?.lastEvent
                  ? { ...st.lastEvent, ts: new Date(st.lastEvent.ts).toISOString() }
                  : null,
                snapshotUrl: `/api/cameras/${encodeURIComponent(c.id)}/snapshot`,
              },
            };
          }),
        });
        return;
      case 'incidents':
        res.json({
          type: 'FeatureCollection',
          features: deps.state.liveIncidents(t).map((i) => ({
            type: 'Feature',
            id: i.id,
            geometry: { type: 'Point', coordinates: [i.lon, i.lat] },
            properties: {
              ...i,
              ts: new Date(i.ts).toISOString(),
              updatedAt: new Date(i.updatedAt).toISOString(),
            },
          })),
        });
        return;
      default:
        throw new HttpError(
          404,
          'unknown_layer',
          `no layer "${req.params.layer}"; layers are traffic, cameras, incidents`,
        );
    }
  });
  return r;
}
