import { describe, expect, it } from 'vitest';
import { isOwnOrigin } from './origin.ts';

describe('same-origin check (CORS guard and Socket.IO handshake)', () => {
  it('takes a page from this host and port as its own, whatever the scheme, and nothing else', () => {
    expect(isOwnOrigin('http://ioc.example.vn:8080', 'ioc.example.vn:8080')).toBe(true);
    // TLS ended by a proxy: the page is https, the server sees http
    expect(isOwnOrigin('https://ioc.example.vn', 'ioc.example.vn')).toBe(true);
    expect(isOwnOrigin('https://ioc.example.vn', 'IOC.example.vn')).toBe(true);
    expect(isOwnOrigin('http://ioc.example.vn:9090', 'ioc.example.vn:8080')).toBe(false);
    expect(isOwnOrigin('https://ioc.example.vn.evil.test', 'ioc.example.vn')).toBe(false);
    expect(isOwnOrigin('null', 'ioc.example.vn')).toBe(false);
    expect(isOwnOrigin('http://ioc.example.vn', undefined)).toBe(false);
  });
});
