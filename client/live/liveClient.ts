import { io, type Socket } from 'socket.io-client';
import type {
  AlertItem,
  ClientToServerEvents,
  Delta,
  LiveStats,
  ServerToClientEvents,
  SubscribeAck,
} from '#contract/live.ts';
import type { LayerName } from '#contract/vocab.ts';
import { isUnauthenticated } from '../shared/authPaths.ts';
import type { LiveState } from './liveState.ts';
import { checkSeq } from './seq.ts';

export type ConnectionStatus = 'connecting' | 'syncing' | 'live' | 'offline';

export interface LiveClientEvents {
  status: (s: ConnectionStatus) => void;
  stats: (s: LiveStats) => void;
  /** the server refused the socket: the session ended (logout, disabled, timed out) */
  unauthenticated: () => void;
}

const LAYERS: LayerName[] = ['traffic', 'cameras', 'incidents', 'alerts', 'alarms', 'units'];
/** Deltas kept while held (a replay); past this many, a fresh snapshot on release is cheaper. */
const HELD_MAX = 50_000;
/** Stats arrive every ~2 s: this long without any message means the server is gone. */
const SILENCE_MS = 5000;

/**
 * Owns the socket: subscribes, applies the snapshot then deltas in seq order, resubscribes after
 * a gap or a reconnect that could not be recovered, and says honestly when the data is not live.
 */
export class LiveClient {
  status: ConnectionStatus = 'connecting';
  /** server clock minus browser clock, from the last ack */
  skewMs = 0;
  /** when each layer's state was last confirmed current (browser clock) */
  readonly confirmedAt: Record<LayerName, number> = {
    traffic: 0,
    cameras: 0,
    incidents: 0,
    alerts: 0,
    alarms: 0,
    units: 0,
  };
  lastStats?: { stats: LiveStats; at: number };
  private readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  private seq: Partial<Record<LayerName, number>> = {};
  /** per layer, the server time of the last delta applied (or of the snapshot): where a resume starts */
  private since: Partial<Record<LayerName, number>> = {};
  /** how the last resync went: the changes since the last delta (on any instance), or whole layers */
  lastSync?: { at: number; resumed: LayerName[]; snapshot: LayerName[] };
  private syncing = false;
  private buffered: Delta[] = [];
  private lastMessageAt = 0;
  private watchdog?: ReturnType<typeof setInterval>;
  /** the server ended this login: no reconnecting */
  private ended = false;
  /** held (a replay shows the past): the moment shown, and what arrives meanwhile, kept for release */
  private held?: { clock: () => number; deltas: Delta[]; alerts: AlertItem[]; resync: boolean };
  private readonly handlers: { [K in keyof LiveClientEvents]: Set<LiveClientEvents[K]> } = {
    status: new Set(),
    stats: new Set(),
    unauthenticated: new Set(),
  };

  constructor(
    private readonly state: LiveState,
    url?: string,
    /** outside a browser (tools, tests): the login travels in a header, not a cookie jar */
    extraHeaders?: Record<string, string>,
  ) {
    // WebSocket only: a wall console holds one long-lived connection, and skipping the long-polling
    // handshake makes reconnection after a server restart quicker
    const opts = {
      transports: ['websocket'],
      reconnectionDelay: 300,
      reconnectionDelayMax: 2000,
      randomizationFactor: 0.2,
      ...(extraHeaders ? { extraHeaders } : {}),
    };
    this.socket = url ? io(url, opts) : io(opts);
    this.socket.on('connect', () => {
      this.lastMessageAt = Date.now();
      // a short drop within the recovery window replays what was missed, in order: keep the seqs
      if (this.socket.recovered && !this.syncing) this.setStatus('live');
      else void this.resync();
    });
    // a server shutting down closes the connections underneath ('transport close'): socket.io reconnects
    // by itself; one that disconnects this socket on purpose (a flood, an ended login) is not retried
    this.socket.on('disconnect', () => this.setStatus('offline'));
    // the server says why before it disconnects: the login behind this socket ended
    this.socket.on('session_ended', () => this.sessionEnded());
    this.socket.on('connect_error', (err) => {
      this.setStatus('offline');
      // a refused handshake is not retried by socket.io, and retrying would not help: the page decides
      if (isUnauthenticated(err)) this.sessionEnded();
    });
    this.socket.on('delta', (d) => this.onDelta(d));
    this.socket.on('alert', (a) => {
      this.heard();
      if (this.held) this.held.alerts.push(a);
      else this.state.applyAlert(a);
    });
    this.socket.on('stats', (s) => {
      this.heard();
      this.lastStats = { stats: s, at: Date.now() };
      // stats travel on the same ordered socket as the deltas: every layer is current as of now
      if (this.status === 'live') for (const l of LAYERS) this.confirmedAt[l] = Date.now();
      for (const fn of this.handlers.stats) fn(s);
    });
    this.watchdog = setInterval(() => {
      if (this.status === 'live' && Date.now() - this.lastMessageAt > SILENCE_MS) {
        this.setStatus('offline');
        // a half-open connection: drop it so socket.io reconnects and resyncs
        this.socket.disconnect().connect();
      }
    }, 1000);
  }

  on<K extends keyof LiveClientEvents>(event: K, fn: LiveClientEvents[K]): () => void {
    this.handlers[event].add(fn);
    return () => this.handlers[event].delete(fn);
  }

  /**
   * Server time now, for the age of readings stamped by the server or devices; while held, the moment
   * the state shows (a replay), so that everything drawn is aged as it was then.
   */
  serverNow(): number {
    return this.held ? this.held.clock() : Date.now() + this.skewMs;
  }

  /** Live changes kept while held, to apply on release. */
  heldChanges(): number {
    return this.held ? this.held.deltas.length + this.held.alerts.length : 0;
  }

  /** Whether the state shows the past (a replay) rather than the live stream. */
  isHeld(): boolean {
    return !!this.held;
  }

  /**
   * Stops applying the live stream to the state (a replay drives it now): what arrives meanwhile is
   * kept, in order, for `release`. `clock` is the moment the state shows.
   */
  hold(clock: () => number): void {
    if (this.held) this.held.clock = clock;
    else this.held = { clock, deltas: [], alerts: [], resync: false };
  }

  /**
   * The live stream again: the caller has put back the state as it was at `hold`; the deltas that came
   * meanwhile are applied in seq order (a gap, a reconnect or too many: a fresh snapshot instead).
   */
  release(): void {
    const h = this.held;
    if (!h) return;
    this.held = undefined;
    if (h.resync) {
      void this.resync();
      return;
    }
    for (const d of h.deltas) this.applyInOrder(d);
    for (const a of h.alerts) this.state.applyAlert(a);
  }

  close(): void {
    clearInterval(this.watchdog);
    this.socket.close();
  }

  private sessionEnded(): void {
    if (this.ended) return;
    this.ended = true;
    for (const fn of this.handlers.unauthenticated) fn();
  }

  private heard(): void {
    this.lastMessageAt = Date.now();
    if (this.status === 'offline' && this.socket.connected && !this.syncing) this.setStatus('live');
  }

  private onDelta(d: Delta): void {
    this.heard();
    if (this.held) {
      if (this.held.deltas.length >= HELD_MAX) {
        this.held.resync = true;
        this.held.deltas = [];
      } else if (!this.held.resync) this.held.deltas.push(d);
      return;
    }
    if (this.syncing) {
      this.buffered.push(d);
      return;
    }
    this.applyInOrder(d);
  }

  private applyInOrder(d: Delta): void {
    const verdict = checkSeq(this.seq[d.layer], d.seq);
    if (verdict === 'duplicate') return;
    if (verdict === 'gap') {
      void this.resync();
      return;
    }
    this.seq[d.layer] = d.seq;
    this.since[d.layer] = d.ts;
    this.state.applyDelta(d);
    this.confirmedAt[d.layer] = Date.now();
  }

  /**
   * Asks for what changed since the last delta of each layer (after a gap, or a reconnect to this or
   * another instance), or for a fresh snapshot the first time; deltas that arrive meanwhile are
   * applied after it, by seq.
   */
  private async resync(): Promise<void> {
    // held: the state shows a replay; the fresh snapshot is asked for on release
    if (this.held) {
      this.held.resync = true;
      this.held.deltas = [];
      this.setStatus(this.socket.connected ? 'live' : 'offline');
      return;
    }
    if (this.syncing) return;
    this.syncing = true;
    this.buffered = [];
    this.setStatus('syncing');
    try {
      const ack = await new Promise<SubscribeAck>((resolve, reject) => {
        this.socket
          .timeout(10_000)
          .emit(
            'subscribe',
            { layers: LAYERS, ...(Object.keys(this.since).length ? { resume: { ...this.since } } : {}) },
            (err: Error | null, res: SubscribeAck) => (err ? reject(err) : resolve(res)),
          );
      });
      if (!ack.ok) throw new Error(ack.error.message);
      this.skewMs = ack.serverTime - Date.now();
      this.seq = { ...ack.seq };
      this.state.applySnapshot(ack.snapshot);
      const changes = ack.changes ?? {};
      for (const l of Object.keys(changes) as LayerName[])
        this.state.applyDelta({
          layer: l,
          seq: ack.seq[l] ?? 0,
          ts: ack.serverTime,
          items: changes[l] ?? [],
        } as Delta);
      const now = Date.now();
      for (const l of LAYERS) {
        if (!ack.snapshot[l] && !changes[l]) continue;
        this.confirmedAt[l] = now;
        this.since[l] = ack.serverTime;
      }
      this.lastSync = {
        at: now,
        resumed: LAYERS.filter((l) => changes[l]),
        snapshot: LAYERS.filter((l) => ack.snapshot[l]),
      };
      this.syncing = false;
      const pending = this.buffered;
      this.buffered = [];
      for (const d of pending) this.applyInOrder(d);
      if (!this.syncing) this.setStatus(this.socket.connected ? 'live' : 'offline');
    } catch {
      this.syncing = false;
      this.setStatus('offline');
      // try again while the socket is up; a reconnect resyncs by itself
      if (this.socket.connected) setTimeout(() => this.socket.connected && void this.resync(), 2000);
    }
  }

  private setStatus(s: ConnectionStatus): void {
    if (s === this.status) return;
    this.status = s;
    for (const fn of this.handlers.status) fn(s);
  }
}
