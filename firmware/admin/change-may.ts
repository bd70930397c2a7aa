// Which buttons a change request's page shows the signed-in account, and which requests wait for
// its approval: change control's rules (enforced by the methods in firmware/control/changes/)
// read from the account's side, so a page never offers what the method would refuse. Pure; the
// methods decide again when a button is pressed, so this only spares a person a refusal.
import type { ChangeMay } from './api/changes-schema.ts';
import type { ChangeRequest } from '../control/changes/change-schema.ts';

export interface ChangeViewer {
  /** The actor the account acts as: account:USERNAME. */
  actor: string;
  /** The account's permissions (changes.approve, changes.apply …). */
  permissions: readonly string[];
  /** Whether the account holds the headteacher's role. */
  head: boolean;
}

export const HEAD_NEEDED = 'this change reaches pupils: the headteacher must be one of the approvers';

/**
 * Why an account holding changes.approve may not approve `request` now, or null when it may.
 * `requesterHead`: whether the account that asked holds the headteacher's role.
 */
export function approvalBlockedBy(request: Pick<ChangeRequest, 'status' | 'requestedBy' | 'approvals' | 'needsHead'>, viewer: ChangeViewer, requesterHead: boolean): string | null {
  if (request.status !== 'awaiting-approval') return 'it is no longer awaiting approval';
  if (request.requestedBy === viewer.actor) return 'you asked for this change: two other people approve it';
  if (request.approvals.some((a) => a.by === viewer.actor)) return 'you have approved it: it waits for a second approver';
  // The second approval must bring a head in, unless one is already in (the requester or the first approver).
  if (request.needsHead && request.approvals.length === 1 && !request.approvals[0]!.head && !requesterHead && !viewer.head) return HEAD_NEEDED;
  return null;
}

export function changeMay(request: ChangeRequest, viewer: ChangeViewer, requesterHead: boolean): { may: ChangeMay; waitingOn: string | null } {
  const approver = viewer.permissions.includes('changes.approve');
  const applier = viewer.permissions.includes('changes.apply');
  const awaiting = request.status === 'awaiting-approval';
  const open = awaiting || request.status === 'approved';
  const blocked = approver ? approvalBlockedBy(request, viewer, requesterHead) : null;
  return {
    may: {
      approve: approver && blocked === null,
      decline: approver && awaiting && request.requestedBy !== viewer.actor,
      withdraw: open && (request.requestedBy === viewer.actor || approver),
      apply: applier && request.status === 'approved',
      upstream: applier && request.status === 'approved',
    },
    waitingOn: approver && awaiting ? blocked : null,
  };
}

/** Whether the list shows every request: to approvers, the IT provider and auditors; a member of staff sees their own. */
export function seesAllChanges(permissions: readonly string[]): boolean {
  return ['changes.approve', 'changes.apply', 'audit.view'].some((p) => permissions.includes(p));
}
