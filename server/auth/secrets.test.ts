import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generatePassword,
  generateSecret,
  hashPassword,
  mosquittoHash,
  passwordProblem,
  sameSecret,
  verifyMosquittoHash,
  verifyPassword,
} from './secrets.ts';

describe('passwords', () => {
  it('hashes with argon2id, verifies the right password only', async () => {
    const h = await hashPassword('cầu Thị Nại 2026');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(h, 'cầu Thị Nại 2026')).toBe(true);
    expect(await verifyPassword(h, 'cầu Thị Nại 2025')).toBe(false);
    expect(await verifyPassword(undefined, 'anything')).toBe(false);
  });
  it('generates unambiguous random passwords and refuses weak chosen ones', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{16}$/);
    expect(generatePassword()).not.toBe(a);
    expect(passwordProblem('short', 'bob')).toMatch(/at least 10/);
    expect(passwordProblem('bob-is-my-name-1', 'bob')).toMatch(/username/);
    expect(passwordProblem('một câu dài dễ nhớ', 'bob')).toBeUndefined();
  });
});

const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';
const havePasswd = existsSync(MOSQUITTO_PASSWD);
if (!havePasswd && process.env.IOC_REQUIRE_SERVICES === '1')
  throw new Error(
    `IOC_REQUIRE_SERVICES=1 but ${MOSQUITTO_PASSWD} is not installed (apt-get install mosquitto)`,
  );

describe('device secrets in Mosquitto 2.0 format', () => {
  it('hashes as $7$<iterations>$<base64 12-byte salt>$<base64 64-byte hash>', () => {
    const h = mosquittoHash('s3cret');
    const m = /^\$7\$101\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(h);
    expect(m).not.toBeNull();
    expect(Buffer.from(m?.[1] ?? '', 'base64')).toHaveLength(12);
    expect(Buffer.from(m?.[2] ?? '', 'base64')).toHaveLength(64);
    expect(verifyMosquittoHash(h, 's3cret')).toBe(true);
    expect(verifyMosquittoHash(h, 's3creT')).toBe(false);
    expect(verifyMosquittoHash(h, '')).toBe(false);
    // a fresh salt each time
    expect(mosquittoHash('s3cret')).not.toBe(h);
    expect(verifyMosquittoHash('$6$abc$def', 's3cret')).toBe(false);
    expect(verifyMosquittoHash('garbage', 's3cret')).toBe(false);
  });

  it('makes 24-byte random secrets (base64url)', () => {
    const s = generateSecret();
    expect(s).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(generateSecret()).not.toBe(s);
  });

  describe.runIf(havePasswd)('against the real mosquitto_passwd', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'ioc-passwd-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('verifies the hashes mosquitto_passwd writes, and reproduces them from their salt', () => {
      const file = path.join(dir, 'passwd');
      const secret = generateSecret();
      execFileSync(MOSQUITTO_PASSWD, ['-c', '-b', file, 'cam-1', secret]);
      execFileSync(MOSQUITTO_PASSWD, ['-b', file, 'odd', 'pässwörd with spaces']);
      const lines = Object.fromEntries(
        readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]),
      );
      expect(lines['cam-1']).toMatch(/^\$7\$101\$/);
      expect(verifyMosquittoHash(lines['cam-1'], secret)).toBe(true);
      expect(verifyMosquittoHash(lines['cam-1'], `${secret}x`)).toBe(false);
      expect(verifyMosquittoHash(lines.odd, 'pässwörd with spaces')).toBe(true);
      // the same salt and iterations give byte for byte the line mosquitto_passwd wrote
      const [, , iterations, salt] = lines['cam-1'].split('$');
      expect(
        mosquittoHash(secret, { iterations: Number(iterations), salt: Buffer.from(salt, 'base64') }),
      ).toBe(lines['cam-1']);
    });
  });
});

describe('sameSecret', () => {
  it('is true for the same secret only, whatever the lengths', () => {
    expect(sameSecret('scrape-token-0123456789', 'scrape-token-0123456789')).toBe(true);
    expect(sameSecret('scrape-token-0123456789', 'scrape-token-9876543210')).toBe(false);
    expect(sameSecret('scrape-token', 'scrape-token-0123456789')).toBe(false);
    expect(sameSecret('', 'x')).toBe(false);
  });
});
