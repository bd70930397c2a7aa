// The change requests as the signed-in account sees them: every request for approvers, the IT
// provider and auditors (an investigation request as one line without its details, except to
// safeguarding staff), only their own for a member of staff, and which of them wait for this
// account's approval now (read from the list's lines, which name who approved: no request is read
// one by one). The list page and the dashboard's counts both read it.
import type { FastifyRequest } from 'fastify';
import type { ChangeListView, ChangeStatus } from '../control/changes/change-schema.ts';
import type { AccountRepository } from '../state/accounts.ts';
import { actorOf } from './auth/authenticator.ts';
import { accountPermissions } from './auth/views.ts';
import { SENIOR_ROLES } from '../control/changes/change-rules.ts';
import { seesAllChanges, waitsForApproval, type ChangeViewer } from './change-may.ts';
import { callControl, type AdminControl } from './control-call.ts';

export interface ChangeQueue extends ChangeListView {
  waitingForYou: number[];
  all: boolean;
}

export interface ChangeQueueDeps {
  control: AdminControl | undefined;
  accounts: Pick<AccountRepository, 'byUsername'>;
}

export function viewerOf(request: FastifyRequest): ChangeViewer {
  const account = request.signed!.account;
  return { actor: actorOf(account), permissions: accountPermissions(account), head: account.roles.includes('headteacher'), senior: account.roles.some((r) => SENIOR_ROLES.includes(r)) };
}

/** Whether an actor is an account holding the headteacher's role (an SSH actor holds none here). */
export function actorIsHead(accounts: ChangeQueueDeps['accounts'], actor: string): boolean {
  return actor.startsWith('account:') && (accounts.byUsername(actor.slice('account:'.length))?.roles.includes('headteacher') ?? false);
}

export async function changeQueue(deps: ChangeQueueDeps, request: FastifyRequest, status?: ChangeStatus): Promise<ChangeQueue> {
  const viewer = viewerOf(request);
  const all = seesAllChanges(viewer.permissions);
  const list = await callControl<ChangeListView>(deps.control, request.signed, 'changes', { ...(status ? { status } : {}), ...(all ? {} : { mine: true }) });
  const waitingForYou = !viewer.permissions.includes('changes.approve') ? [] : list.changes
    .filter((line) => line.status === 'awaiting-approval' && waitsForApproval(line, viewer, actorIsHead(deps.accounts, line.requestedBy)))
    .map((line) => line.id);
  return { ...list, waitingForYou, all };
}
