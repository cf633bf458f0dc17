import type { Config } from '../config.ts';
import type { AuditLog } from '../domain/audit.ts';
import type { Db, StoreLogger } from '../store/db.ts';
import { Sessions } from './sessions.ts';
import { LoginThrottle } from './throttle.ts';
import { ensureDemoAccounts, UsersRepo } from './users.ts';

export interface StartedAuth {
  users: UsersRepo;
  sessions: Sessions;
  throttle: { user: LoginThrottle; ip: LoginThrottle };
  /** demo accounts made by this start, with their passwords: to show once, never to log */
  demo: DemoAccount[];
}

export interface DemoAccount {
  username: string;
  role: string;
  password: string;
}

/** The once-only note with the demo accounts' passwords, for the terminal. */
export function demoAccountsNote(demo: DemoAccount[], loginUrl: string): string {
  const w = Math.max(...demo.map((m) => m.username.length));
  return [
    '',
    '  Tài khoản demo — mật khẩu chỉ hiện MỘT lần, hãy lưu lại ngay.',
    '  Demo accounts — the passwords are shown ONCE: keep them now.',
    ...demo.map((m) => `    ${m.username.padEnd(w)}  ${m.password}   (${m.role})`),
    `  Đăng nhập · log in: ${loginUrl}`,
    '  Mất mật khẩu · lost one: npm run user -- reset <username>',
    '',
    '',
  ].join('\n');
}

/**
 * Accounts and sessions for a starting instance. When the database has no account at all, the demo
 * accounts (one per role) are made with random passwords, shown here once and stored only hashed.
 */
export async function startAuth(
  cfg: Pick<Config, 'SESSION_IDLE_MIN' | 'SESSION_MAX_H' | 'DEMO_ACCOUNTS'>,
  db: Db,
  audit: AuditLog,
  log: StoreLogger & { info(obj: object, msg?: string): void },
): Promise<StartedAuth> {
  const users = new UsersRepo(db);
  const sessions = new Sessions(db, users, {
    idleMs: cfg.SESSION_IDLE_MIN * 60_000,
    maxMs: cfg.SESSION_MAX_H * 3_600_000,
  });
  await sessions.init();
  // 5 wrong passwords for an account, or 20 from one address, lock it for 30 s, doubling up to 15 min
  const throttle = {
    user: new LoginThrottle({ free: 5, baseLockMs: 30_000, windowMs: 15 * 60_000 }),
    ip: new LoginThrottle({ free: 20, baseLockMs: 30_000, windowMs: 15 * 60_000 }),
  };
  const demo = (cfg.DEMO_ACCOUNTS ?? true) ? await ensureDemoAccounts(users) : [];
  for (const m of demo)
    audit.record({
      actor: null,
      role: null,
      action: 'user.create',
      target: m.username,
      outcome: 'ok',
      details: { role: m.role, demo: true },
    });
  if (demo.length)
    log.info(
      { accounts: demo.map((m) => m.username) },
      'demo accounts made (passwords printed on the terminal, not logged)',
    );
  return { users, sessions, throttle, demo };
}
