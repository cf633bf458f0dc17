// Simulated patrol units (issue 15): cars driving the city's roads, each reporting its position every
// 10 s on ioc/unit/{id}/position. A unit's route is a seeded random walk over the segment graph, driven
// in a loop at a steady speed, so its position is a pure function of (seed, time).
import type { CityModel, LonLat } from '#contract/assets.ts';
import { pathLengthM } from '#contract/geo.ts';
import { topics } from '#contract/mqtt.ts';
import type { SimulatedUnit } from '#contract/simulation.ts';
import { UNIT_POSITION_INTERVAL_MS } from '#contract/units.ts';
import { pointAlong } from './geo.ts';
import { createRng } from './rng.ts';
import { segmentGraph } from './segmentGraph.ts';
import type { SimMessage } from './simulation.ts';

/** Patrol units the simulation runs by default. */
export const DEFAULT_PATROL_UNITS = 12;
const ROUTE_SEGMENTS = 40;

interface Route {
  unit: SimulatedUnit;
  coords: LonLat[];
  lengthM: number;
  speedMps: number;
  /** where on its loop the unit is at time 0 (metres) */
  offsetM: number;
}

/** The patrol units of a city: `CA-01` … (Công an), named in Vietnamese as the console shows them. */
export function patrolUnits(count = DEFAULT_PATROL_UNITS): SimulatedUnit[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    return { id: `ca-${n}`, name: `Tổ tuần tra ${n}` };
  });
}

export interface UnitsModel {
  units: SimulatedUnit[];
  /** where a unit is at `t` */
  position(i: number, t: number): { lon: number; lat: number; headingDeg: number; speedKmh: number };
  /** the positions due in (from, to]: each unit every 10 s, the units spread over the interval */
  tick(from: number, to: number): SimMessage[];
}

/** Seeded routes for the given units over the city's segments (none when the city has none). */
export function createUnitsModel(city: CityModel, seed: number, units: SimulatedUnit[]): UnitsModel {
  const rng = createRng(seed ^ 0x5a17);
  const graph = segmentGraph(city);
  const byId = new Map(city.segments.map((s) => [s.id, s]));
  const routes: Route[] = units.map((unit) => {
    const coords: LonLat[] = [];
    if (city.segments.length) {
      let seg = rng.pick(city.segments);
      for (let k = 0; k < ROUTE_SEGMENTS; k++) {
        coords.push(...(coords.length ? seg.coords.slice(1) : seg.coords));
        const next = graph.downstream.get(seg.id) ?? [];
        const id = next.length ? rng.pick(next) : undefined;
        const nextSeg = id ? byId.get(id) : undefined;
        if (!nextSeg) break;
        seg = nextSeg;
      }
    }
    // drive back the same way: a loop without a jump
    const loop = coords.length > 1 ? [...coords, ...coords.slice(0, -1).reverse()] : coords;
    const lengthM = pathLengthM(loop);
    return { unit, coords: loop, lengthM, speedMps: rng.float(15, 35) / 3.6, offsetM: rng.float(0, lengthM) };
  });
  const position = (i: number, t: number) => {
    const r = routes[i];
    if (!r.coords.length) return { lon: city.center[0], lat: city.center[1], headingDeg: 0, speedKmh: 0 };
    if (r.lengthM === 0) return { lon: r.coords[0][0], lat: r.coords[0][1], headingDeg: 0, speedKmh: 0 };
    const d = (r.offsetM + (t / 1000) * r.speedMps) % r.lengthM;
    const [lon, lat] = pointAlong(r.coords, d / r.lengthM);
    const [lon2, lat2] = pointAlong(r.coords, Math.min(1, (d + 5) / r.lengthM));
    const heading = (Math.atan2((lon2 - lon) * Math.cos((lat * Math.PI) / 180), lat2 - lat) * 180) / Math.PI;
    return {
      lon: round6(lon),
      lat: round6(lat),
      headingDeg: Math.round((heading + 360) % 360),
      speedKmh: Math.round(r.speedMps * 3.6),
    };
  };
  const step = UNIT_POSITION_INTERVAL_MS;
  return {
    units,
    position,
    tick(from, to) {
      const out: Array<{ ts: number; msg: SimMessage }> = [];
      routes.forEach((r, i) => {
        const offset = Math.floor((i * step) / Math.max(1, routes.length));
        for (let t = offset + (Math.floor((from - offset) / step) + 1) * step; t <= to; t += step) {
          out.push({
            ts: t,
            msg: {
              topic: topics.unitPosition(r.unit.id),
              payload: { ts: t, ...position(i, t), accuracyM: 8, id: `${r.unit.id}-${t}` },
            },
          });
        }
      });
      return out.sort((a, b) => a.ts - b.ts).map((x) => x.msg);
    },
  };
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
