import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import type { AlarmItem } from '#contract/alarms.ts';
import type { CityModel } from '#contract/assets.ts';
import type { Role } from '#contract/auth.ts';
import type { MyReportView } from '#contract/incidentsApi.ts';
import type {
  AlertItem,
  BBox,
  ClientToServerEvents,
  Delta,
  LayerItems,
  LiveStats,
  ServerToClientEvents,
  Snapshot,
  SubscribeAck,
} from '#contract/live.ts';
import type { FieldTask } from '#contract/units.ts';
import { LAYERS, type LayerName } from '#contract/vocab.ts';
import type { AuditLog } from '../domain/audit.ts';
import type { CityState } from '../domain/cityState.ts';
import { isOwnOrigin } from '../domain/origin.ts';
import type { SessionCheck } from '../domain/session.ts';
import { Coalescer } from './coalescer.ts';
import { TokenBucket } from './tokenBucket.ts';

const SubscribeSchema = z.object({
  layers: z.array(z.enum(LAYERS)).min(1).max(LAYERS.length),
  bbox: z
    .tuple([
      z.number().min(-180).max(180),
      z.number().min(-90).max(90),
      z.number().min(-180).max(180),
      z.number().min(-90).max(90),
    ])
    .refine(([w, s, e, n]) => w <= e && s <= n, 'bbox must be [west, south, east, north]')
    .optional(),
  resume: z.partialRecord(z.enum(LAYERS), z.number().int().nonnegative()).optional(),
});

/**
 * How far back a resume reaches into this instance's deltas before the client's last one: deltas are
 * stamped by the clock of the instance that sent them, and a change reaches the other instances (through
 * the adapter) and their next flush within a few hundred milliseconds.
 */
export const RESUME_MARGIN_MS = 2000;

interface SocketData {
  layers: LayerName[];
  bbox?: BBox;
  /** who is connected (set by the handshake check), and the token to check again */
  user?: { sessionId: string; userId: string; username: string; role: Role };
  token?: string;
  /** since when more than `slowBytes` have been waiting to go to this client */
  slowSince?: number;
}

/** Why the gateway dropped a client (the `reason` of `ioc_live_dropped_clients_total`). */
export const LIVE_DROP_REASONS = ['flooding', 'buffer_full', 'stalled'] as const;
export type LiveDropReason = (typeof LIVE_DROP_REASONS)[number];

/** What one connection may cost the server. */
export interface LiveLimits {
  /** socket calls a connection may make at once, and per second after that */
  callBurst: number;
  callsPerSec: number;
  /** calls refused in a row after which the connection is dropped as flooding */
  floodRefusals: number;
  /** bytes waiting to go to a client past which it is sent no deltas (it resubscribes after the gap) */
  slowBytes: number;
  /** bytes waiting past which the client is dropped (it reconnects and starts from a snapshot) */
  maxBytes: number;
  /** how long a client may stay past `slowBytes` before it is dropped */
  stallMs: number;
}

/**
 * A console subscribes on connect and after a gap, a map client perhaps on each move: 20 at once and 5 a
 * second is plenty; a snapshot is ~95 KB, so 1 MiB behind is ten of them, 8 MiB a client that does not read.
 */
export const LIVE_LIMITS: LiveLimits = {
  callBurst: 20,
  callsPerSec: 5,
  floodRefusals: 50,
  slowBytes: 1 << 20,
  maxBytes: 8 << 20,
  stallMs: 30_000,
};

/** How the gateway checks who connects (server/auth); left out, anyone may (tests of the gateway alone). */
export interface LiveAuth {
  check(token: string | undefined, activity: boolean): Promise<SessionCheck>;
  tokenFrom(headers: { cookie?: string; authorization?: string }): string | undefined;
  onRevoked(fn: (sessionIds: string[]) => void): void;
  mayView(role: Role, layer: LayerName): boolean;
  /** origins besides our own that may connect */
  allowedOrigins: string[];
  audit: AuditLog;
  /** how often open connections' sessions are checked again */
  recheckMs?: number;
}

type CoalescedLayer = 'traffic' | 'cameras' | 'incidents' | 'units';
/** Layers every subscriber gets whole, whatever its bbox: the console lists them (an alarm may have no place). */
const UNBOXED: ReadonlySet<LayerName> = new Set(['alerts', 'alarms']);

/**
 * Layers a client may resume: those whose changes reach every instance through the adapter at once.
 * Alerts come one by one (the snapshot holds the recent ones); each instance reads alarms from the
 * database on its own schedule, so another instance's history of them may not line up with the client's.
 */
const RESUMABLE: ReadonlySet<LayerName> = new Set(['traffic', 'cameras', 'incidents', 'units']);

/** Between instances (through the adapter): changes ingested elsewhere, applied and pushed here with our own seq. */
interface InterServerEvents {
  'ioc:items': (layer: CoalescedLayer, items: LayerItems[CoalescedLayer][]) => void;
  'ioc:alert': (a: AlertItem) => void;
  /** an instance whose link was broken asks the others for their own changes since then (its clock) */
  'ioc:resync': (since: number) => void;
}

/**
 * The adapter's link to the other instances (server/live/redisAdapter.ts), which may break: what is
 * sent meanwhile is dropped, not queued (memory stays bounded), and made good by a replay when it works again.
 */
export interface AdapterLink {
  /** since when the link has been broken; undefined while it works */
  downSince(): number | undefined;
  /** `fn(since)` once the link works again after a break noticed at `since` */
  onRestored(fn: (since: number) => void): void;
}

/**
 * A replay reaches this far before the break was noticed: what was sent just before may not have
 * reached the others (their end may have broken first), and the instances' clocks differ a little.
 */
export const REPLAY_MARGIN_MS = 10_000;
/** Own changes kept for replays (latest per item, so bounded by the city's items): this long while the link works... */
const OWN_KEEP_MS = 15 * 60_000;
/** ...and at most this many per layer, whatever the break's length */
const OWN_MAX_ITEMS = 100_000;
/** replays asked for within this time (every instance asks when a Redis comes back) go out as one */
const REPLAY_DEBOUNCE_MS = 500;
/** items per message of a replay */
const REPLAY_CHUNK = 1000;

type IocSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface LiveGatewayOptions {
  httpServer: HttpServer;
  state: CityState;
  city: () => CityModel;
  flushMs: number;
  /** pushed to every client every few seconds */
  stats: () => Omit<LiveStats, 'ts' | 'liveClients'>;
  statsEveryMs?: number;
  recentAlertsMax?: number;
  /** Socket.IO adapter for several instances (from the composition root) */
  adapter?: Parameters<Server['adapter']>[0];
  log: { warn(obj: object, msg: string): void };
  auth?: LiveAuth;
  limits?: Partial<LiveLimits>;
  /** a client was dropped (for the metrics) */
  onDrop?: (reason: LiveDropReason) => void;
  /** how long this instance keeps its deltas for clients that resume (default 2 minutes) */
  resumeWindowMs?: number;
  /** how far before the client's last delta a resume reaches (default RESUME_MARGIN_MS) */
  resumeMarginMs?: number;
  /** the adapter's link, when it can break (Redis): changes made here during a break are replayed after it */
  link?: AdapterLink;
  /** items kept per layer for resumes at most (default 200,000): past it the window shrinks */
  resumeMaxItems?: number;
}

/** The deltas of one layer flushed lately, for clients that resume; complete from `from` on. */
interface LayerHistory {
  deltas: Delta[];
  items: number;
  from: number;
}

/** Socket.IO per the contract: `subscribe` → snapshot; coalesced `delta`s with a per-layer seq; `alert`; `stats`. */
export class LiveGateway {
  readonly io: Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
  private readonly coalescer = new Coalescer();
  private readonly alerts: AlertItem[] = [];
  /** the `alarms` layer: every alarm not in `normal` (each instance reads them from the database, the truth) */
  private readonly alarms = new Map<string, AlarmItem>();
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlush = 0;
  private readonly statsTimer: NodeJS.Timeout;
  private boxes:
    | { seg: Map<string, BBox>; point: Map<string, [number, number]>; city: CityModel }
    | undefined;
  deltasSent = 0;
  /** layer snapshots built (each is shared by every subscribe meanwhile) */
  snapshotsBuilt = 0;
  private recheckTimer: NodeJS.Timeout | undefined;
  private readonly limits: LiveLimits;
  private readonly snapshots = new Map<
    LayerName,
    { seq: number; at: number; items: Array<{ id: string }> }
  >();
  /** dropped, and not yet gone from the server's list */
  private readonly dropping = new WeakSet<IocSocket>();
  private readonly history = new Map<LayerName, LayerHistory>();
  private readonly startedAt = Date.now();
  /** subscribes answered with the changes since the client's last delta, and with whole layers */
  resumes = { resumed: 0, snapshot: 0 };
  /** this instance's own changes, latest per item (a Map keeps the order of their last change), for replays */
  private readonly own = new Map<CoalescedLayer, Map<string, { item: { id: string }; at: number }>>();
  private readonly ownAlerts: AlertItem[] = [];
  private replayTimer: NodeJS.Timeout | undefined;
  private replaySince = Infinity;
  /** replays sent to the other instances, and the items and alerts in them */
  replayed = { replays: 0, items: 0 };

  constructor(private readonly o: LiveGatewayOptions) {
    this.limits = { ...LIVE_LIMITS, ...o.limits };
    this.io = new Server(o.httpServer, {
      serveClient: false,
      maxHttpBufferSize: 64 * 1024,
      // a recovered connection passes the session check again: a revoked login must not slip back in
      connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: false },
      ...(o.adapter ? { adapter: o.adapter } : {}),
      ...(o.auth ? { allowRequest: originCheck(o.auth.allowedOrigins) } : {}),
    });
    if (o.auth) this.guard(o.auth);
    this.io.on('connection', (socket) => this.onConnection(socket));
    if (o.adapter) {
      this.io.on('ioc:items', (layer, items) => {
        // (a replay repeats items, perhaps older than those held since: consoles get only what is taken)
        const taken = o.state.applyItems(layer, items);
        if (!taken.length) return;
        this.coalescer.add(layer, taken);
        this.scheduleFlush();
      });
      this.io.on('ioc:alert', (a) => {
        if (!this.alerts.some((x) => x.id === a.id)) this.pushAlert(a, false);
      });
      this.io.on('ioc:resync', (since) => this.scheduleReplay(since));
      o.link?.onRestored((since) => {
        const from = since - REPLAY_MARGIN_MS;
        // ours to the others, and theirs to us: our subscription was down too, perhaps longer
        this.scheduleReplay(from);
        this.io.serverSideEmit('ioc:resync', from);
      });
    }
    this.statsTimer = setInterval(() => this.pushStats(), o.statsEveryMs ?? 2000);
    this.statsTimer.unref();
  }

  /** Queues changed items; they go out with the next flush (and to the other instances, if any). */
  push<L extends CoalescedLayer>(layer: L, items: LayerItems[L][]): void {
    if (!items.length) return;
    this.coalescer.add(layer, items);
    this.scheduleFlush();
    if (!this.o.adapter) return;
    this.keepOwn(layer, items);
    // while the link is broken it would be dropped: the replay after the break carries it
    if (this.o.link?.downSince() === undefined) this.io.serverSideEmit('ioc:items', layer, items);
  }

  /**
   * Changed alarms: those in `normal` leave the layer (the delta still carries them, so consoles
   * drop them). Not relayed to other instances: each one follows the database itself.
   */
  pushAlarms(items: AlarmItem[]): void {
    if (!items.length) return;
    for (const a of items) {
      if (a.state === 'normal') this.alarms.delete(a.id);
      else this.alarms.set(a.id, a);
    }
    this.coalescer.add('alarms', items);
    this.scheduleFlush();
  }

  /** Sends an alert at once to those subscribed to alerts. */
  pushAlert(a: AlertItem, local = true): void {
    if (local && this.o.adapter) {
      this.ownAlerts.push(a);
      if (this.ownAlerts.length > (this.o.recentAlertsMax ?? 100)) this.ownAlerts.shift();
      if (this.o.link?.downSince() === undefined) this.io.serverSideEmit('ioc:alert', a);
    }
    this.alerts.push(a);
    if (this.alerts.length > (this.o.recentAlertsMax ?? 100)) this.alerts.shift();
    this.coalescer.nextSeq('alerts');
    this.io.local.to(room('alerts')).emit('alert', a);
  }

  /**
   * One field report changed: to every connection of the account that filed it, on every instance (the
   * change happened on this one only: a console's step, or an operator's note).
   */
  pushReport(ownerUserId: string, r: MyReportView): void {
    this.io.to(userRoom(ownerUserId)).emit('report:changed', r);
  }

  /**
   * Sends a task to the sockets of one account (a unit's field phone), on every instance: each socket
   * joins its account's room when it connects.
   */
  pushTask(account: string, task: FieldTask): void {
    this.io.to(accountRoom(account)).emit('task:changed', task);
  }

  clientCount(): number {
    return this.io.engine.clientsCount;
  }

  /** Keeps the latest of each own item, dropping those past the keep time (unless the link is down since before) or the bound. */
  private keepOwn(layer: CoalescedLayer, items: Array<{ id: string }>): void {
    let m = this.own.get(layer);
    if (!m) {
      m = new Map();
      this.own.set(layer, m);
    }
    const now = Date.now();
    for (const item of items) {
      m.delete(item.id);
      m.set(item.id, { item, at: now });
    }
    const down = this.o.link?.downSince();
    const oldest = Math.min(now - OWN_KEEP_MS, down === undefined ? Infinity : down - REPLAY_MARGIN_MS);
    for (const [id, e] of m) {
      if (e.at >= oldest && m.size <= OWN_MAX_ITEMS) break;
      m.delete(id);
    }
  }

  /** A replay of own changes since `since` soon; asked again meanwhile, one replay from the earliest. */
  private scheduleReplay(since: number): void {
    this.replaySince = Math.min(this.replaySince, since);
    if (this.replayTimer) return;
    this.replayTimer = setTimeout(() => {
      this.replayTimer = undefined;
      const from = this.replaySince;
      this.replaySince = Infinity;
      // broken again meanwhile: the next restoration replays from its own (earlier) start
      if (this.o.link?.downSince() !== undefined) return;
      this.replay(from);
    }, REPLAY_DEBOUNCE_MS);
    this.replayTimer.unref();
  }

  /** Sends the other instances this instance's own changes since `since`, latest per item; older ones they ignore. */
  private replay(since: number): void {
    let n = 0;
    for (const [layer, m] of this.own) {
      const items = [...m.values()].filter((e) => e.at >= since).map((e) => e.item);
      for (let i = 0; i < items.length; i += REPLAY_CHUNK)
        this.io.serverSideEmit(
          'ioc:items',
          layer,
          items.slice(i, i + REPLAY_CHUNK) as LayerItems[CoalescedLayer][],
        );
      n += items.length;
    }
    for (const a of this.ownAlerts) {
      if (a.ts < since) continue;
      this.io.serverSideEmit('ioc:alert', a);
      n++;
    }
    this.replayed.replays++;
    this.replayed.items += n;
    this.o.log.warn(
      { since: new Date(since).toISOString(), items: n },
      'replayed own changes to the other instances',
    );
  }

  /**
   * At most one flush per `flushMs`, on the leading edge: a change after a quiet spell goes out at
   * once, a stream of changes goes out every `flushMs`.
   */
  private scheduleFlush(): void {
    if (this.flushTimer) return;
    const wait = Math.max(0, this.lastFlush + this.o.flushMs - Date.now());
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, wait);
  }

  /** Emits pending deltas now (also called by the timer). */
  flush(now = Date.now()): void {
    this.lastFlush = now;
    const deltas = this.coalescer.flush(now);
    if (deltas.length === 0) return;
    for (const d of deltas) this.remember(d, now);
    const slow = this.laggards(now);
    for (const d of deltas) {
      // clients without a bbox get the whole delta in one broadcast (kept for connection-state recovery);
      // local: each instance numbers its own deltas, so a browser sees one unbroken seq
      this.io.local
        .to(room(d.layer))
        .except(['bbox', ...slow])
        .emit('delta', d);
      this.deltasSent++;
    }
    const boxed = this.io.sockets.adapter.rooms.get('bbox');
    if (!boxed?.size) return;
    const skip = new Set(slow);
    for (const id of boxed) {
      const s = this.io.sockets.sockets.get(id);
      if (!s?.data.bbox || skip.has(id)) continue;
      for (const d of deltas) {
        if (!s.data.layers.includes(d.layer)) continue;
        if (UNBOXED.has(d.layer)) {
          s.emit('delta', d);
          continue;
        }
        const items = (d.items as Array<{ id: string }>).filter((it) =>
          this.inBox(d.layer, it, s.data.bbox!),
        );
        if (items.length) s.emit('delta', { ...d, items } as Delta);
      }
    }
  }

  async close(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.replayTimer) clearTimeout(this.replayTimer);
    clearInterval(this.statsTimer);
    if (this.recheckTimer) clearInterval(this.recheckTimer);
    // closes the connections underneath rather than disconnecting each socket: a client then sees
    // 'transport close' and any Socket.IO client reconnects by itself ('io server disconnect' it does not retry)
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }

  /** The handshake needs a good session; sessions that end (revoked here, or found ended on a re-check) drop their sockets. */
  private guard(a: LiveAuth): void {
    this.io.use(async (socket, next) => {
      const headers = socket.handshake.headers;
      const fromAuth = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      const token = typeof fromAuth === 'string' && fromAuth ? fromAuth : a.tokenFrom(headers);
      try {
        const c = await a.check(token, true);
        if (!c.ok) {
          a.audit.record({
            actor: null,
            role: null,
            ip: socket.handshake.address,
            action: 'socket.denied',
            outcome: 'denied',
            details: { reason: c.reason },
          });
          const err = new Error('unauthenticated') as Error & { data?: unknown };
          err.data = { code: 'unauthenticated', reason: c.reason };
          return next(err);
        }
        socket.data.user = {
          sessionId: c.auth.sessionId,
          userId: c.auth.user.id,
          username: c.auth.user.username,
          role: c.auth.role,
        };
        socket.data.token = token;
        next();
      } catch (err) {
        next(err as Error);
      }
    });
    a.onRevoked((ids) => {
      const set = new Set(ids);
      for (const s of this.io.sockets.sockets.values())
        if (s.data.user && set.has(s.data.user.sessionId)) this.endSession(s, 'revoked');
    });
    // logins ended on another instance (or by a timeout) are found by checking again: within a minute
    this.recheckTimer = setInterval(() => {
      for (const s of this.io.sockets.sockets.values()) {
        if (!s.data.user) continue;
        // an open live console counts as activity: a wall display is unattended by design
        a.check(s.data.token, true).then(
          (c) => {
            if (!c.ok) this.endSession(s, c.reason);
            else if (c.auth.role !== s.data.user?.role) this.endSession(s, 'role_changed');
          },
          (err) => this.o.log.warn({ err }, 'checking a live session failed'),
        );
      }
    }, a.recheckMs ?? 20_000);
    this.recheckTimer.unref();
  }

  private endSession(s: IocSocket, reason: string): void {
    s.emit('session_ended', { code: 'unauthenticated', reason });
    s.disconnect(true);
  }

  private onConnection(socket: IocSocket): void {
    const l = this.limits;
    // the account's own reports come to every connection of it (v1.6), whatever it subscribes to
    if (socket.data.user) socket.join(userRoom(socket.data.user.userId));
    const bucket = new TokenBucket(l.callBurst, l.callsPerSec);
    let refused = 0;
    socket.use(([event, ...args], next) => {
      if (bucket.take()) {
        refused = 0;
        return next();
      }
      const ack = args[args.length - 1];
      if (typeof ack === 'function')
        ack({
          ok: false,
          error: { code: 'rate_limited', message: `at most ${l.callsPerSec} calls a second` },
        } satisfies SubscribeAck);
      if (++refused === l.floodRefusals) this.dropFlooding(socket, event);
    });
    // an account's own pushes (a field unit's tasks) need no subscription: the login says whose they are
    if (socket.data.user) socket.join(accountRoom(socket.data.user.username));
    socket.on('disconnect', () => {
      if (!this.dropping.has(socket)) return;
      // a dropped client starts again from a snapshot: a replay of all it missed (connection-state
      // recovery, up to two minutes of deltas) is the backlog it could not take in the first place
      const sessions = (socket.nsp.adapter as unknown as { sessions?: Map<string, unknown> }).sessions;
      const pid = (socket as unknown as { pid?: string }).pid;
      if (pid) sessions?.delete(pid);
    });
    socket.on('subscribe', (req, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      const r = SubscribeSchema.safeParse(req);
      if (!r.success) {
        const i = r.error.issues[0];
        reply({
          ok: false,
          error: { code: 'bad_request', message: `${i.path.join('.') || 'request'}: ${i.message}` },
        });
        return;
      }
      const { layers, bbox } = r.data;
      const a = this.o.auth;
      const user = socket.data.user;
      if (a && user) {
        const refused = layers.filter((l) => !a.mayView(user.role, l));
        if (refused.length) {
          a.audit.record({
            actor: user.username,
            role: user.role,
            ip: socket.handshake.address,
            action: 'socket.denied',
            target: `subscribe ${refused.join(',')}`,
            outcome: 'denied',
          });
          reply({
            ok: false,
            error: { code: 'forbidden', message: `the ${user.role} role may not see: ${refused.join(', ')}` },
          });
          return;
        }
      }
      for (const l of LAYERS) {
        if (layers.includes(l)) socket.join(room(l));
        else socket.leave(room(l));
      }
      if (bbox) socket.join('bbox');
      else socket.leave('bbox');
      socket.data.layers = layers;
      socket.data.bbox = bbox as BBox | undefined;
      reply(this.snapshot(layers, bbox as BBox | undefined, r.data.resume));
      this.laggard(socket, Date.now());
    });
  }

  private snapshot(
    layers: LayerName[],
    bbox?: BBox,
    resume?: Partial<Record<LayerName, number>>,
  ): SubscribeAck {
    const now = Date.now();
    const snap: Snapshot = {};
    const changes: Snapshot = {};
    const seq: Partial<Record<LayerName, number>> = {};
    for (const l of layers) {
      // state already holds changes still pending in the coalescer; the next delta repeats them, harmlessly
      seq[l] = this.coalescer.seq(l);
      const since = resume?.[l];
      const changed = since === undefined ? undefined : this.changesSince(l, since);
      const all = changed ?? this.layerItems(l, seq[l], now);
      const items = bbox && !UNBOXED.has(l) ? all.filter((it) => this.inBox(l, it, bbox)) : all;
      (changed ? (changes as Record<LayerName, unknown>) : (snap as Record<LayerName, unknown>))[l] = items;
      if (since !== undefined) this.resumes[changed ? 'resumed' : 'snapshot']++;
    }
    return {
      ok: true,
      snapshot: snap,
      ...(Object.keys(changes).length ? { changes } : {}),
      seq,
      serverTime: now,
    };
  }

  /** Keeps a flushed delta for clients that resume, dropping what is past the window or the item bound. */
  private remember(d: Delta, now: number): void {
    let h = this.history.get(d.layer);
    if (!h) {
      h = { deltas: [], items: 0, from: this.startedAt };
      this.history.set(d.layer, h);
    }
    h.deltas.push(d);
    h.items += d.items.length;
    const oldest = now - (this.o.resumeWindowMs ?? 2 * 60_000);
    const maxItems = this.o.resumeMaxItems ?? 200_000;
    let drop = 0;
    while (drop < h.deltas.length - 1 && (h.deltas[drop].ts < oldest || h.items > maxItems)) {
      h.items -= h.deltas[drop].items.length;
      h.from = h.deltas[drop].ts;
      drop++;
    }
    if (drop) h.deltas.splice(0, drop);
  }

  /**
   * The items of a layer changed since `since` (a delta's `ts`, perhaps another instance's), latest
   * state per id, from this instance's own deltas; undefined when they do not reach back that far
   * (this instance started later, or the window has passed): the client then gets the whole layer.
   */
  private changesSince(l: LayerName, since: number): Array<{ id: string }> | undefined {
    if (!RESUMABLE.has(l)) return undefined;
    const from = since - (this.o.resumeMarginMs ?? RESUME_MARGIN_MS);
    const h = this.history.get(l);
    if (from < (h?.from ?? this.startedAt)) return undefined;
    const latest = new Map<string, { id: string }>();
    for (const d of h?.deltas ?? []) {
      if (d.ts < from) continue;
      for (const it of d.items as Array<{ id: string }>) {
        latest.delete(it.id);
        latest.set(it.id, it);
      }
    }
    return [...latest.values()];
  }

  /**
   * A layer's items as of `seq`, built once and shared by every subscribe until the layer changes
   * (a reconnect storm, or a client asking over and over, costs one list); at most a second old, as
   * closed incidents leave the layer with time.
   */
  private layerItems(l: LayerName, seq: number, now: number): Array<{ id: string }> {
    const had = this.snapshots.get(l);
    if (had && had.seq === seq && now - had.at < 1000) return had.items;
    const items: Array<{ id: string }> =
      l === 'traffic'
        ? [...this.o.state.traffic.values()]
        : l === 'cameras'
          ? [...this.o.state.cameras.values()]
          : l === 'incidents'
            ? this.o.state.liveIncidents(now)
            : l === 'alarms'
              ? [...this.alarms.values()]
              : l === 'units'
                ? [...this.o.state.units.values()].filter((u) => u.onDuty)
                : [...this.alerts].reverse();
    this.snapshots.set(l, { seq, at: now, items });
    this.snapshotsBuilt++;
    return items;
  }

  private pushStats(): void {
    const slow = this.laggards(Date.now());
    this.io.local
      .except(slow)
      .emit('stats', { ts: Date.now(), liveClients: this.clientCount(), ...this.o.stats() });
  }

  /** The ids of clients too far behind to be sent more now; those too far behind, or for too long, are dropped. */
  private laggards(now: number): string[] {
    const slow: string[] = [];
    for (const s of this.io.sockets.sockets.values()) if (this.laggard(s, now)) slow.push(s.id);
    return slow;
  }

  private laggard(s: IocSocket, now: number): boolean {
    if (this.dropping.has(s)) return true;
    const bytes = backlogBytes(s);
    if (bytes <= this.limits.slowBytes) {
      s.data.slowSince = undefined;
      return false;
    }
    s.data.slowSince ??= now;
    if (bytes > this.limits.maxBytes) this.dropSlow(s, 'buffer_full', bytes);
    else if (now - s.data.slowSince > this.limits.stallMs) this.dropSlow(s, 'stalled', bytes);
    return true;
  }

  /** Ends the connection underneath at once, its unsent buffer with it; the client reconnects by itself. */
  private dropSlow(s: IocSocket, reason: LiveDropReason, bytes: number): void {
    this.dropping.add(s);
    this.o.onDrop?.(reason);
    this.o.log.warn({ user: s.data.user?.username, reason, bytes }, 'live client dropped: it does not read');
    const t = s.conn.transport as unknown as { name: string; socket?: { terminate?: () => void } };
    // (a WebSocket close handshake would wait behind the very buffer the client does not read)
    if (t.name === 'websocket' && t.socket?.terminate) t.socket.terminate();
    else s.conn.close(true);
  }

  /** A client that keeps calling past its limit is disconnected for good: a Socket.IO client does not retry that. */
  private dropFlooding(s: IocSocket, event: string): void {
    this.dropping.add(s);
    this.o.onDrop?.('flooding');
    const user = s.data.user;
    this.o.log.warn({ user: user?.username, event }, 'live client dropped: too many calls');
    this.o.auth?.audit.record({
      actor: user?.username ?? null,
      role: user?.role ?? null,
      ip: s.handshake.address,
      action: 'socket.flooding',
      target: event,
      outcome: 'denied',
      details: { refused: this.limits.floodRefusals },
    });
    s.disconnect(true);
  }

  private inBox(
    layer: LayerName,
    it: { id: string; lon?: number; lat?: number },
    [w, s, e, n]: BBox,
  ): boolean {
    const b = this.index();
    if (layer === 'traffic') {
      const sb = b.seg.get(it.id);
      return !!sb && sb[0] <= e && sb[2] >= w && sb[1] <= n && sb[3] >= s;
    }
    const p: [number, number] | undefined =
      layer === 'cameras'
        ? b.point.get(it.id)
        : it.lon !== undefined && it.lat !== undefined
          ? [it.lon, it.lat]
          : undefined;
    return !!p && p[0] >= w && p[0] <= e && p[1] >= s && p[1] <= n;
  }

  private index() {
    const city = this.o.city();
    if (this.boxes?.city === city) return this.boxes;
    const seg = new Map<string, BBox>();
    for (const sgm of city.segments) {
      let w = Infinity;
      let s = Infinity;
      let e = -Infinity;
      let n = -Infinity;
      for (const [x, y] of sgm.coords) {
        w = Math.min(w, x);
        e = Math.max(e, x);
        s = Math.min(s, y);
        n = Math.max(n, y);
      }
      seg.set(sgm.id, [w, s, e, n]);
    }
    const point = new Map<string, [number, number]>(city.cameras.map((c) => [c.id, [c.lon, c.lat]]));
    this.boxes = { seg, point, city };
    return this.boxes;
  }
}

const room = (l: LayerName) => `layer:${l}`;
/** The connections of one account (its field reports are pushed there). */
const userRoom = (userId: string) => `user:${userId}`;
/** The connections of one account by its username (a unit's tasks are pushed there). */
const accountRoom = (account: string) => `account:${account.toLowerCase()}`;

/** Bytes queued for a client and not yet handed to the kernel: engine.io's write buffer, then the WebSocket's. */
function backlogBytes(s: IocSocket): number {
  const conn = s.conn as unknown as {
    writeBuffer?: Array<{ data?: string | ArrayBufferView }>;
    transport?: { socket?: { bufferedAmount?: number } };
  };
  let n = 0;
  for (const p of conn.writeBuffer ?? [])
    n += typeof p.data === 'string' ? p.data.length : (p.data?.byteLength ?? 0);
  return n + (conn.transport?.socket?.bufferedAmount ?? 0);
}

/** Socket.IO's `allowRequest`: a browser on another site may connect only if its origin is allowed. */
function originCheck(allowed: string[]) {
  const ok = new Set(allowed);
  return (
    req: import('node:http').IncomingMessage,
    cb: (err: string | null | undefined, ok: boolean) => void,
  ) => {
    const origin = req.headers.origin;
    if (!origin || ok.has(origin)) return cb(null, true);
    const own = isOwnOrigin(origin, req.headers.host);
    cb(own ? null : 'origin not allowed', own);
  };
}
