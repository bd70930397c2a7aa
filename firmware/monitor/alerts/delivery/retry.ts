// Retries with backoff for a send that may meet a server restarting or a network hiccup. An
// error the next attempt cannot fix (a refused password, a rejected recipient) stops at once.

export interface RetryPolicy {
  /** The waits before the second, third, … attempt (ms): its length is the number of retries. */
  delaysMs: readonly number[];
  /** Waits; a parameter so tests need not sleep (the delays are then theirs to choose). */
  sleep?: (ms: number) => Promise<void>;
}

/** Three retries, 2 s, 10 s and 30 s apart: a relay that restarts is back within a minute. */
export const DEFAULT_RETRY: RetryPolicy = { delaysMs: [2_000, 10_000, 30_000] };
/** A test send reports the first failure: the person running it is waiting to read why. */
export const NO_RETRY: RetryPolicy = { delaysMs: [] };

/** An error that says so is not retried. */
export class PermanentError extends Error {}

const sleeper = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

/** Runs `attempt` until it resolves, a PermanentError, or the retries run out (the last error is thrown). */
export async function withRetries<T>(policy: RetryPolicy, attempt: (n: number) => Promise<T>): Promise<T> {
  const sleep = policy.sleep ?? sleeper;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      const delay = policy.delaysMs[n];
      if (err instanceof PermanentError || delay === undefined) throw err;
      await sleep(delay);
    }
  }
}

/**
 * Node's codes for a certificate that fails verification (DEPTH_ZERO_SELF_SIGNED_CERT,
 * CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, ERR_TLS_CERT_ALTNAME_INVALID, …): the same
 * certificate fails the same way on the next attempt.
 */
export const isCertificateError = (code: unknown): boolean => typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/.test(code);
