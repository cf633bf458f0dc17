import type { Db } from './db.ts';

// Logins (table `sessions`) and the key their tokens are signed with (table `auth_keys`), sql/008.
// When a session ends is server/auth/sessions.ts's to decide.

export interface SessionRow {
  id: string;
  user_id: string;
  expires_at: Date | string;
  last_seen_at: Date | string;
  revoked_at: Date | string | null;
}

/**
 * The signing key named `id`, stored as `candidate` if there is none yet: the first instance to
 * start makes it, every other one reads that one.
 */
export async function sharedKey(db: Db, id: string, candidate: Uint8Array): Promise<Uint8Array | undefined> {
  await db.query('INSERT INTO auth_keys (id, secret) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [
    id,
    candidate,
  ]);
  const { rows } = await db.query<{ secret: Uint8Array }>('SELECT secret FROM auth_keys WHERE id = $1', [id]);
  return rows[0]?.secret;
}

export async function insertSession(
  db: Db,
  s: {
    id: string;
    userId: string;
    at: number;
    expiresAt: number;
    ip: string | null;
    userAgent: string | null;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, ip, user_agent)
     VALUES ($1, $2, $3, $3, $4, $5, $6)`,
    [s.id, s.userId, new Date(s.at).toISOString(), new Date(s.expiresAt).toISOString(), s.ip, s.userAgent],
  );
}

export async function sessionById(db: Db, id: string): Promise<SessionRow | undefined> {
  const { rows } = await db.query<SessionRow>(
    'SELECT id, user_id, expires_at, last_seen_at, revoked_at FROM sessions WHERE id = $1',
    [id],
  );
  return rows[0];
}

export async function touchSession(db: Db, id: string, at: number): Promise<void> {
  await db.query('UPDATE sessions SET last_seen_at = $2 WHERE id = $1', [id, new Date(at).toISOString()]);
}

/** Marks one session revoked (once: a second call changes nothing). */
export async function revokeSession(db: Db, id: string): Promise<void> {
  await db.query('UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
}

/** Marks every open session of a user revoked; returns their ids. */
export async function revokeUserSessions(db: Db, userId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING id',
    [userId],
  );
  return rows.map((r) => r.id);
}
