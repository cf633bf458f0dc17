import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedTestDb, testBackends } from '../store/testDatabases.ts';
import { Sessions } from './sessions.ts';
import { UsersRepo } from './users.ts';

const MIN = 60_000;

for (const backend of testBackends()) {
  describe(`sessions on ${backend.name}`, () => {
    let opened: OpenedTestDb;
    let users: UsersRepo;
    let sessions: Sessions;
    let now = Date.parse('2026-11-23T08:00:00Z');

    beforeAll(async () => {
      opened = await backend.open();
      users = new UsersRepo(opened.db);
      sessions = new Sessions(opened.db, users, { idleMs: 30 * MIN, maxMs: 12 * 60 * MIN, now: () => now });
      await sessions.init();
    }, 60_000);
    afterAll(async () => {
      await opened?.dispose();
    });

    const newUser = async (role: 'operator' | 'field' = 'operator') => {
      const { user } = await users.create({
        username: `u${Math.random().toString(36).slice(2, 10)}`,
        displayName: 'Người dùng',
        role,
        password: 'một mật khẩu dài',
      });
      return (await users.byId(user.id))!;
    };

    it('accepts a fresh token and names the user and role from the database', async () => {
      const u = await newUser();
      const { token } = await sessions.create(u, { ip: '10.0.0.1' });
      const c = await sessions.check(token);
      expect(c).toMatchObject({ ok: true, auth: { role: 'operator', user: { username: u.username } } });
    });

    it('ends a session idle longer than the idle timeout, but not one in use', async () => {
      const u = await newUser();
      const { token } = await sessions.create(u, {});
      const t0 = now;
      // in use every 20 minutes for two hours: still good
      for (let i = 1; i <= 6; i++) {
        now = t0 + i * 20 * MIN;
        expect((await sessions.check(token)).ok, `after ${i * 20} min in use`).toBe(true);
      }
      now += 31 * MIN;
      expect(await sessions.check(token)).toEqual({ ok: false, reason: 'idle' });
    });

    it('ends a session at the absolute timeout however active', async () => {
      const u = await newUser();
      const { token } = await sessions.create(u, {});
      const t0 = now;
      for (let m = 20; m < 12 * 60; m += 20) {
        now = t0 + m * MIN;
        expect((await sessions.check(token)).ok).toBe(true);
      }
      now = t0 + 12 * 60 * MIN + 1000;
      expect(await sessions.check(token)).toEqual({ ok: false, reason: 'expired' });
    });

    it('sees a logout made by another instance within its cache time', async () => {
      const u = await newUser();
      const { token, auth } = await sessions.create(u, {});
      const other = new Sessions(opened.db, users, sessions.opts);
      await other.init();
      expect((await other.check(token)).ok).toBe(true);
      await sessions.revoke(auth.sessionId);
      expect(await sessions.check(token)).toEqual({ ok: false, reason: 'revoked' });
      now += 16_000;
      expect(await other.check(token)).toEqual({ ok: false, reason: 'revoked' });
    });

    it('ends every session of a disabled account and tells listeners which', async () => {
      const u = await newUser();
      const a = await sessions.create(u, {});
      const b = await sessions.create(u, {});
      const told: string[][] = [];
      sessions.onRevoked((ids) => told.push(ids));
      await users.update(u.id, { disabled: true });
      expect(await sessions.revokeUser(u.id)).toBe(2);
      expect(told.at(-1)?.sort()).toEqual([a.auth.sessionId, b.auth.sessionId].sort());
      expect((await sessions.check(a.token)).ok).toBe(false);
    });

    it('refuses forged, alg:none, tampered and garbage tokens', async () => {
      const u = await newUser();
      const { token, auth } = await sessions.create(u, {});
      const claims = { sid: auth.sessionId, role: 'admin' };
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(u.id)
        .setIssuer('ioc')
        .setAudience('ioc-session')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('a guessed key that is not the real one!!'));
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({
        ...claims,
        sub: u.id,
        iss: 'ioc',
        aud: 'ioc-session',
        exp: Math.floor(now / 1000) + 3600,
      })}.`;
      const [h, , sig] = token.split('.');
      const tampered = `${h}.${b64({ ...claims, sub: u.id, iss: 'ioc', aud: 'ioc-session', exp: 9e9 })}.${sig}`;
      for (const [what, t] of Object.entries({ forged, none, tampered, garbage: 'abc.def.ghi' }))
        expect(await sessions.check(t), what).toEqual({ ok: false, reason: 'bad_token' });
      expect(await sessions.check(undefined)).toEqual({ ok: false, reason: 'no_token' });
    });

    it('uses the current role, not the one in the token', async () => {
      const u = await newUser('operator');
      const { token } = await sessions.create(u, {});
      await users.update(u.id, { role: 'field' });
      now += 16_000;
      expect(await sessions.check(token)).toMatchObject({ ok: true, auth: { role: 'field' } });
    });
  });
}
