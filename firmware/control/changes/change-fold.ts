// A change request folded from its header and append-only steps (pure): its status, approvals and
// time to decision are never stored, so nothing can be edited after the fact. The list's line
// and order are read from the same fold.
import type { ChangeRequest, ChangeStatus, ChangeStep, ChangeSummary, Proposal } from './change-schema.ts';

/** What the store keeps of a request besides its steps. */
export interface ChangeHeader {
  id: number;
  proposal: Proposal;
  summary: string[];
  title: string;
  rationale: string;
  riskNote: string;
  fromAlert: number | null;
  requestedBy: string;
  requestedAt: string;
  needsHead: boolean;
  /** Whether the requester held the headteacher role when asking: the head asking counts as the head's approval of scope. */
  requestedByHead: boolean;
}

/** A step as stored: `head` says whether an approver held the headteacher role when approving. */
export interface StoredStep extends ChangeStep {
  head: boolean;
}

/** The request folded from its header and steps (oldest first). */
export function foldChange(header: ChangeHeader, steps: readonly StoredStep[]): ChangeRequest {
  let status: ChangeStatus = 'awaiting-approval';
  let decidedAt: string | null = null;
  const approvals: ChangeRequest['approvals'] = [];
  for (const step of steps) {
    switch (step.kind) {
      case 'approved':
        approvals.push({ by: step.by, at: step.at, note: step.note, head: step.head });
        if (approvals.length === 2) {
          status = 'approved';
          decidedAt = step.at;
        }
        break;
      case 'declined':
        status = 'declined';
        decidedAt = step.at;
        break;
      case 'withdrawn': status = 'withdrawn'; break;
      case 'applied': status = 'applied'; break;
      case 'sent-upstream': status = 'sent-upstream'; break;
      // A refused apply leaves the request approved: it can be tried again or withdrawn.
      case 'apply-failed': break;
    }
  }
  const decisionSeconds = decidedAt === null ? null : Math.max(0, Math.floor((Date.parse(decidedAt) - Date.parse(header.requestedAt)) / 1000));
  return {
    id: header.id, proposal: header.proposal, summary: header.summary, rationale: header.rationale, riskNote: header.riskNote,
    fromAlert: header.fromAlert, requestedBy: header.requestedBy, requestedAt: header.requestedAt, needsHead: header.needsHead,
    status, approvals, steps: steps.map(({ head: _head, ...step }) => step), decidedAt, decisionSeconds,
  };
}

export function summaryOf(change: ChangeRequest, title: string): ChangeSummary {
  return {
    id: change.id, kind: change.proposal.kind, title, requestedBy: change.requestedBy, requestedAt: change.requestedAt,
    status: change.status, approvals: change.approvals.length, approvedBy: change.approvals.map((a) => a.by), headApproved: change.approvals.some((a) => a.head),
    needsHead: change.needsHead, decidedAt: change.decidedAt,
  };
}

const STATUS_RANK: Readonly<Record<ChangeStatus, number>> = { 'awaiting-approval': 0, approved: 1, applied: 2, 'sent-upstream': 2, declined: 2, withdrawn: 2 };

/** Awaiting approval first (oldest first: the longest wait at the top), then approved (oldest first), then the rest newest first. */
export function listOrder(a: ChangeSummary, b: ChangeSummary): number {
  const rank = STATUS_RANK[a.status] - STATUS_RANK[b.status];
  if (rank !== 0) return rank;
  return STATUS_RANK[a.status] < 2 ? a.id - b.id : b.id - a.id;
}

