import type { Role, UserView } from '#contract/auth.ts';
import type { Db } from './db.ts';

/** An account with its password's hash: for the login check, never for the API. */
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

// People's accounts (table `users`, sql/008). The rules (usernames, passwords, roles) are server/auth/users.ts's.

export async function countUsers(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: string | number }>('SELECT count(*) AS n FROM users');
  return Number(rows[0]?.n ?? 0);
}

/** Every account, by role then username. */
export async function listUsers(db: Db): Promise<UserRecord[]> {
  const { rows } = await db.query<Row>(`SELECT ${COLS} FROM users ORDER BY role, username`);
  return rows.map(toRecord);
}

/** The account with this username, whatever its case. */
export async function userByUsername(db: Db, username: string): Promise<UserRecord | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLS} FROM users WHERE lower(username) = lower($1)`, [
    username,
  ]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

export async function userById(db: Db, id: string): Promise<UserRecord | undefined> {
  const { rows } = await db.query<Row>(`SELECT ${COLS} FROM users WHERE id = $1`, [id]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

export async function insertUser(
  db: Db,
  u: { id: string; username: string; displayName: string; role: Role; passwordHash: string },
): Promise<UserRecord> {
  const { rows } = await db.query<Row>(
    `INSERT INTO users (id, username, display_name, role, password_hash) VALUES ($1, $2, $3, $4, $5)
     RETURNING ${COLS}`,
    [u.id, u.username, u.displayName, u.role, u.passwordHash],
  );
  return toRecord(rows[0] as Row);
}

/** Changes the fields given (null: keep); undefined when there is no such account. */
export async function updateUser(
  db: Db,
  id: string,
  ch: {
    displayName: string | null;
    role: Role | null;
    disabled: boolean | null;
    passwordHash: string | null;
  },
): Promise<UserRecord | undefined> {
  const { rows } = await db.query<Row>(
    `UPDATE users SET display_name = coalesce($2, display_name), role = coalesce($3, role),
       disabled = coalesce($4, disabled), password_hash = coalesce($5, password_hash), updated_at = now()
     WHERE id = $1 RETURNING ${COLS}`,
    [id, ch.displayName, ch.role, ch.disabled, ch.passwordHash],
  );
  return rows[0] ? toRecord(rows[0]) : undefined;
}

export async function touchUserLogin(db: Db, id: string, at: number): Promise<void> {
  await db.query('UPDATE users SET last_login_at = $2 WHERE id = $1', [id, new Date(at).toISOString()]);
}
