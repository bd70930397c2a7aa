// "Report this" without cookies: the form carries a token the gateway signed, bound to the name
// the page was shown for (the Host), the device's address and the time. Another page cannot
// forge one, a token shown to one device does not work from another, and it expires. The key
// lives only in memory: a restart makes open forms stale, which costs a reload.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a shown form can still be sent. */
export const TOKEN_LIFETIME_MS = 60 * 60 * 1000;

export interface TokenSubject {
  host: string;
  address: string;
}

export type TokenCheck = { ok: true; issuedAt: number } | { ok: false; why: 'malformed' | 'forged' | 'expired' };

export class ReportTokens {
  readonly #key: Buffer;

  constructor(key: Buffer = randomBytes(32)) {
    this.#key = key;
  }

  issue(subject: TokenSubject, now: number): string {
    return `${now.toString(36)}.${this.#mac(subject, now)}`;
  }

  check(token: string, subject: TokenSubject, now: number): TokenCheck {
    const m = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return { ok: false, why: 'malformed' };
    const issuedAt = Number.parseInt(m[1]!, 36);
    const expected = Buffer.from(this.#mac(subject, issuedAt));
    const given = Buffer.from(m[2]!);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, why: 'forged' };
    if (issuedAt > now + 60_000 || now - issuedAt > TOKEN_LIFETIME_MS) return { ok: false, why: 'expired' };
    return { ok: true, issuedAt };
  }

  #mac(subject: TokenSubject, issuedAt: number): string {
    return createHmac('sha256', this.#key).update(`report\n${subject.host}\n${subject.address}\n${issuedAt}`).digest('base64url');
  }
}
