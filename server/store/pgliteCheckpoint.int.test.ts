import { readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { openPglite } from './pgliteDb.ts';

const walMb = (dir: string) =>
  readdirSync(path.join(dir, 'pg_wal')).reduce((n, f) => {
    const s = statSync(path.join(dir, 'pg_wal', f));
    return n + (s.isFile() ? s.size : 0);
  }, 0) /
  2 ** 20;

/** Writes ten rounds of ~50 MB of WAL (~500 MB in all), waiting after each for a checkpoint. */
async function writeRounds(opts: {
  checkpointEveryMs: number;
  checkpointWalBytes?: number;
}): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ioc-pglite-wal-'));
  const db = await openPglite({ dataDir: dir, ...opts });
  let most = 0;
  try {
    await db.exec('CREATE TABLE t (a int, b text)');
    const redo = async () =>
      (await db.query<{ lsn: string }>('SELECT redo_lsn::text AS lsn FROM pg_control_checkpoint()')).rows[0]
        .lsn;
    for (let i = 0; i < 10; i++) {
      // read before the round: the checkpoint its WAL starts may run between its two statements
      const before = await redo();
      await db.exec(`INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 150000) g`);
      await db.exec('DELETE FROM t');
      // a checkpoint has run since this round began
      await expect.poll(redo, { timeout: 30_000, interval: 200 }).not.toBe(before);
      most = Math.max(most, walMb(dir));
    }
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows[0].n).toBe(0);
    return most;
  } finally {
    await db.close();
    console.log(`pg_wal at most ${Math.round(most)} MB`);
    await rm(dir, { recursive: true, force: true });
  }
}

it('keeps the embedded database’s WAL bounded: the periodic checkpoint recycles what it wrote', async () => {
  // what PGlite kept before any checkpoint: every byte of the ~500 MB
  expect(await writeRounds({ checkpointEveryMs: 300, checkpointWalBytes: 2 ** 40 })).toBeLessThan(250);
}, 180_000);

it('checkpoints on the WAL written, as max_wal_size would: a burst far inside the time limit stays small on disk', async () => {
  // an hour between timed checkpoints: only the 32 MB WAL trigger can checkpoint in this test, and
  // each round of ~50 MB must start one; the checkpoints keep ~2× what was written between them
  expect(await writeRounds({ checkpointEveryMs: 3_600_000, checkpointWalBytes: 32 * 2 ** 20 })).toBeLessThan(
    150,
  );
}, 180_000);
