import { randomInt } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

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
