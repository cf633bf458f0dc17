// Who a session says the caller is, as types: made by server/auth/sessions.ts, read by the HTTP
// guard and the live gateway, which name it without importing auth.
import type { Role, UserView } from '#contract/auth.ts';

/** Who is calling, once their token and session checked out. */
export interface AuthContext {
  sessionId: string;
  user: UserView;
  role: Role;
  expiresAt: number;
}

export type SessionCheck =
  | { ok: true; auth: AuthContext }
  | {
      ok: false;
      reason: 'no_token' | 'bad_token' | 'expired' | 'idle' | 'revoked' | 'disabled' | 'no_session';
    };
