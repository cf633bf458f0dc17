import { describe, expect, it } from 'vitest';
import { afterLogin, isUnauthenticated, loginUrl, mayOpen, pageOf, pagesFor } from './authPaths.ts';

describe('afterLogin', () => {
  it('goes back to the page asked for, with its query, when the role may open it', () => {
    expect(afterLogin('/dashboard?period=30d&district=d1', 'leader', '/dashboard')).toBe(
      '/dashboard?period=30d&district=d1',
    );
    expect(afterLogin('/report', 'operator', '/')).toBe('/report');
    expect(afterLogin('/report/', 'field', '/report')).toBe('/report/');
  });

  it("goes to the role's home when the role may not open the page", () => {
    expect(afterLogin('/admin', 'operator', '/')).toBe('/');
    expect(afterLogin('/', 'field', '/report')).toBe('/report');
    expect(afterLogin('/dashboard', 'field', '/report')).toBe('/report');
  });

  it('never leaves the site or lands on a page that is not one', () => {
    for (const next of [
      'https://evil.example/',
      '//evil.example/',
      '/\\evil.example',
      'javascript:alert(1)',
      'admin',
      '/login?next=/admin',
      '/api/admin/users',
      '',
      null,
      undefined,
    ])
      expect(afterLogin(next, 'admin', '/admin')).toBe('/admin');
  });
});

describe('loginUrl', () => {
  it('asks the login page to come back to the current page', () => {
    expect(loginUrl('/dashboard?period=7d', true)).toBe('/login?next=%2Fdashboard%3Fperiod%3D7d&expired=1');
    expect(loginUrl('/report')).toBe('/login?next=%2Freport');
    expect(loginUrl()).toBe('/login');
    expect(loginUrl('/login?next=/')).toBe('/login');
  });

  it('round-trips through afterLogin', () => {
    const next = new URL(loginUrl('/dashboard?period=30d', true), 'http://x').searchParams.get('next');
    expect(afterLogin(next, 'leader', '/dashboard')).toBe('/dashboard?period=30d');
  });
});

describe('pages and roles', () => {
  it('knows the pages of each role', () => {
    expect(pagesFor('admin')).toEqual(['/', '/report', '/dashboard', '/admin']);
    expect(pagesFor('field')).toEqual(['/report']);
    expect(pagesFor('leader')).toEqual(['/', '/dashboard']);
    expect(mayOpen('/admin/', 'admin')).toBe(true);
    expect(mayOpen('/admin', 'leader')).toBe(false);
    expect(pageOf('/nope')).toBeNull();
    expect(pageOf('/toString')).toBeNull();
  });
});

describe('isUnauthenticated', () => {
  it("recognises the server's refusal of a socket whose session ended", () => {
    expect(isUnauthenticated(new Error('unauthenticated'))).toBe(true);
    expect(
      isUnauthenticated(Object.assign(new Error('refused'), { data: { code: 'unauthenticated' } })),
    ).toBe(true);
    expect(isUnauthenticated('unauthenticated')).toBe(true);
  });

  it('leaves network trouble to the reconnection logic', () => {
    expect(isUnauthenticated(new Error('websocket error'))).toBe(false);
    expect(isUnauthenticated(new Error('timeout'))).toBe(false);
    expect(isUnauthenticated(Object.assign(new Error('x'), { data: { code: 'forbidden' } }))).toBe(false);
    expect(isUnauthenticated(undefined)).toBe(false);
  });
});
