import { describe, expect, it } from 'vitest';
import { PhotoBusyError, PhotoGate } from './photoGate.ts';

/** A promise and the function that settles it. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('photo decode budget per account', () => {
  it('charges megapixels from a per-minute bucket, says when there will be enough, and keeps accounts apart', () => {
    let t = 0;
    const gate = new PhotoGate({ budgetMp: 100, now: () => t });
    expect(gate.charge('a', 60)).toEqual({ ok: true });
    // 40 left; 60 more need 20 MP, which refill in 12 s at 100 MP a minute
    expect(gate.charge('a', 60)).toEqual({ ok: false, retryAfterS: 12 });
    expect(gate.charge('b', 100)).toEqual({ ok: true });
    t += 11_000;
    expect(gate.charge('a', 60)).toMatchObject({ ok: false });
    t += 1_000;
    expect(gate.charge('a', 60)).toEqual({ ok: true });
    // what was charged for photos never decoded is given back
    gate.refund('a', 60);
    expect(gate.charge('a', 60)).toEqual({ ok: true });
    // more than the whole budget at once passes when the bucket is full, never refused forever
    t += 60_000;
    expect(gate.charge('a', 150)).toEqual({ ok: true });
    expect(gate.charge('a', 1)).toMatchObject({ ok: false });
    expect(gate.charge('a', 0)).toEqual({ ok: true });
  });
});

describe('photo decode queue', () => {
  it('runs at most `concurrency` decodes, queues a bounded number and refuses the rest at once', async () => {
    const gate = new PhotoGate({ concurrency: 1, maxQueued: 1, maxWaitMs: 60_000 });
    const first = deferred();
    const order: string[] = [];
    const a = gate.run(async () => {
      order.push('a');
      await first.promise;
    });
    const b = gate.run(async () => {
      order.push('b');
    });
    expect(gate.load()).toEqual({ running: 1, waiting: 1 });
    expect(gate.hasRoom(1)).toBe(false);
    await expect(gate.run(async () => order.push('c'))).rejects.toBeInstanceOf(PhotoBusyError);
    first.resolve();
    await Promise.all([a, b]);
    expect(order).toEqual(['a', 'b']);
    expect(gate.load()).toEqual({ running: 0, waiting: 0 });
    expect(gate.hasRoom(2)).toBe(true);
  });

  it('gives up on a decode that waited too long, with a Retry-After, and keeps serving the queue', async () => {
    const gate = new PhotoGate({ concurrency: 1, maxQueued: 5, maxWaitMs: 20 });
    const hold = deferred();
    const a = gate.run(() => hold.promise);
    const late = gate.run(async () => 'never');
    await expect(late).rejects.toMatchObject({ retryAfterS: 1 });
    expect(gate.load()).toEqual({ running: 1, waiting: 0 });
    hold.resolve();
    await a;
    expect(await gate.run(async () => 'next')).toBe('next');
    expect(gate.load()).toEqual({ running: 0, waiting: 0 });
  });
});
