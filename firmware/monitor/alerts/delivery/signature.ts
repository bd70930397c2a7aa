// The webhook's signature: HMAC-SHA256 over `timestamp + "." + body` with the shared secret, sent
// as `Schoolgate-Signature: t=<unix seconds>,v1=<hex>`. The timestamp is inside what is signed,
// so a receiver that refuses old timestamps refuses a replayed request; the delivery id (in the
// body) lets it drop a repeat within that window. verifySignature is what a receiver does, and
// the tests hold the two to each other.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'schoolgate-signature';
/** How old a signed request may be before a receiver should refuse it (docs/alert-webhook.md). */
export const DEFAULT_TOLERANCE_S = 300;

export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signatureOf(secret, timestamp, body)}`;
}

export type Verdict = { ok: true; timestamp: number } | { ok: false; error: string };

/** A receiver's check: the header parses, the signature matches, and it is recent (both ways). */
export function verifySignature(secret: string, header: string | undefined, body: string, nowS: number, toleranceS = DEFAULT_TOLERANCE_S): Verdict {
  if (header === undefined) return { ok: false, error: 'no Schoolgate-Signature header' };
  const parts = new Map(header.split(',').map((p) => {
    const at = p.indexOf('=');
    return [p.slice(0, at).trim(), p.slice(at + 1).trim()] as const;
  }));
  const t = parts.get('t');
  const v1 = parts.get('v1');
  if (t === undefined || !/^\d{1,12}$/.test(t) || v1 === undefined || !/^[0-9a-f]{64}$/.test(v1)) {
    return { ok: false, error: 'the signature header is not t=<seconds>,v1=<64 hex digits>' };
  }
  const timestamp = Number(t);
  const expected = Buffer.from(signatureOf(secret, timestamp, body), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(v1, 'hex'))) return { ok: false, error: 'the signature does not match (wrong secret, or the body was changed)' };
  if (Math.abs(nowS - timestamp) > toleranceS) return { ok: false, error: `the timestamp is ${nowS - timestamp} s from now (more than ${toleranceS} s): a replay, or a clock that is wrong` };
  return { ok: true, timestamp };
}
