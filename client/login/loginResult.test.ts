import { describe, expect, it } from 'vitest';
import { formatWait, readLoginAnswer } from './loginResult.ts';

const session = {
  user: { id: 'u1', username: 'an', displayName: 'Nguyễn Văn An', role: 'operator', disabled: false },
  home: '/',
  pages: ['/'],
  expiresAt: 0,
  idleTimeoutMs: 0,
};

describe('readLoginAnswer', () => {
  it('lets the user in on a session', () => {
    expect(readLoginAnswer(200, session, null)).toEqual({ kind: 'ok', session });
  });

  it('says the credentials are wrong without saying which', () => {
    const body = { error: { code: 'bad_credentials', message: 'unknown user' } };
    expect(readLoginAnswer(401, body, null)).toEqual({ kind: 'badCredentials' });
  });

  it('counts down from the wait the server gives, in the body or the header', () => {
    const body = {
      error: { code: 'too_many_attempts', message: 'slow down', details: { retryAfterS: 297 } },
    };
    expect(readLoginAnswer(429, body, '300')).toEqual({ kind: 'tooMany', retryAfterS: 297 });
    expect(readLoginAnswer(429, undefined, '120')).toEqual({ kind: 'tooMany', retryAfterS: 120 });
    expect(readLoginAnswer(429, undefined, null)).toEqual({ kind: 'tooMany', retryAfterS: 60 });
  });

  it('tells an unreachable server from a failing one', () => {
    expect(readLoginAnswer(0, undefined, null)).toEqual({ kind: 'unreachable' });
    expect(readLoginAnswer(502, undefined, null)).toEqual({ kind: 'unreachable' });
    expect(readLoginAnswer(500, { error: { code: 'internal' } }, null)).toEqual({
      kind: 'server',
      status: 500,
    });
    expect(readLoginAnswer(400, { error: { code: 'bad_request' } }, null)).toEqual({ kind: 'missing' });
  });
});

describe('formatWait', () => {
  it('reads well as it counts down', () => {
    expect(formatWait('vi', 299.2)).toBe('5 phút 00 giây');
    expect(formatWait('vi', 65)).toBe('1 phút 05 giây');
    expect(formatWait('vi', 45)).toBe('45 giây');
    expect(formatWait('en', 45)).toBe('45 s');
    expect(formatWait('en', -3)).toBe('0 s');
  });
});
