import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../auth/secrets.ts';
import { UsersRepo } from '../auth/users.ts';
import { type OpenedTestDb, testBackends } from '../store/testDatabases.ts';
import { CliError } from './command.ts';
import { parseUserArgs, runUserCommand } from './user.ts';

describe('npm run user', () => {
  it('explains what is wrong with a command line', () => {
    expect(parseUserArgs([])).toBe('help');
    expect(() => parseUserArgs(['add', 'lan'])).toThrow(/role is required/);
    expect(() => parseUserArgs(['add', 'lan', '--role', 'boss'])).toThrow(/no role "boss"/);
    expect(() => parseUserArgs(['reset'])).toThrow(/which account/);
    expect(parseUserArgs(['role', 'lan', 'leader'])).toEqual({
      command: 'role',
      username: 'lan',
      role: 'leader',
      name: undefined,
    });
  });

  describe.each(testBackends())('on $name', (backend) => {
    let opened: OpenedTestDb;
    beforeAll(async () => {
      opened = await backend.open();
    }, 60_000);
    afterAll(async () => {
      await opened?.dispose();
    });

    it('adds, resets, disables and lists accounts, printing each password once and auditing each change', async () => {
      const users = new UsersRepo(opened.db);
      const added = await runUserCommand(
        opened.db,
        { command: 'add', username: 'lan.nguyen', role: 'operator', name: 'Nguyễn Thị Lan' },
        'cli:test',
      );
      const pw = /shown once: (\S+)/.exec(added)?.[1] as string;
      expect(await verifyPassword((await users.byUsername('lan.nguyen'))?.passwordHash, pw)).toBe(true);

      const reset = await runUserCommand(opened.db, { command: 'reset', username: 'lan.nguyen' }, 'cli:test');
      const pw2 = /shown once: (\S+)/.exec(reset)?.[1] as string;
      expect(pw2).not.toBe(pw);
      const stored = (await users.byUsername('lan.nguyen'))?.passwordHash;
      expect(await verifyPassword(stored, pw)).toBe(false);
      expect(await verifyPassword(stored, pw2)).toBe(true);

      await runUserCommand(opened.db, { command: 'disable', username: 'lan.nguyen' }, 'cli:test');
      expect((await users.byUsername('lan.nguyen'))?.disabled).toBe(true);
      const list = await runUserCommand(opened.db, { command: 'list' });
      expect(list).toMatch(/lan\.nguyen\s+operator\s+disabled/);
      await expect(runUserCommand(opened.db, { command: 'reset', username: 'nobody' })).rejects.toThrow(
        CliError,
      );
      await expect(
        runUserCommand(opened.db, { command: 'add', username: 'lan.nguyen', role: 'field' }),
      ).rejects.toThrow(/taken/);

      const { rows } = await opened.db.query<{ action: string; actor: string }>(
        "SELECT action, actor FROM audit_log WHERE target = 'lan.nguyen' ORDER BY id",
      );
      expect(rows.map((r) => r.action)).toEqual(['user.create', 'user.reset_password', 'user.disable']);
      expect(rows.every((r) => r.actor === 'cli:test')).toBe(true);
    });
  });
});
