import { signal } from '@preact/signals';
import { LOCAL_OFFSET_MS } from '#contract/cityTime.ts';
import type { Delta } from '#contract/live.ts';
import {
  REPLAY_MAX_CHANGES_MS,
  REPLAY_STEP_MS,
  type ReplayChanges,
  type ReplayMarker,
  type ReplayMarkers,
  type ReplayState,
} from '#contract/replayApi.ts';
import type { LiveClient } from '../live/liveClient.ts';
import type { LiveState, SavedState } from '../live/liveState.ts';
import { apiFetch } from '../shared/session.ts';

// The console rewound (issue 16): the replay borrows the live state object, so the map, the tiles, the
// feed and the panels draw the past through the one path they draw the present with. Two sources of
// changes: the live stream (held meanwhile, applied on return) and the replay's (a snapshot per seek,
// then the stored changes played in order).

export const SPEEDS = [1, 10, 60, 600] as const;
export type Speed = (typeof SPEEDS)[number];
/** The time bar spans at least this much history (more where the database holds it). */
export const DEFAULT_SPAN_MS = 7 * 86_400_000;
/** How often the cursor moves while playing. */
const TICK_MS = 200;

export interface ReplayView {
  /** the moment shown (epoch ms) */
  at: number;
  playing: boolean;
  speed: Speed;
  /** a seek or a window of changes is being fetched */
  loading: boolean;
  error: string | null;
  /** what the replay's ingest tile shows (traffic readings per second then) */
  ingestRate: number | null;
}

/** The replay, or null when the console is live. */
export const replay = signal<ReplayView | null>(null);
/** The time bar is open (key T). */
export const timeBarOpen = signal(false);
/** The stored history the bar spans and its markers. */
export const history = signal<{ from: number; to: number; markers: ReplayMarker[] } | null>(null);

/** Where the map and tiles age things from while replaying: traffic figures change every 5 minutes. */
export const dataClock = (at: number) => Math.floor(at / REPLAY_STEP_MS) * REPLAY_STEP_MS;

/**
 * A moment typed by the operator, in the city's time, as epoch ms; NaN when not understood. Takes
 * the time and the date in either order, the date as dd/mm/yyyy (as the console writes it in both
 * languages) or yyyy-mm-dd: "07:40 06/12/2026", "06/12/2026 07:40", "2026-12-06T07:40".
 */
export function parseMoment(value: string): number {
  const time = /(?:^|[\sT,])(\d{1,2}):(\d{2})(?::(\d{2}))?(?=$|[\s,])/.exec(value.trim());
  const dmy = /(?:^|\s)(\d{1,2})\/(\d{1,2})\/(\d{4})(?=$|[\s,])/.exec(value.trim());
  const ymd = /(?:^|\s)(\d{4})-(\d{2})-(\d{2})(?=$|[\sT])/.exec(value.trim());
  if (!time || !(dmy || ymd)) return Number.NaN;
  const [h, mi, s] = [Number(time[1]), Number(time[2]), Number(time[3] ?? 0)];
  const [y, mo, d] = dmy
    ? [Number(dmy[3]), Number(dmy[2]), Number(dmy[1])]
    : [Number(ymd?.[1]), Number(ymd?.[2]), Number(ymd?.[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return Number.NaN;
  const local = Date.UTC(y, mo - 1, d, h, mi, s);
  // 31/02 is not a day: Date.UTC would roll it into March
  if (new Date(local).getUTCDate() !== d) return Number.NaN;
  return local - LOCAL_OFFSET_MS;
}

/** Epoch ms as the time bar writes a moment (the city's time, to the minute, as dateTime orders it). */
export function formatMoment(ms: number, lang: 'vi' | 'en'): string {
  const iso = new Date(ms + LOCAL_OFFSET_MS).toISOString();
  const date = `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
  const time = iso.slice(11, 16);
  return lang === 'vi' ? `${time} ${date}` : `${date} ${time}`;
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await apiFetch(path, { signal });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
    throw new Error(body.error?.code ?? `http_${res.status}`);
  }
  return (await res.json()) as T;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Plays the stored history into the console's state; one per console. */
export class ReplayPlayer {
  private saved?: SavedState;
  private cursor = 0;
  /** changes fetched up to here, not yet applied ones in `pending` */
  private loadedTo = 0;
  private pending: Delta[] = [];
  private fetching?: AbortController;
  private seekSeq = 0;
  private timer?: ReturnType<typeof setInterval>;
  private lastTick = 0;

  constructor(
    private readonly state: LiveState,
    private readonly live: LiveClient,
    private readonly onUrl: (at: number | null) => void = () => undefined,
  ) {}

  /** Live changes that arrived while replaying, applied on return. */
  heldChanges(): number {
    return this.live.heldChanges();
  }

  isReplaying(): boolean {
    return this.live.isHeld();
  }

  /** Opens the bar and loads the stored range and its markers. */
  async openBar(): Promise<void> {
    timeBarOpen.value = true;
    await this.loadHistory();
  }

  async loadHistory(): Promise<void> {
    const to = this.live.isHeld() ? Date.now() : this.live.serverNow();
    const from = Math.min(to - DEFAULT_SPAN_MS, history.value?.from ?? Number.POSITIVE_INFINITY);
    try {
      const m = await getJson<ReplayMarkers>(`/api/replay/markers?from=${iso(from)}&to=${iso(to)}`);
      history.value = { from, to, markers: m.markers };
    } catch {
      history.value = { from, to, markers: [] };
    }
  }

  /** Shows the picture at `at` (clamped to the past); the first seek holds the live stream. */
  async seek(at: number): Promise<void> {
    const now = Date.now() + this.live.skewMs;
    const t = Math.min(Math.round(at), now);
    if (!this.live.isHeld()) {
      this.saved = this.state.save();
      this.live.hold(() => dataClock(this.cursor));
    }
    timeBarOpen.value = true;
    const seq = ++this.seekSeq;
    this.fetching?.abort();
    this.fetching = undefined;
    this.cursor = t;
    this.update({ at: t, loading: true, error: null });
    this.onUrl(t);
    try {
      const s = await getJson<ReplayState>(`/api/replay?at=${iso(t)}`);
      if (seq !== this.seekSeq || !this.live.isHeld()) return;
      this.pending = [];
      this.loadedTo = s.at;
      // unit positions are not replayed: a unit where it is now on a map of 07:40 would be a lie, so
      // the layer is empty meanwhile (the layer panel says why) and comes back with Live
      this.state.applySnapshot({ ...s.snapshot, alerts: [], units: [] });
      this.update({ at: this.cursor, loading: false, ingestRate: s.stats.ingestRate });
      // the bar spans the stored history where it holds more than the default week
      const h = history.value;
      if (!h || s.range.from < h.from) {
        history.value = {
          from: Math.min(s.range.from, h?.from ?? s.range.from),
          to: h?.to ?? s.range.to,
          markers: h?.markers ?? [],
        };
        void this.loadHistory();
      }
    } catch (err) {
      if (seq !== this.seekSeq) return;
      this.update({ loading: false, error: (err as Error).message });
    }
  }

  play(): void {
    if (!replay.value) return;
    this.update({ playing: true });
    this.lastTick = performance.now();
    clearInterval(this.timer);
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  pause(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (replay.value) this.update({ playing: false });
  }

  togglePlay(): void {
    if (replay.value?.playing) this.pause();
    else this.play();
  }

  setSpeed(speed: Speed): void {
    this.update({ speed });
  }

  /** Five minutes back or forward (a seek: the picture then, exactly). */
  step(dir: -1 | 1): void {
    const at = (replay.value?.at ?? this.live.serverNow()) + dir * REPLAY_STEP_MS;
    void this.seek(at);
  }

  /** Back to now: the state as it was left, then the live deltas that came meanwhile. */
  goLive(): void {
    this.pause();
    this.seekSeq++;
    this.fetching?.abort();
    this.fetching = undefined;
    this.pending = [];
    if (this.saved) this.state.restore(this.saved);
    this.saved = undefined;
    this.live.release();
    replay.value = null;
    this.onUrl(null);
  }

  private update(p: Partial<ReplayView>): void {
    const cur = replay.value ?? {
      at: this.cursor,
      playing: false,
      speed: 60 as Speed,
      loading: false,
      error: null,
      ingestRate: null,
    };
    replay.value = { ...cur, ...p };
  }

  private tick(): void {
    const r = replay.value;
    if (!r?.playing) return;
    const t = performance.now();
    const dt = t - this.lastTick;
    this.lastTick = t;
    // a seek in flight: the picture is not there yet to play from
    if (r.loading && this.pending.length === 0 && this.loadedTo < this.cursor) return;
    const now = Date.now() + this.live.skewMs;
    // played past what is fetched: wait for it rather than show a moment without its changes
    const next = Math.min(this.cursor + dt * r.speed, now, Math.max(this.loadedTo, this.cursor));
    this.cursor = next;
    while (this.pending.length && this.pending[0].ts <= this.cursor)
      this.state.applyDelta(this.pending.shift() as Delta);
    this.update({ at: this.cursor });
    if (this.cursor >= now - 1000) {
      this.pause();
      return;
    }
    // keep about 30 s of play fetched ahead
    const ahead = Math.max(REPLAY_STEP_MS, r.speed * 30_000);
    if (!this.fetching && this.loadedTo < Math.min(now, this.cursor + ahead))
      void this.fetchAhead(ahead, now);
  }

  private async fetchAhead(span: number, now: number): Promise<void> {
    const from = this.loadedTo;
    const to = Math.min(now, from + Math.min(REPLAY_MAX_CHANGES_MS, Math.max(span, REPLAY_STEP_MS)));
    if (to <= from) return;
    const ac = new AbortController();
    this.fetching = ac;
    const seq = this.seekSeq;
    try {
      const c = await getJson<ReplayChanges>(
        `/api/replay/changes?from=${iso(from)}&to=${iso(to)}`,
        ac.signal,
      );
      if (seq !== this.seekSeq || this.loadedTo !== from) return;
      this.pending.push(...c.deltas);
      this.loadedTo = c.to;
    } catch (err) {
      if (!ac.signal.aborted) this.update({ error: (err as Error).message });
    } finally {
      if (this.fetching === ac) this.fetching = undefined;
    }
  }
}
