// How many wrong codes a guest may try. Pure: the caller counts the failures in state.db.
//
// Two limits. A device (its MAC, and its address, so a guest rotating its MAC is still counted
// by address) is locked out after a few failures in a window. And all guests together: past the
// global threshold (many devices guessing at once, or one rotating MACs and addresses) only
// devices that have failed recently are refused, so a visitor typing a correct code for the first
// time is never locked out by somebody else's guessing. With 5 tries a quarter-hour a device
// covers 480 codes a day against a space of 23^14 ≈ 1.2·10^19.
export interface AttemptLimits {
  /** Failures from one MAC or address within deviceWindowSeconds that lock it out. */
  deviceFailures: number;
  deviceWindowSeconds: number;
  /** Failures from all guests within globalWindowSeconds past which any device with a failure is refused. */
  globalFailures: number;
  globalWindowSeconds: number;
}

export const DEFAULT_LIMITS: AttemptLimits = { deviceFailures: 5, deviceWindowSeconds: 900, globalFailures: 100, globalWindowSeconds: 600 };

export interface FailureCounts {
  /** This device's failures (MAC or address) in its window. */
  device: number;
  /** Everyone's failures in the global window. */
  global: number;
}

export type AttemptVerdict = { allowed: true } | { allowed: false; scope: 'device' | 'global'; retryAfterSeconds: number };

export function attemptVerdict(counts: FailureCounts, limits: AttemptLimits = DEFAULT_LIMITS): AttemptVerdict {
  if (counts.device >= limits.deviceFailures) return { allowed: false, scope: 'device', retryAfterSeconds: limits.deviceWindowSeconds };
  if (counts.global >= limits.globalFailures && counts.device > 0) return { allowed: false, scope: 'global', retryAfterSeconds: limits.globalWindowSeconds };
  return { allowed: true };
}

/**
 * The lockout a failure just caused, if it was the one that reached a limit (so each lockout is
 * reported once, not at every refused try after it). `after` counts that failure.
 */
export function lockoutCaused(after: FailureCounts, limits: AttemptLimits = DEFAULT_LIMITS): 'device' | 'global' | undefined {
  if (after.device === limits.deviceFailures) return 'device';
  if (after.global === limits.globalFailures) return 'global';
  return undefined;
}
