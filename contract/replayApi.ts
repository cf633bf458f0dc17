// The replay of the console (issue 16): the state of every layer at one past moment, and the changes
// between two moments shaped as the live deltas are, so the console draws both through one state.
import type { Delta, Snapshot } from './live.ts';

/** Traffic in the replay is the 5-minute aggregates': a segment's level changes at each bucket's end. */
export const REPLAY_STEP_MS = 5 * 60_000;
/** The longest span one `GET /api/replay/changes` answers (a client asks window by window). */
export const REPLAY_MAX_CHANGES_MS = 6 * 3_600_000;
/** Markers on the time bar: where incidents and alarms began. */
export const REPLAY_MAX_MARKERS = 2000;

/** `GET /api/replay?at=`: the picture at `at`. */
export interface ReplayState {
  /** the moment asked for (epoch ms) */
  at: number;
  /** traffic (from the 5-minute aggregate that ended last at or before `at`), cameras, incidents open then, alarms active then */
  snapshot: Required<Pick<Snapshot, 'traffic' | 'cameras' | 'incidents' | 'alarms'>>;
  /** figures of the KPI tiles that the layers do not carry: traffic readings stored per second in that 5-minute bucket */
  stats: { ingestRate: number | null };
  /** the stored history: the oldest and newest moment the replay can show */
  range: ReplayRange;
}

export interface ReplayRange {
  from: number;
  to: number;
}

/** `GET /api/replay/changes?from=&to=`: what changed in (from, to], oldest first, as live deltas (seq 0). */
export interface ReplayChanges {
  from: number;
  to: number;
  deltas: Delta[];
}

/** `GET /api/replay/markers?from=&to=`: where incidents and alarms began, oldest first. */
export interface ReplayMarkers {
  from: number;
  to: number;
  markers: ReplayMarker[];
  /** more began than REPLAY_MAX_MARKERS: the newest are given */
  truncated: boolean;
}

export interface ReplayMarker {
  ts: number;
  kind: 'incident' | 'alarm';
  id: string;
  /** incident severity 1–5, alarm priority 1–4 */
  level: number;
}
