import { type KeyedStore, mayGoAs, type OutboxEntry, type QueuedItem, type ServerError } from './outbox.ts';
import { backoffMs, classifyStatus, type SendOutcome } from './retry.ts';

/** One attempt's answer: HTTP status (0: the network failed) and the parsed JSON body. */
export interface PostResult {
  status: number;
  body?: unknown;
  retryAfterMs?: number;
  /** what failed, for the list: "offline", "HTTP 503" */
  failure?: string;
}

/** Why the outbox waits for the reporter rather than the network: the login ended, or may not report. */
export type AuthHalt = 'unauthenticated' | 'forbidden';

export interface SenderDeps<E extends QueuedItem = OutboxEntry> {
  store: KeyedStore<E>;
  post(entry: E): Promise<PostResult>;
  /** called once the server has the report (201, or 200 duplicate), before it leaves the outbox */
  onSent(entry: E, body: unknown): Promise<void>;
  now(): number;
  rand(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(t: unknown): void;
  /**
   * Asks whether the login may send reports again (after a halt), cheaply, without sending
   * one: `unknown` when the server could not be asked. Without it a halt lasts until reload.
   */
  authCheck?(): Promise<'ok' | AuthHalt | 'unknown'>;
  /**
   * Who is signed in now, asked of the server (the cookie may be another account's than the
   * page last saw): the account's id, null when no one is, undefined when it cannot be told.
   * Asked once per round that has reports of a named account to send; without it only
   * reports of no account go.
   */
  account?(): Promise<string | null | undefined>;
}

export interface AttemptEvent {
  id: string;
  outcome: SendOutcome;
  body?: unknown;
}

/**
 * Sends the outbox, one report at a time, oldest first. A transient failure pauses the whole
 * outbox until that report's back-off ends (the network is likely down for all of them);
 * `kick(true)` (page load, the `online` event, a new report) ends every wait now.
 * A 401 or 403 halts the outbox with every report kept: retrying cannot help until the
 * reporter logs in. Only a forced kick looks again, by `authCheck`, before sending anything.
 * A report goes only under the account that wrote it (`owner`): another account's reports
 * stay in the outbox, untouched, until their owner signs in on this phone again.
 */
export class Sender<E extends QueuedItem = OutboxEntry> {
  private running = false;
  private again = false;
  private againForced = false;
  private blockedUntil = 0;
  private timer: unknown;
  private readonly listeners = new Set<(e: AttemptEvent | null) => void>();
  /** id of the report being sent now */
  sending: string | null = null;
  /** set while the outbox waits for a login */
  halted: AuthHalt | null = null;
  /** the account signed in, as the last round learnt it: its reports (and those of no account) go */
  signedIn: string | undefined;

  constructor(private readonly d: SenderDeps<E>) {}

  /** Listens to every attempt's outcome, and to `null` when the outbox changed otherwise. */
  on(fn: (e: AttemptEvent | null) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: AttemptEvent | null): void {
    for (const fn of this.listeners) fn(e);
  }

  /** Sends what is due; `force`: what is waiting for a back-off too. Resolves when this round ends. */
  async kick(force = false): Promise<void> {
    if (this.running) {
      this.again = true;
      this.againForced ||= force;
      return;
    }
    this.running = true;
    try {
      let f = force;
      do {
        this.again = false;
        this.againForced = false;
        await this.round(f);
        f = this.againForced;
      } while (this.again);
    } finally {
      this.running = false;
      this.sending = null;
    }
    await this.schedule();
  }

  /** Stops sending until the reporter logs in (another request of the page learnt the login ended). */
  halt(reason: AuthHalt): void {
    if (this.halted === reason) return;
    this.halted = reason;
    this.stop();
    this.emit(null);
  }

  /** Whether a halted outbox may send again; false: still halted, and every waiting report is told so. */
  private async resume(force: boolean): Promise<boolean> {
    if (!this.halted) return true;
    if (!force) return false;
    const verdict = this.d.authCheck ? await this.d.authCheck() : 'unknown';
    if (verdict === 'ok') {
      this.halted = null;
      this.emit(null);
      return true;
    }
    if (verdict !== 'unknown') this.halted = verdict;
    // a report written meanwhile joins the others: its screen learns it is kept, not lost
    for (const e of await this.d.store.list())
      if (e.state === 'pending') this.emit({ id: e.id, outcome: this.halted });
    return false;
  }

  private async round(force: boolean): Promise<void> {
    if (!(await this.resume(force))) return;
    if (force) this.blockedUntil = 0;
    const now = this.d.now();
    if (this.blockedUntil > now) return;
    const due = (await this.d.store.list())
      .filter((e) => e.state === 'pending' && (force || e.nextAttemptAt <= now))
      .sort((a, b) => a.createdAt - b.createdAt);
    if (due.some((e) => e.owner)) {
      // asked before every round: another account may have signed in on this phone meanwhile
      const who = this.d.account ? await this.d.account() : undefined;
      if (who === null) {
        this.halted = 'unauthenticated';
        for (const e of due) this.emit({ id: e.id, outcome: this.halted });
        return;
      }
      this.signedIn = who;
    }
    const pending = due.filter((e) => mayGoAs(e, this.signedIn));
    for (const entry of pending) {
      // halted meanwhile by another request of the page
      if (this.halted) return;
      this.sending = entry.id;
      this.emit(null);
      let r: PostResult;
      try {
        r = await this.d.post(entry);
      } catch (err) {
        r = { status: 0, failure: (err as Error).message };
      }
      const outcome = classifyStatus(r.status);
      // the reporter may have discarded it while it was in flight
      const current = await this.d.store.get(entry.id);
      if (outcome === 'unauthenticated' || outcome === 'forbidden') {
        // nothing wrong with the report: kept as it was (no back-off grows), sent after the login
        if (current) await this.d.store.put(entry.id, { ...current, lastFailure: `HTTP ${r.status}` });
        this.halted = outcome;
        this.sending = null;
        this.emit({ id: entry.id, outcome, body: r.body });
        return;
      }
      if (outcome === 'sent') {
        await this.d.onSent(entry, r.body);
        await this.d.store.remove(entry.id);
      } else if (current && outcome === 'rejected') {
        await this.d.store.put(entry.id, {
          ...current,
          state: 'rejected',
          error: serverError(r.body) ?? { code: `http_${r.status}`, message: `HTTP ${r.status}` },
        });
      } else if (current) {
        const attempts = current.attempts + 1;
        const at = this.d.now() + backoffMs(attempts, this.d.rand(), r.retryAfterMs);
        await this.d.store.put(entry.id, {
          ...current,
          attempts,
          nextAttemptAt: at,
          lastFailure: r.failure ?? `HTTP ${r.status}`,
        });
        this.blockedUntil = at;
      }
      this.sending = null;
      this.emit({ id: entry.id, outcome, body: r.body });
      if (outcome === 'retry') return;
    }
  }

  private async schedule(): Promise<void> {
    if (this.timer !== undefined) this.d.clearTimer(this.timer);
    this.timer = undefined;
    if (this.halted) return;
    // another account's reports wait for their owner, not for a timer
    const pending = (await this.d.store.list()).filter(
      (e) => e.state === 'pending' && mayGoAs(e, this.signedIn),
    );
    if (pending.length === 0) return;
    const next = Math.max(this.blockedUntil, Math.min(...pending.map((e) => e.nextAttemptAt)));
    const wait = Math.max(250, next - this.d.now());
    this.timer = this.d.setTimer(() => {
      this.timer = undefined;
      void this.kick();
    }, wait);
  }

  /** Stops the timer (tests, page teardown). */
  stop(): void {
    if (this.timer !== undefined) this.d.clearTimer(this.timer);
    this.timer = undefined;
  }
}

/** The `{ error }` of a JSON error body, if it is one. */
export function serverError(body: unknown): ServerError | undefined {
  const e = (body as { error?: unknown } | undefined)?.error as Partial<ServerError> | undefined;
  if (!e || typeof e.code !== 'string') return undefined;
  return {
    code: e.code,
    message: typeof e.message === 'string' ? e.message : e.code,
    details: Array.isArray(e.details)
      ? e.details.filter(
          (x): x is { field: string; message: string } =>
            !!x && typeof x.field === 'string' && typeof x.message === 'string',
        )
      : undefined,
  };
}
