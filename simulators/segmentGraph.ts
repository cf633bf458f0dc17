import type { CityModel } from '#contract/assets.ts';

/** Which segments feed into (upstream) and lead out of (downstream) each segment. */
export interface SegmentGraph {
  upstream: Map<string, string[]>;
  downstream: Map<string, string[]>;
}

// Endpoints are matched on rounded coordinates (~1 m), so a city file written elsewhere still joins up.
const key = ([lon, lat]: readonly number[]) => `${lon.toFixed(5)},${lat.toFixed(5)}`;

/** Builds the topology from shared endpoints: a segment's upstream ones end where it starts. */
export function segmentGraph(city: Pick<CityModel, 'segments'>): SegmentGraph {
  const endingAt = new Map<string, string[]>();
  for (const s of city.segments) {
    const k = key(s.coords[s.coords.length - 1]);
    const list = endingAt.get(k);
    if (list) list.push(s.id);
    else endingAt.set(k, [s.id]);
  }
  const upstream = new Map<string, string[]>();
  const downstream = new Map<string, string[]>();
  for (const s of city.segments) {
    upstream.set(s.id, []);
    downstream.set(s.id, []);
  }
  for (const s of city.segments) {
    for (const u of endingAt.get(key(s.coords[0])) ?? []) {
      if (u === s.id) continue;
      upstream.get(s.id)?.push(u);
      downstream.get(u)?.push(s.id);
    }
  }
  return { upstream, downstream };
}

/** Segments upstream of a start segment within maxHops, with their hop distance (the start is hop 0). */
export function upstreamWithin(graph: SegmentGraph, start: string, maxHops: number): Map<string, number> {
  const hops = new Map<string, number>([[start, 0]]);
  let frontier = [start];
  for (let h = 1; h <= maxHops && frontier.length > 0; h++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const u of graph.upstream.get(id) ?? []) {
        if (hops.has(u)) continue;
        hops.set(u, h);
        next.push(u);
      }
    }
    frontier = next;
  }
  return hops;
}
