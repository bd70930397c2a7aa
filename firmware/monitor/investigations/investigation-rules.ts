// Investigations' rules (pure): who may see, end and save the evidence of one; which of the
// configuration's entries are due for their evidence; which query-log rows retention must leave;
// and the words the incident's timeline records. Asking for one and approving it are change
// control's rules (control/changes/change-rules.ts).
import type { Permission } from '../../admin/roles.ts';
import type { InvestigationEntry } from '../../config/investigations-schema.ts';
import type { Config } from '../../config/schema.ts';
import type { KeepWindow } from '../query-log/query-log-schema.ts';

/** A refusal because of who is asking (HTTP 403, CLI exit 1). */
export class InvestigationForbiddenError extends Error {
  override name = 'InvestigationForbiddenError';
}

/** Who is asking: a signed-in account (its roles now) or a technician over SSH. */
export interface InvestigationCaller {
  actor: string;
  ssh: boolean;
  permissions: ReadonlySet<Permission>;
  /** Holds the headteacher's or the DSL's role. */
  senior: boolean;
}

/** Seeing investigations: the accounts that review monitoring, and the technician over SSH (who may end one). */
export function viewRefusal(caller: InvestigationCaller): string | undefined {
  if (caller.ssh || caller.permissions.has('monitoring.review')) return undefined;
  return 'only the headteacher, the DSL, the online safety lead or the IT provider over SSH can see investigations';
}

/**
 * Ending one early, or saving its evidence so far: a senior account (headteacher, DSL), or the
 * technician over SSH. Ending only narrows what the device reaches, so it needs no approval.
 */
export function endRefusal(caller: InvestigationCaller, what: 'end' | 'save the evidence of'): string | undefined {
  if (caller.ssh || caller.senior) return undefined;
  return `only the headteacher or the DSL (or the IT provider over SSH) can ${what} an investigation`;
}

/** Retention leaves every investigated device's questions in its window until the entry leaves the configuration. */
export function keepWindows(config: Pick<Config, 'investigations'>): KeepWindow[] {
  return (config.investigations ?? []).flatMap((i) => {
    const since = Date.parse(i.from);
    const until = Date.parse(i.until);
    return Number.isNaN(since) || Number.isNaN(until) ? [] : [{ mac: i.device, since, until }];
  });
}

/** Entries past their end at `now`: their evidence is saved, then they leave the configuration. */
export function dueEntries(config: Pick<Config, 'investigations'>, now: Date): InvestigationEntry[] {
  return (config.investigations ?? []).filter((i) => !(Date.parse(i.until) > now.getTime()));
}

/** Why the incident may not be signed off while an investigation on it runs (or its evidence waits), or undefined. */
export function signOffBlock(config: Pick<Config, 'investigations'>, incidentId: number): string | undefined {
  const open = (config.investigations ?? []).find((i) => i.incidentId === incidentId);
  if (open === undefined) return undefined;
  return `investigation ${open.id} on this incident is still running or its evidence is not saved yet: end it (or wait for its evidence) before signing off`;
}

export interface TimelineNames {
  device: string;
  policy: string;
  until: string;
}

/** The incident's action entry when an investigation starts. */
export function startedWords(id: number, names: TimelineNames, approvedBy: readonly string[]): string {
  return `Investigation ${id} started: device ${names.device} is filtered by the ${names.policy} policy until ${names.until} (illegal-content lists still block), and every lookup it makes is kept as evidence. Approved by ${approvedBy.join(' and ')}.`;
}

/** The incident's action entry when an investigation ends early or expires. */
export function endedWords(id: number, how: 'ended' | 'expired', by: string, note: string | null): string {
  const what = how === 'ended' ? `Investigation ${id} ended early by ${by}` : `Investigation ${id} expired`;
  return `${what}: the device is back on its usual filtering.${note ? ` Note: ${note}` : ''}`;
}

/** The evidence attachment's description. */
export function evidenceWords(id: number, lookups: number, device: string, from: string, upTo: string, sha256: string): string {
  return `Evidence saved for investigation ${id}: ${lookups} lookup${lookups === 1 ? '' : 's'} by device ${device} from ${from} to ${upTo} (UTC), SHA-256 ${sha256}`;
}
