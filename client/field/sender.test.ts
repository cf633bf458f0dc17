import { describe, expect, it } from 'vitest';
import { type MyReport, memoryStore, type OutboxEntry } from './outbox.ts';
import { type AuthHalt, type PostResult, Sender } from './sender.ts';

function entry(id: string, createdAt: number, owner?: string): OutboxEntry {
  return {
    id,
    createdAt,
    ...(owner && { owner: { id: owner, username: owner, displayName: `User ${owner}` } }),
    attempts: 0,
    nextAttemptAt: 0,
    state: 'pending',
    draft: { category: 'flooding', lat: 13.77, lon: 109.22, description: id, severity: 3, photos: [] },
  };
}

/** A sender on a fake clock whose network answers from a script. */
function harness(
  answers: Array<PostResult | ((e: OutboxEntry) => PostResult)>,
  /** what `/api/auth/me` says, one answer per check */
  auth: Array<'ok' | AuthHalt | 'unknown'> = [],
  /** who `/api/auth/me` says is signed in, asked before a round with reports of named accounts */
  who: () => string | null | undefined = () => undefined,
) {
  const authChecks: string[] = [];
  const accountChecks: Array<string | null | undefined> = [];
  const store = memoryStore<OutboxEntry>();
  const sent: Array<{ id: string; body: unknown }> = [];
  const posted: string[] = [];
  let now = 1_000_000;
  const timers: Array<{ at: number; fn: () => void }> = [];
  const sender = new Sender({
    store,
    async post(e) {
      posted.push(e.id);
      const a = answers.shift() ?? { status: 0 };
      return typeof a === 'function' ? a(e) : a;
    },
    async onSent(e, body) {
      sent.push({ id: e.id, body });
    },
    now: () => now,
    rand: () => 0.5,
    setTimer(fn, ms) {
      const t = { at: now + ms, fn };
      timers.push(t);
      return t;
    },
    clearTimer(t) {
      timers.splice(timers.indexOf(t as (typeof timers)[number]), 1);
    },
    async authCheck() {
      const a = auth.shift() ?? 'unknown';
      authChecks.push(a);
      return a;
    },
    async account() {
      const a = who();
      accountChecks.push(a);
      return a;
    },
  });
  return {
    store,
    sender,
    sent,
    posted,
    timers,
    authChecks,
    accountChecks,
    /** moves the clock and runs the timers that came due */
    async advance(ms: number) {
      now += ms;
      for (const t of [...timers].filter((x) => x.at <= now)) {
        timers.splice(timers.indexOf(t), 1);
        t.fn();
      }
      await new Promise((r) => setTimeout(r, 0));
      await new Promise((r) => setTimeout(r, 0));
    },
  };
}

const receipt = (n: number, duplicate = false) => ({
  status: duplicate ? 200 : 201,
  body: { id: `inc-${n}`, number: `PA-${String(n).padStart(6, '0')}`, status: 'new', duplicate },
});

describe('Sender', () => {
  it('sends the outbox oldest first and removes what the server received', async () => {
    const h = harness([receipt(2), receipt(3)]);
    await h.store.put('b', entry('b', 2));
    await h.store.put('a', entry('a', 1));
    await h.sender.kick(true);
    expect(h.posted).toEqual(['a', 'b']);
    expect(h.sent.map((s) => (s.body as MyReport).number)).toEqual(['PA-000002', 'PA-000003']);
    expect(h.store.map.size).toBe(0);
    expect(h.timers).toHaveLength(0);
  });

  it('keeps a report through network failures, backing off, and sends it when the network is back', async () => {
    const h = harness([{ status: 0 }, { status: 503 }, receipt(7)]);
    await h.store.put('a', entry('a', 1));
    await h.sender.kick(true);
    expect(h.store.map.get('a')).toMatchObject({ attempts: 1, state: 'pending' });
    expect(h.timers[0].at - 1_000_000).toBe(2000);
    await h.advance(1999);
    expect(h.posted).toEqual(['a']);
    await h.advance(1);
    expect(h.posted).toEqual(['a', 'a']);
    expect(h.store.map.get('a')).toMatchObject({ attempts: 2, lastFailure: 'HTTP 503' });
    // the `online` event does not wait for the 4 s back-off
    await h.sender.kick(true);
    expect(h.posted).toEqual(['a', 'a', 'a']);
    expect(h.store.map.size).toBe(0);
    expect(h.sent).toHaveLength(1);
  });

  it('pauses the whole outbox while the network is down instead of failing every report', async () => {
    const h = harness([{ status: 0 }]);
    await h.store.put('a', entry('a', 1));
    await h.store.put('b', entry('b', 2));
    await h.sender.kick(true);
    expect(h.posted).toEqual(['a']);
    await h.sender.kick();
    expect(h.posted).toEqual(['a']);
  });

  it('stops retrying a report the server refused (4xx) and keeps it with the error', async () => {
    const h = harness([
      { status: 400, body: { error: { code: 'out_of_area', message: 'outside the city' } } },
      receipt(9),
    ]);
    await h.store.put('a', entry('a', 1));
    await h.store.put('b', entry('b', 2));
    await h.sender.kick(true);
    expect(h.store.map.get('a')).toMatchObject({
      state: 'rejected',
      error: { code: 'out_of_area', message: 'outside the city' },
    });
    // the refusal is about that report only: the next one still goes
    expect(h.posted).toEqual(['a', 'b']);
    await h.sender.kick(true);
    await h.advance(600_000);
    expect(h.posted).toEqual(['a', 'b']);
  });

  it('treats 408 and 429 as transient', async () => {
    const h = harness([{ status: 429, retryAfterMs: 60_000 }, { status: 408 }]);
    await h.store.put('a', entry('a', 1));
    await h.sender.kick(true);
    expect(h.store.map.get('a')?.nextAttemptAt).toBe(1_000_000 + 60_000);
    await h.advance(60_000);
    expect(h.store.map.get('a')).toMatchObject({ state: 'pending', attempts: 2 });
  });

  it('counts a duplicate answer (the first attempt arrived, its answer did not) as sent', async () => {
    const h = harness([{ status: 0 }, receipt(4, true)]);
    await h.store.put('a', entry('a', 1));
    await h.sender.kick(true);
    await h.sender.kick(true);
    expect(h.store.map.size).toBe(0);
    expect(h.sent[0].body).toMatchObject({ number: 'PA-000004', duplicate: true });
  });

  it('does not resurrect a report discarded while it was being sent', async () => {
    const h = harness([
      (e) => {
        h.store.map.delete(e.id);
        return { status: 0 };
      },
    ]);
    await h.store.put('a', entry('a', 1));
    await h.sender.kick(true);
    expect(h.store.map.size).toBe(0);
  });

  it('reports every outcome to listeners', async () => {
    const h = harness([{ status: 0 }]);
    const seen: string[] = [];
    h.sender.on((e) => e && seen.push(`${e.id}:${e.outcome}`));
    await h.store.put('a', entry('a', 1));
    await h.sender.kick(true);
    expect(seen).toEqual(['a:retry']);
  });

  it('keeps every report when the login has ended (401) and stops retrying until the reporter logs in', async () => {
    const h = harness([{ status: 401, body: { error: { code: 'unauthenticated', message: 'log in' } } }]);
    const seen: string[] = [];
    h.sender.on((e) => e && seen.push(`${e.id}:${e.outcome}`));
    await h.store.put('a', entry('a', 1));
    await h.store.put('b', entry('b', 2));
    await h.sender.kick(true);
    expect(h.posted).toEqual(['a']);
    expect(seen).toEqual(['a:unauthenticated']);
    expect(h.sender.halted).toBe('unauthenticated');
    // neither failed nor backed off: the report is fine, the login is not
    expect(h.store.map.get('a')).toMatchObject({ state: 'pending', attempts: 0, nextAttemptAt: 0 });
    expect(h.store.map.get('b')).toEqual(entry('b', 2));
    expect(h.timers).toHaveLength(0);
    await h.advance(3_600_000);
    await h.sender.kick();
    expect(h.posted).toEqual(['a']);
  });

  it('sends the whole outbox once the login is back, and not a byte before', async () => {
    const h = harness([{ status: 401 }, receipt(1), receipt(2)], ['unauthenticated', 'ok']);
    const seen: string[] = [];
    h.sender.on((e) => e && seen.push(`${e.id}:${e.outcome}`));
    await h.store.put('a', entry('a', 1));
    await h.sender.kick(true);
    // a report written while halted: asks the server about the login, uploads nothing, is kept
    await h.store.put('b', entry('b', 2));
    await h.sender.kick(true);
    expect(h.posted).toEqual(['a']);
    expect(h.authChecks).toEqual(['unauthenticated']);
    expect(seen).toEqual(['a:unauthenticated', 'a:unauthenticated', 'b:unauthenticated']);
    // back from the login page (or another tab): the next forced kick finds the login ok
    await h.sender.kick(true);
    expect(h.sender.halted).toBeNull();
    expect(h.posted).toEqual(['a', 'a', 'b']);
    expect(h.store.map.size).toBe(0);
    expect(h.sent.map((x) => x.id)).toEqual(['a', 'b']);
  });

  it('keeps reports refused for the account (403) as they are, until a login that may report', async () => {
    const h = harness(
      [{ status: 403, body: { error: { code: 'forbidden', message: 'no' } } }, receipt(5)],
      ['forbidden', 'ok'],
    );
    await h.store.put('a', entry('a', 1));
    await h.sender.kick(true);
    expect(h.sender.halted).toBe('forbidden');
    expect(h.store.map.get('a')).toMatchObject({ state: 'pending', lastFailure: 'HTTP 403' });
    await h.sender.kick(true);
    expect(h.posted).toEqual(['a']);
    await h.sender.kick(true);
    expect(h.posted).toEqual(['a', 'a']);
    expect(h.store.map.size).toBe(0);
  });

  it('halts before uploading when another request learnt the login ended, and stays halted offline', async () => {
    const h = harness([receipt(1)], ['unknown']);
    await h.store.put('a', entry('a', 1));
    h.sender.halt('unauthenticated');
    await h.sender.kick(true);
    expect(h.posted).toEqual([]);
    expect(h.sender.halted).toBe('unauthenticated');
    expect(h.store.map.get('a')).toEqual(entry('a', 1));
  });

  describe('on a phone shared by several accounts', () => {
    it("sends the signed-in account's reports and those of no account, never another account's", async () => {
      const h = harness([receipt(1), receipt(2), receipt(3)], [], () => 'u-b');
      await h.store.put('a-1', entry('a-1', 1, 'u-a'));
      await h.store.put('legacy', entry('legacy', 2));
      await h.store.put('b-1', entry('b-1', 3, 'u-b'));
      await h.store.put('a-2', entry('a-2', 4, 'u-a'));
      await h.sender.kick(true);
      expect(h.posted).toEqual(['legacy', 'b-1']);
      expect(h.sent.map((x) => x.id)).toEqual(['legacy', 'b-1']);
      // A's reports are kept as they were: not failed, not backed off
      expect(h.store.map.get('a-1')).toEqual(entry('a-1', 1, 'u-a'));
      expect(h.store.map.get('a-2')).toEqual(entry('a-2', 4, 'u-a'));
      // and no timer wakes up for them: they wait for their owner, not for the network
      expect(h.timers).toHaveLength(0);
      await h.advance(3_600_000);
      await h.sender.kick();
      expect(h.posted).toEqual(['legacy', 'b-1']);
    });

    it("sends an account's reports once that account signs in again, and asks before every round", async () => {
      let signedIn: string | null = 'u-b';
      const h = harness([receipt(1)], [], () => signedIn);
      await h.store.put('a-1', entry('a-1', 1, 'u-a'));
      await h.sender.kick(true);
      expect(h.posted).toEqual([]);
      signedIn = 'u-a';
      await h.sender.kick(true);
      expect(h.posted).toEqual(['a-1']);
      expect(h.store.map.size).toBe(0);
      expect(h.accountChecks).toEqual(['u-b', 'u-a']);
    });

    it('sends no report of a named account when the server cannot tell who is signed in', async () => {
      const h = harness([receipt(1)], [], () => undefined);
      await h.store.put('a-1', entry('a-1', 1, 'u-a'));
      await h.store.put('legacy', entry('legacy', 2));
      await h.sender.kick(true);
      expect(h.posted).toEqual(['legacy']);
      expect(h.store.map.get('a-1')).toEqual(entry('a-1', 1, 'u-a'));
    });

    it('halts, uploading nothing, when no one is signed in any more', async () => {
      const h = harness([receipt(1)], [], () => null);
      const seen: string[] = [];
      h.sender.on((e) => e && seen.push(`${e.id}:${e.outcome}`));
      await h.store.put('a-1', entry('a-1', 1, 'u-a'));
      await h.sender.kick(true);
      expect(h.posted).toEqual([]);
      expect(h.sender.halted).toBe('unauthenticated');
      expect(seen).toEqual(['a-1:unauthenticated']);
    });

    it('does not ask who is signed in when every report is of no account (queued before owners were kept)', async () => {
      const h = harness([receipt(1)], [], () => 'u-b');
      await h.store.put('legacy', entry('legacy', 1));
      await h.sender.kick(true);
      expect(h.posted).toEqual(['legacy']);
      expect(h.accountChecks).toEqual([]);
    });
  });
});
