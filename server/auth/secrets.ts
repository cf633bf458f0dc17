// Every password, secret and token hash of the IOC, in one place: argon2id for people's passwords,
// Mosquitto's PBKDF2 for device secrets, HS256 for session tokens, and constant-time comparison.
import { createHash, pbkdf2Sync, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';

// ---------------------------------------------------------------------------------------------
// People's passwords

// argon2id with the OWASP-recommended minimum (19 MiB, 2 passes, 1 lane): ~30 ms on this machine.
const OPTS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The shortest password a person may set. */
export const MIN_PASSWORD = 10;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTS);
}

let dummy: Promise<string> | undefined;

/**
 * Checks a password against an argon2id hash. With no hash (unknown user) it still spends the time
 * of one verification, so the answer's timing does not tell which usernames exist.
 */
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  if (!stored) {
    dummy ??= hashPassword('not-a-password-of-anyone');
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}

// no 0/O, 1/l/I: a generated password is read off a terminal and typed on a phone
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random password of 16 characters (~93 bits). */
export function generatePassword(length = 16): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

/** Why a password a person chose is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, username: string): string | undefined {
  if (password.length < MIN_PASSWORD) return `at least ${MIN_PASSWORD} characters`;
  if (password.length > 256) return 'at most 256 characters';
  if (password.toLowerCase().includes(username.toLowerCase())) return 'must not contain the username';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Machine secrets (devices, the IOC's own broker login, the ingest user), in Mosquitto 2.0's format

/**
 * Mosquitto 2.0's default (`mosquitto_passwd`, sha512-pbkdf2): `$7$<iterations>$<base64 12-byte salt>$<base64
 * 64-byte PBKDF2-HMAC-SHA512>`. The iteration count is Mosquitto's own default: a device secret is 192 random
 * bits, so guessing it is out of reach whatever the count, and a cheap check keeps a reconnect storm of a
 * thousand devices cheap for both brokers.
 */
const ITERATIONS = 101;
const SALT_BYTES = 12;
const HASH_BYTES = 64;

/** A new machine secret: 24 random bytes, base64url (32 characters). */
export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** Hashes a secret the way `mosquitto_passwd` does, so the hash goes into a Mosquitto password file as is. */
export function mosquittoHash(secret: string, opts: { iterations?: number; salt?: Buffer } = {}): string {
  const iterations = opts.iterations ?? ITERATIONS;
  const salt = opts.salt ?? randomBytes(SALT_BYTES);
  const hash = pbkdf2Sync(Buffer.from(secret, 'utf8'), salt, iterations, HASH_BYTES, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

const HASH_FORMAT = /^\$7\$(\d{1,7})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** Checks a secret against a `$7$` hash in constant time; false for anything malformed. */
export function verifyMosquittoHash(stored: string, secret: string): boolean {
  const m = HASH_FORMAT.exec(stored);
  if (!m) return false;
  const iterations = Number(m[1]);
  const salt = Buffer.from(m[2], 'base64');
  const want = Buffer.from(m[3], 'base64');
  if (iterations < 1 || want.length === 0) return false;
  const got = pbkdf2Sync(Buffer.from(secret, 'utf8'), salt, iterations, want.length, 'sha512');
  return timingSafeEqual(got, want);
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * Compares two secrets (a bearer token, a password held in memory) in time that depends neither on
 * where they differ nor on their lengths: both are hashed to 32 bytes first.
 */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * The IOC's own login to its embedded broker: made fresh by each process, known to nobody else. A
 * username no device can have (device ids have no colon) and a random password.
 */
export function internalCredentials(): { username: string; password: string; matches(p: string): boolean } {
  const password = generateSecret();
  return { username: 'ioc:server', password, matches: (p) => sameSecret(p, password) };
}

// ---------------------------------------------------------------------------------------------
// Session tokens: HS256 JWTs signed with a key every instance shares

const ISSUER = 'ioc';
const AUDIENCE = 'ioc-session';

/** A new session signing key (32 random bytes). */
export function newSigningKey(): Buffer {
  return randomBytes(32);
}

/** A session token naming session `sid` of user `sub`; times are epoch ms. */
export function signSessionToken(
  key: Uint8Array,
  claims: { sid: string; sub: string; role: string; issuedAt: number; expiresAt: number },
): Promise<string> {
  return new SignJWT({ sid: claims.sid, role: claims.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(Math.floor(claims.issuedAt / 1000))
    .setExpirationTime(Math.floor(claims.expiresAt / 1000))
    .sign(key);
}

/**
 * The session id a token names, or why it names none: HS256 only (`alg: none` and other algorithms
 * are refused), our issuer and audience, not expired at `now`.
 */
export async function verifySessionToken(
  key: Uint8Array,
  token: string,
  now: number,
): Promise<{ ok: true; sid: string } | { ok: false; reason: 'bad_token' | 'expired' }> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      currentDate: new Date(now),
    });
    if (typeof payload.sid !== 'string' || typeof payload.sub !== 'string')
      return { ok: false, reason: 'bad_token' };
    return { ok: true, sid: payload.sid };
  } catch (err) {
    return { ok: false, reason: err instanceof joseErrors.JWTExpired ? 'expired' : 'bad_token' };
  }
}
