import { randomUUID } from 'node:crypto';
import { ROLES, type Role, type UserView } from '#contract/auth.ts';
import type { Db } from '../store/db.ts';
import { generatePassword, hashPassword, passwordProblem } from './passwords.ts';

export interface UserRecord extends UserView {
  passwordHash: string;
}

interface Row {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  disabled: boolean;
  created_at: Date | string;
  last_login_at: Date | string | null;
}

const COLS = 'id, username, display_name, role, password_hash, disabled, created_at, last_login_at';

function toRecord(r: Row): UserRecord {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    disabled: r.disabled,
    createdAt: new Date(r.created_at).getTime(),
    lastLoginAt: r.last_login_at ? new Date(r.last_login_at).getTime() : null,
    passwordHash: r.password_hash,
  };
}

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

/** People's accounts (table `users`, sql/008). */
export class UsersRepo {
  constructor(private readonly db: Db) {}

  async count(): Promise<number> {
    const { rows } = await this.db.query<{ n: string | number }>('SELECT count(*) AS n FROM users');
    return Number(rows[0]?.n ?? 0);
  }

  async list(): Promise<UserView[]> {
    const { rows } = await this.db.query<Row>(`SELECT ${COLS} FROM users ORDER BY role, username`);
    return rows.map((r) => toView(toRecord(r)));
  }

  async byUsername(username: string): Promise<UserRecord | undefined> {
    const { rows } = await this.db.query<Row>(`SELECT ${COLS} FROM users WHERE lower(username) = lower($1)`, [
      username,
    ]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  async byId(id: string): Promise<UserRecord | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const { rows } = await this.db.query<Row>(`SELECT ${COLS} FROM users WHERE id = $1`, [id]);
    return rows[0] ? toRecord(rows[0]) : undefined;
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
    const { rows } = await this.db.query<Row>(
      `INSERT INTO users (id, username, display_name, role, password_hash) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${COLS}`,
      [randomUUID(), username, displayName, u.role, await hashPassword(password)],
    );
    return { user: toView(toRecord(rows[0] as Row)), ...(generated ? { password: generated } : {}) };
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
    const { rows } = await this.db.query<Row>(
      `UPDATE users SET display_name = coalesce($2, display_name), role = coalesce($3, role),
         disabled = coalesce($4, disabled), password_hash = coalesce($5, password_hash), updated_at = now()
       WHERE id = $1 RETURNING ${COLS}`,
      [id, ch.displayName?.trim().slice(0, 100) || null, ch.role ?? null, ch.disabled ?? null, hash],
    );
    return toView(toRecord(rows[0] as Row));
  }

  async touchLogin(id: string, at: number): Promise<void> {
    await this.db.query('UPDATE users SET last_login_at = $2 WHERE id = $1', [
      id,
      new Date(at).toISOString(),
    ]);
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
