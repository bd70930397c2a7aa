// Password hashing and the password policy. argon2id from node:crypto (no native package): 19 MiB,
// 2 passes, parallelism 1, OWASP's minimum, which costs ~55 ms here and more on a Pi; that cost
// is the point, and the login rate limit keeps it from being a way to load the box.
import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RULES_DIR } from '../../paths.ts';

const argon2Async = promisify(argon2);
const MEMORY_KIB = 19 * 1024;
const PASSES = 2;
const PARALLELISM = 1;
const TAG_LENGTH = 32;
export const MIN_PASSWORD_LENGTH = 12;

/** PHC string format, so the parameters travel with each hash and can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const nonce = randomBytes(16);
  const tag = await derive(password, nonce, MEMORY_KIB, PASSES, PARALLELISM);
  return `$argon2id$v=19$m=${MEMORY_KIB},t=${PASSES},p=${PARALLELISM}$${nonce.toString('base64url')}$${tag.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
  if (!m) return false;
  const expected = Buffer.from(m[5]!, 'base64url');
  const tag = await derive(password, Buffer.from(m[4]!, 'base64url'), Number(m[1]), Number(m[2]), Number(m[3]), expected.length);
  return tag.length === expected.length && timingSafeEqual(tag, expected);
}

function derive(password: string, nonce: Buffer, memory: number, passes: number, parallelism: number, tagLength = TAG_LENGTH): Promise<Buffer> {
  return argon2Async('argon2id', { message: Buffer.from(password, 'utf8'), nonce, memory, passes, parallelism, tagLength });
}

/** A hash no password matches, verified when the username is unknown so the answer takes as long. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(24).toString('base64url'));
  return decoy;
}

let common: Set<string> | undefined;
/** rules/passwords/common-12.txt (its header names the source), read once on first use. */
function commonPasswords(): Set<string> {
  if (!common) {
    const text = readFileSync(join(RULES_DIR, 'passwords', 'common-12.txt'), 'utf8');
    common = new Set(text.split('\n').filter((line) => line !== '' && !line.startsWith('#')));
  }
  return common;
}

/** Why a new password is refused, or undefined if it is acceptable. */
export function passwordProblem(password: string, username?: string): string | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) return 'is one of the most common passwords: choose another';
  if (username !== undefined && lower.includes(username.toLowerCase())) return 'must not contain the username';
  return undefined;
}

// No 0/O or 1/l/I: a temporary password is read off a screen or paper and typed.
const TEMP_ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random password for a new account, a reset, or the break-glass account (groups of four). */
export function temporaryPassword(length = 20): string {
  const chars: string[] = [];
  // Rejection sampling keeps every character equally likely.
  while (chars.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 256 - (256 % TEMP_ALPHABET.length) && chars.length < length) chars.push(TEMP_ALPHABET[byte % TEMP_ALPHABET.length]!);
    }
  }
  return chars.join('').replace(/(.{4})(?=.)/g, '$1-');
}
