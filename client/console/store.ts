import { signal } from '@preact/signals';
import type { IndicatorDomain } from '#contract/indicatorVocab.ts';
import type { ConnectionStatus } from '../live/liveClient.ts';
import type { HeatPeriod } from '../map/layers/heatLayer.ts';

export type LayerKey =
  | 'traffic'
  | 'cameras'
  | 'incidents'
  | 'heat'
  | 'labels'
  | 'alarms'
  | 'hotspots'
  | 'units';
export const LAYER_KEYS: LayerKey[] = [
  'traffic',
  'cameras',
  'incidents',
  'heat',
  'labels',
  'alarms',
  'hotspots',
  'units',
];

/** What the side panel shows: a thing on the map, or a province service's panel (issue 14). */
export type Selection =
  | { kind: 'segment' | 'camera' | 'incident' | 'unit'; id: string }
  | { kind: 'service'; id: IndicatorDomain }
  /** information security (issue 15): operators and admins */
  | { kind: 'security'; id: 'soc' }
  | null;

const LAYERS_KEY = 'ioc.layers';
const QUEUE_KEY = 'ioc.queue';

function readFlag(key: string): boolean {
  try {
    return localStorage.getItem(key) === '1';
  } catch {
    return false;
  }
}

export function toggleQueue(): void {
  queueOpen.value = !queueOpen.value;
  try {
    localStorage.setItem(QUEUE_KEY, queueOpen.value ? '1' : '0');
  } catch {
    // not remembered
  }
}
const DEFAULT_LAYERS: Record<LayerKey, boolean> = {
  traffic: true,
  cameras: true,
  incidents: true,
  heat: false,
  labels: true,
  alarms: true,
  hotspots: true,
  units: true,
};

function savedLayers(): Record<LayerKey, boolean> {
  try {
    const raw = localStorage.getItem(LAYERS_KEY);
    if (raw) return { ...DEFAULT_LAYERS, ...(JSON.parse(raw) as Partial<Record<LayerKey, boolean>>) };
  } catch {
    // unreadable: defaults
  }
  return { ...DEFAULT_LAYERS };
}

export const conn = signal<ConnectionStatus>('connecting');
/** browser time when the connection was last live: what the "data frozen at" banner shows */
export const lastLiveAt = signal<number>(0);
export const layers = signal<Record<LayerKey, boolean>>(savedLayers());
export const heatPeriod = signal<HeatPeriod>('24h');
export const selection = signal<Selection>(null);
export const wall = signal<boolean>(new URLSearchParams(location.search).has('wall'));
export const help = signal<boolean>(false);
/** the incident queue panel (key I) */
export const queueOpen = signal<boolean>(readFlag(QUEUE_KEY));
/** bumped (a few times a second at most) when live data changed: panels and KPIs re-read */
export const liveTick = signal(0);
/** bumped when the feed changed */
export const feedTick = signal(0);
/** the wall clock, once a second */
export const clock = signal(Date.now());

export function toggleLayer(k: LayerKey): void {
  layers.value = { ...layers.value, [k]: !layers.value[k] };
  try {
    localStorage.setItem(LAYERS_KEY, JSON.stringify(layers.value));
  } catch {
    // not remembered
  }
}
