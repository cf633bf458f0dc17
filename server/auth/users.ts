import { randomUUID } from 'node:crypto';
import { ROLES, type Role, type UserView } from '#contract/auth.ts';
import type { Db } from '../store/db.ts';
import {
  countUsers,
  insertUser,
  listUsers,
  touchUserLogin,
  type UserRecord,
  updateUser,
  userById,
  userByUsername,
} from '../store/usersRepo.ts';
import { generatePassword, hashPassword, passwordProblem } from './secrets.ts';

export function toView({ passwordHash: _, ...u }: UserRecord): UserView {
  return u;
}

export const USERNAME = /^[a-z0-9][a-z0-9._-]{1,47}$/;

/** Why a username is refused, or undefined. */
export function usernameProblem(username: string): string | undefined {
  return USERNAME.test(username)
    ? undefined
    : '2–48 characters: lower-case letters, digits, dot, dash, underscore; starting with a letter or digit';
}

export class UserError extends Error {
  constructor(
    readonly code: 'bad_username' | 'bad_password' | 'bad_role' | 'username_taken' | 'no_user',
    message: string,
  ) {
    super(message);
  }
}

/** People's accounts: the rules for usernames, passwords and roles; the rows are server/store/usersRepo.ts's. */
export class UsersRepo {
  constructor(private readonly db: Db) {}

  count(): Promise<number> {
    return countUsers(this.db);
  }

  async list(): Promise<UserView[]> {
    return (await listUsers(this.db)).map(toView);
  }

  byUsername(username: string): Promise<UserRecord | undefined> {
    return userByUsername(this.db, username);
  }

  async byId(id: string): Promise<UserRecord | undefined> {
    // not a uuid: no account, and no query the database would refuse
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    return userById(this.db, id);
  }

  /** Adds an account; with no password one is generated and returned (shown once, stored hashed). */
  async create(u: {
    username: string;
    displayName: string;
    role: Role;
    password?: string;
  }): Promise<{ user: UserView; password?: string }> {
    const username = u.username.trim().toLowerCase();
    const bad = usernameProblem(username);
    if (bad) throw new UserError('bad_username', `username: ${bad}`);
    if (!ROLES.includes(u.role)) throw new UserError('bad_role', `role: one of ${ROLES.join(', ')}`);
    const generated = u.password === undefined ? generatePassword() : undefined;
    const password = u.password ?? (generated as string);
    const weak = passwordProblem(password, username);
    if (weak) throw new UserError('bad_password', `password: ${weak}`);
    if (await this.byUsername(username))
      throw new UserError('username_taken', `username ${username} is taken`);
    const displayName = u.displayName.trim().slice(0, 100) || username;
    const user = await insertUser(this.db, {
      id: randomUUID(),
      username,
      displayName,
      role: u.role,
      passwordHash: await hashPassword(password),
    });
    return { user: toView(user), ...(generated ? { password: generated } : {}) };
  }

  async update(
    id: string,
    ch: { displayName?: string; role?: Role; disabled?: boolean; password?: string },
  ): Promise<UserView> {
    const cur = await this.byId(id);
    if (!cur) throw new UserError('no_user', `no user ${id}`);
    if (ch.role !== undefined && !ROLES.includes(ch.role))
      throw new UserError('bad_role', `role: one of ${ROLES.join(', ')}`);
    let hash: string | null = null;
    if (ch.password !== undefined) {
      const weak = passwordProblem(ch.password, cur.username);
      if (weak) throw new UserError('bad_password', `password: ${weak}`);
      hash = await hashPassword(ch.password);
    }
    const user = await updateUser(this.db, id, {
      displayName: ch.displayName?.trim().slice(0, 100) || null,
      role: ch.role ?? null,
      disabled: ch.disabled ?? null,
      passwordHash: hash,
    });
    return toView(user as UserRecord);
  }

  touchLogin(id: string, at: number): Promise<void> {
    return touchUserLogin(this.db, id, at);
  }
}

/** The demo accounts made on a first start: one per role. */
export const DEMO_USERS: ReadonlyArray<{ username: string; displayName: string; role: Role }> = [
  { username: 'admin', displayName: 'Quản trị hệ thống', role: 'admin' },
  { username: 'operator', displayName: 'Trực ban IOC', role: 'operator' },
  { username: 'field', displayName: 'Cán bộ hiện trường', role: 'field' },
  { username: 'leader', displayName: 'Lãnh đạo', role: 'leader' },
];

/** Makes the demo accounts when there are no users at all; returns their generated passwords (or nothing). */
export async function ensureDemoAccounts(
  users: UsersRepo,
): Promise<Array<{ username: string; role: Role; password: string }>> {
  if ((await users.count()) > 0) return [];
  const made: Array<{ username: string; role: Role; password: string }> = [];
  try {
    for (const d of DEMO_USERS) {
      const { password } = await users.create(d);
      made.push({ username: d.username, role: d.role, password: password as string });
    }
  } catch (err) {
    // another instance starting on the same database made them first
    if (made.length === 0 && (await users.count()) > 0) return [];
    throw err;
  }
  return made;
}
