// Who was behind a guest device at a moment: the visitor and the sponsor of the voucher it was
// signed in with then, from the voucher-device records (state.db), joined when a record is read
// or an alert raised. Never on the DNS path: a question on guest is logged by its MAC as any other,
// and the MAC and time name the visitor afterwards, so answering costs nothing more and a record
// read a month later names who it was then, not who holds the address now. Pure.

/** One device's time signed in with one voucher, with the people the voucher names. */
export interface GuestSession {
  mac: string;
  networkId: string | null;
  /** Signed in (the first time with this voucher). */
  from: string;
  /** Signed out, revoked or expired; while it lasts, when it will expire. */
  until: string;
  visitor: string | null;
  organisation: string | null;
  sponsor: string | null;
  /** The office's note of who got a voucher that names no visitor. */
  label: string | null;
  issuedBy: string;
}

/** "visitor NAME (ORG), sponsored by STAFF", as the policy asks the records to say. */
export function guestLabel(s: Pick<GuestSession, 'visitor' | 'organisation' | 'sponsor' | 'label' | 'issuedBy'>): string {
  const who = s.visitor ?? s.label;
  if (who === null) return `an unnamed guest voucher issued by ${s.issuedBy}`;
  const visitor = `visitor ${who}${s.organisation ? ` (${s.organisation})` : ''}`;
  // A voucher the office gave out names who issued it: the school's record of who got it.
  return s.sponsor ? `${visitor}, sponsored by ${s.sponsor}` : `${visitor}, voucher issued by ${s.issuedBy}`;
}

/**
 * The session covering `at` (ms) on `networkId` among one device's sessions; the latest to start
 * when two overlap (a second voucher entered before the first ran out).
 */
export function sessionAt(sessions: readonly GuestSession[], at: number, networkId: string | null): GuestSession | undefined {
  let found: GuestSession | undefined;
  let foundFrom = -Infinity;
  for (const s of sessions) {
    if (networkId !== null && s.networkId !== null && s.networkId !== networkId) continue;
    const from = Date.parse(s.from);
    if (at < from || at > Date.parse(s.until) || from < foundFrom) continue;
    found = s;
    foundFrom = from;
  }
  return found;
}

/** The label for a device at a moment, or undefined when no voucher had it signed in. */
export function guestAt(sessions: readonly GuestSession[], at: number, networkId: string | null): string | undefined {
  const s = sessionAt(sessions, at, networkId);
  return s === undefined ? undefined : guestLabel(s);
}

/** Who is asked: the device's voucher sessions, and whether a network is a guest one. */
export interface GuestNamerSource {
  guestSessions(mac: string): GuestSession[];
  isGuestNetwork(networkId: string): boolean;
}

/**
 * The label of the guest device `mac` on `networkId` at `at`, or undefined: a device on another
 * kind of network is not looked up at all (its records name it by the device table).
 */
export function guestNamer(source: GuestNamerSource): (mac: string, networkId: string | null, at: number) => string | undefined {
  return (mac, networkId, at) => {
    if (networkId === null || !source.isGuestNetwork(networkId)) return undefined;
    return guestAt(source.guestSessions(mac), at, networkId);
  };
}

/** A reason with the visitor's label after it, within the alert's 500 characters. */
export function withGuest(reason: string, label: string, max = 500): string {
  const suffix = `; ${label}`.slice(0, max - 1);
  return reason.slice(0, max - suffix.length) + suffix;
}

/** guestNamer over state.db's voucher records and the networks in force (the daemon's wiring). */
export function guestNamerFor(vouchers: Pick<GuestNamerSource, 'guestSessions'>, networks: () => readonly { id: string; kind: string }[]): ReturnType<typeof guestNamer> {
  return guestNamer({
    guestSessions: (mac) => vouchers.guestSessions(mac),
    isGuestNetwork: (id) => networks().some((n) => n.id === id && n.kind === 'guest'),
  });
}

/**
 * The label of the device's latest session still running at or after `since` (ms): who a device
 * in a recent span's counts was (the dashboard's most blocked devices), where no moment is known.
 */
export function latestGuest(sessions: readonly GuestSession[], since: number): string | undefined {
  let found: GuestSession | undefined;
  for (const s of sessions) if (Date.parse(s.until) >= since && (found === undefined || s.from >= found.from)) found = s;
  return found === undefined ? undefined : guestLabel(found);
}

/** Every visitor label whose session overlaps [from, to) (ms), oldest first, each once: a week's records. */
export function guestsIn(sessions: readonly GuestSession[], from: number, to: number): string[] {
  const labels: string[] = [];
  for (const s of [...sessions].sort((a, b) => a.from.localeCompare(b.from))) {
    if (Date.parse(s.from) >= to || Date.parse(s.until) < from) continue;
    const label = guestLabel(s);
    if (!labels.includes(label)) labels.push(label);
  }
  return labels;
}
