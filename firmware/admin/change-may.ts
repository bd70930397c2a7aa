// Which buttons a change request's page shows the signed-in account, and which requests wait for
// its approval: change control's own rules (firmware/control/changes/change-rules.ts) asked from
// the account's side, so a page never offers what the method would refuse and the two cannot
// drift apart. Pure; the methods decide again when a button is pressed.
import type { Permission } from './roles.ts';
import type { ChangeMay } from './api/changes-schema.ts';
import { actionsFor, approvalFactsOfLine, approvalRefusal, seesAll, stepRefusal, type ChangeCaller } from '../control/changes/change-rules.ts';
import type { ChangeRequest, ChangeSummary } from '../control/changes/change-schema.ts';

export { HEAD_NEEDED } from '../control/changes/change-rules.ts';

export interface ChangeViewer {
  /** The actor the account acts as: account:USERNAME. */
  actor: string;
  /** The account's permissions (changes.approve, changes.apply …). */
  permissions: readonly string[];
  /** Whether the account holds the headteacher's role. */
  head: boolean;
  /** Whether the account holds a senior role (headteacher or DSL): an investigation's approvers must. */
  senior: boolean;
}

const callerOf = (viewer: ChangeViewer): ChangeCaller => ({ actor: viewer.actor, ssh: false, permissions: new Set(viewer.permissions as Permission[]), head: viewer.head, senior: viewer.senior });

/**
 * Why an account holding changes.approve may not approve `request` now, or null when it may.
 * `requesterHead`: whether the account that asked holds the headteacher's role.
 */
export function approvalBlockedBy(request: ChangeRequest, viewer: ChangeViewer, requesterHead: boolean): string | null {
  return stepRefusal(request, { kind: 'approved', by: viewer.actor, head: viewer.head, senior: viewer.senior }, requesterHead) ?? null;
}

/**
 * Whether a list line waits for this account's approval now: the same rule, read from the line
 * (who approved is on it), so the list asks for no request. A line without its approvers (listed
 * without its details) never waits for its reader.
 */
export function waitsForApproval(line: ChangeSummary, viewer: ChangeViewer, requesterHead: boolean): boolean {
  const facts = approvalFactsOfLine(line);
  return facts !== undefined && approvalRefusal(facts, { by: viewer.actor, head: viewer.head, senior: viewer.senior }, requesterHead) === undefined;
}

export function changeMay(request: ChangeRequest, viewer: ChangeViewer, requesterHead: boolean): { may: ChangeMay; waitingOn: string | null } {
  const actions = new Set(actionsFor(callerOf(viewer), request, requesterHead));
  const approver = viewer.permissions.includes('changes.approve');
  return {
    may: {
      approve: actions.has('approve'),
      decline: actions.has('decline'),
      withdraw: actions.has('withdraw'),
      apply: actions.has('apply'),
      upstream: actions.has('upstream'),
    },
    waitingOn: approver && request.status === 'awaiting-approval' ? approvalBlockedBy(request, viewer, requesterHead) : null,
  };
}

/** Whether the list shows every request: to approvers, the IT provider and auditors; a member of staff sees their own. */
export function seesAllChanges(permissions: readonly string[]): boolean {
  return seesAll({ actor: '', ssh: false, permissions: new Set(permissions as Permission[]), head: false, senior: false });
}
