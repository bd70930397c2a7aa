// An investigation's record folded into the view every surface shows (pure): the started fact
// holds its terms, an ended or expired fact closes it, each evidence fact is one saving. The
// status is folded, never stored; an investigation past its time whose expiry the daemon has not
// yet recorded (it was off) already shows as expired.
import type { Investigation, InvestigationEvidence, InvestigationStatus } from './investigation-schema.ts';

export const EVENT_KINDS = ['started', 'ended', 'expired', 'evidence'] as const;
export type InvestigationEventKind = (typeof EVENT_KINDS)[number];

export interface StartedBody {
  incidentId: number;
  device: string;
  policy: string;
  from: string;
  until: string;
  requestedBy: string;
  approvedBy: string[];
}
export interface EndedBody { note: string | null }
export type EvidenceBody = Omit<InvestigationEvidence, 'at' | 'by'>;

export interface InvestigationEvent {
  id: number;
  investigationId: number;
  kind: InvestigationEventKind;
  at: string;
  by: string;
  body: Record<string, unknown>;
}

export interface FoldNames {
  deviceName: (mac: string) => string | null;
  policyName: (id: string) => string | undefined;
}

/** The events of one investigation, oldest first, as its view; undefined when it never started. */
export function foldInvestigation(events: readonly InvestigationEvent[], now: Date, names: FoldNames): Investigation | undefined {
  const started = events.find((e) => e.kind === 'started');
  if (started === undefined) return undefined;
  const s = started.body as unknown as StartedBody;
  const end = events.find((e) => e.kind === 'ended' || e.kind === 'expired');
  let status: InvestigationStatus;
  if (end !== undefined) status = end.kind === 'ended' ? 'ended' : 'expired';
  else status = Date.parse(s.until) <= now.getTime() ? 'expired' : 'in-force';
  const evidence = events.filter((e) => e.kind === 'evidence').map((e): InvestigationEvidence => {
    const b = e.body as unknown as EvidenceBody;
    return { attachmentId: b.attachmentId, at: e.at, upTo: b.upTo, lookups: b.lookups, sha256: b.sha256, by: e.by };
  });
  return {
    id: started.investigationId, incidentId: s.incidentId, device: s.device, deviceName: names.deviceName(s.device),
    policy: s.policy, policyName: names.policyName(s.policy) ?? s.policy, from: s.from, until: s.until,
    endedAt: end?.at ?? (status === 'expired' ? s.until : null), endedBy: end?.by ?? (status === 'expired' ? 'system' : null),
    status, requestId: started.investigationId, requestedBy: s.requestedBy, approvedBy: [...s.approvedBy], evidence,
  };
}

/** When the investigation's window closes: its end if ended early, else its expiry. */
export function windowEnd(view: Pick<Investigation, 'until' | 'endedAt' | 'status'>): string {
  return view.status === 'ended' && view.endedAt !== null ? view.endedAt : view.until;
}

/** In force first (soonest expiry first), then the rest newest first. */
export function listOrder(a: Investigation, b: Investigation): number {
  const live = (i: Investigation) => (i.status === 'in-force' ? 0 : 1);
  if (live(a) !== live(b)) return live(a) - live(b);
  if (live(a) === 0) return a.until.localeCompare(b.until) || a.id - b.id;
  return b.from.localeCompare(a.from) || b.id - a.id;
}
