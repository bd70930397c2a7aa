// Change control's rules, pure: who may take each step, whether the head must be among the
// approvers, and the refusals in words a headteacher reads (the fold is change-fold.ts).
// Two layers: stepRefusal holds what the record itself must keep (no self-approval, two different
// accounts, the head when pupils are in scope, final outcomes stay final) and runs inside the
// store's transaction, so two people clicking at once cannot both give the second approval;
// permissionRefusal holds what the caller's roles allow, checked by the service first.
import { permissionsOf, type Permission, type Role } from '../../admin/roles.ts';
import type { Config } from '../../config/schema.ts';
import { MacAddressError, normaliseMac } from '../../state/mac.ts';
import { INVESTIGATION_DAYS_MAX } from '../../monitor/investigations/investigation-schema.ts';
import { canonicalMove, deviceMoveNeedsHead, deviceMoveRefusal, type DeviceFactsOf } from './device-move.ts';
import { STATUS_LABELS, type ChangeRequest, type ChangeRequestFields, type ChangeStatus, type ChangeSummary, type ExceptionProposal, type Proposal, type StepKind } from './change-schema.ts';

/** A refusal by the rules of change control (HTTP 409, CLI exit 1). */
export class ChangeStateError extends Error {
  override name = 'ChangeStateError';
}

/** A refusal because of who is asking (HTTP 403, CLI exit 1). */
export class ChangeForbiddenError extends Error {
  override name = 'ChangeForbiddenError';
}

/** A step about to be recorded. */
export interface NewStep {
  kind: StepKind;
  by: string;
  head: boolean;
  /** The approver holds a senior role (headteacher or DSL): an investigation's approvals need two. */
  senior?: boolean | undefined;
  note?: string | undefined;
  reference?: string | undefined;
}

/** Who is asking: an account in the web UI (its roles now) or a technician over SSH. */
export interface ChangeCaller {
  actor: string;
  ssh: boolean;
  permissions: ReadonlySet<Permission>;
  head: boolean;
  senior: boolean;
}

/** The roles senior enough to approve an investigation (the schools' "senior staff involved"). */
export const SENIOR_ROLES: readonly Role[] = ['headteacher', 'dsl'];

/** The permissions an SSH caller has: the IT provider's (technician), never an approver's. */
export const SSH_PERMISSIONS: ReadonlySet<Permission> = permissionsOf(['technician']);

export function accountCaller(username: string, roles: readonly Role[]): ChangeCaller {
  return { actor: `account:${username}`, ssh: false, permissions: permissionsOf(roles), head: roles.includes('headteacher'), senior: roles.some((r) => SENIOR_ROLES.includes(r)) };
}

export function sshCaller(actor: string): ChangeCaller {
  return { actor, ssh: true, permissions: SSH_PERMISSIONS, head: false, senior: false };
}

export const isAccountActor = (actor: string): boolean => actor.startsWith('account:');

/** The gateway itself: the actor of an investigation applied on its second approval. */
export const SYSTEM_ACTOR = 'system';

/** The note of the applied step the gateway records when an investigation is applied on its second approval. */
export const APPLIED_ON_APPROVAL = 'applied on approval';

/**
 * Whether the gateway applies this request itself, now: an investigation once approved. It is a
 * structured proposal with nothing technical for the IT provider to check, and need-to-know.
 */
export function appliesOnApproval(change: Pick<ChangeRequest, 'proposal' | 'status'>): boolean {
  return change.proposal.kind === 'investigation' && change.status === 'approved';
}

/**
 * Whether one approval must come from the headteacher: an allow reaching any network that is not
 * a staff network (pupils, guests, school devices keep standard filtering unless the head
 * decides otherwise); an allow for named devices, on any network (the policies: the head approves
 * a single device, a pupil's smartwatch or a staff member's child's tablet); any page edit (a
 * policy decides who it applies to); a device moved into a group that lets it reach more, unless
 * it is on a staff network. Ending an exception or blocking a name only narrows what is
 * reached, so it never needs the head.
 */
export function needsHeadFor(proposal: Proposal, config: Pick<Config, 'networks'>, deviceOf?: DeviceFactsOf): boolean {
  switch (proposal.kind) {
    case 'exception': {
      if (proposal.action === 'block') return false;
      if (isForDevices(proposal)) return true;
      const kinds = new Map(config.networks.map((n) => [n.id, n.kind]));
      return proposal.networks.some((id) => kinds.get(id) !== 'staff');
    }
    case 'config': return true;
    case 'exception-end': return false;
    // Its own rule instead: both approvers senior (stepRefusal).
    case 'investigation': return false;
    case 'device-group': return deviceMoveNeedsHead(config, deviceOf?.(proposal.mac));
  }
}

/** What an investigation request is checked against beyond the configuration. */
export interface InvestigationFacts {
  /** The incident's status, or undefined when there is no such incident. */
  incidentStatus: (id: number) => 'open' | 'closed' | undefined;
  /** The devices table, for a device moved into another group. */
  device?: DeviceFactsOf;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The latest an investigation asked for now may run until: 14 days, and never past the query log's retention (its evidence must still be there when it ends). */
export function investigationLimit(config: Pick<Config, 'retention'>, now: Date): Date {
  const days = Math.min(INVESTIGATION_DAYS_MAX, config.retention.queryEventsDays);
  return new Date(now.getTime() + days * DAY_MS);
}

/** Only accounts that review monitoring (the head, the DSL, the online safety lead) may ask for an investigation. */
export function investigationRequestForbidden(caller: ChangeCaller): string | undefined {
  if (caller.ssh || !caller.permissions.has('monitoring.review')) return 'only the headteacher, the DSL or the online safety lead can ask for an investigation';
  return undefined;
}

function investigationRefusal(p: Extract<Proposal, { kind: 'investigation' }>, config: Pick<Config, 'policies' | 'retention' | 'investigations'>, now: Date, facts: InvestigationFacts | undefined): string | undefined {
  const status = facts?.incidentStatus(p.incidentId);
  if (status === undefined) return `there is no incident ${p.incidentId}: an investigation belongs to an incident`;
  if (status !== 'open') return `incident ${p.incidentId} is closed: an investigation belongs to an open incident`;
  if (!config.policies.some((policy) => policy.id === p.policy)) return `there is no policy "${p.policy}" (policies: ${config.policies.map((policy) => policy.id).join(', ')})`;
  const until = Date.parse(p.until);
  if (!(until > now.getTime())) return 'the end has already passed: choose a time in the future';
  const limit = investigationLimit(config, now);
  if (until > limit.getTime()) {
    const days = Math.min(INVESTIGATION_DAYS_MAX, config.retention.queryEventsDays);
    return `an investigation may run for at most ${days} days${days < INVESTIGATION_DAYS_MAX ? " (the query log's retention: its evidence must still be there when it ends)" : ''}: end it by ${limit.toISOString()}`;
  }
  if ((config.investigations ?? []).some((i) => i.device === p.device && Date.parse(i.until) > now.getTime())) {
    return `device ${p.device} is already under investigation: end that one first`;
  }
  return undefined;
}

/** Why a request cannot be made against this configuration, or undefined. The schema has already checked its shape. */
export function requestRefusal(
  fields: ChangeRequestFields, config: Pick<Config, 'networks' | 'deviceGroups' | 'exceptions' | 'policies' | 'retention' | 'investigations'>, now: Date, facts?: InvestigationFacts,
): string | undefined {
  if (fields.rationale.trim().length < 10) return 'say why, in at least 10 characters: the educational reason is part of the record';
  if (fields.riskNote.trim().length < 10) return 'say what the risk is and why it is acceptable, in at least 10 characters';
  const p = fields.proposal;
  if (p.kind === 'exception') {
    const networks = new Set(config.networks.map((n) => n.id));
    const unknown = p.networks.filter((n) => !networks.has(n));
    if (unknown.length > 0) return `there is no network ${unknown.map((n) => `"${n}"`).join(', ')} (networks: ${[...networks].join(', ')})`;
    const groups = new Set(config.deviceGroups.map((g) => g.id));
    const unknownGroups = (p.groups ?? []).filter((g) => !groups.has(g));
    if (unknownGroups.length > 0) return `there is no device group ${unknownGroups.map((g) => `"${g}"`).join(', ')}${groups.size > 0 ? ` (groups: ${[...groups].join(', ')})` : ''}`;
    // A device the gateway has not seen yet is fine to name (it may not have joined): only its
    // address must be one.
    for (const mac of p.devices ?? []) {
      const problem = macProblem(mac);
      if (problem !== undefined) return `a device is named by its MAC address, and ${problem}`;
    }
    if (p.expires !== undefined && Date.parse(p.expires) <= now.getTime()) return 'the end date has already passed: choose a time in the future';
  }
  if (p.kind === 'exception-end' && !config.exceptions.some((e) => e.id === p.exceptionId)) {
    return `there is no exception "${p.exceptionId}" in force to end`;
  }
  if (p.kind === 'config' && p.edits.length === 0) return 'the request changes nothing';
  if (p.kind === 'investigation') return investigationRefusal(p, config, now, facts);
  if (p.kind === 'device-group') return deviceMoveRefusal(p, config, facts?.device);
  return undefined;
}

function macProblem(text: string): string | undefined {
  try {
    normaliseMac(text);
    return undefined;
  } catch (error) {
    if (error instanceof MacAddressError) return error.message;
    throw error;
  }
}

/** Whether an exception proposal names devices. */
export const isForDevices = (p: Pick<ExceptionProposal, 'devices'>): boolean => p.devices !== undefined && p.devices.length > 0;

/**
 * The proposal as it is stored: each device's MAC in the one spelling the devices table and the
 * DNS engine use, each device once. Run after requestRefusal, which has checked every MAC.
 */
export function canonicalProposal(proposal: Proposal): Proposal {
  if (proposal.kind === 'device-group') return canonicalMove(proposal);
  if (proposal.kind !== 'exception' || proposal.devices === undefined) return proposal;
  return { ...proposal, devices: [...new Set(proposal.devices.map(normaliseMac))] };
}

const FINAL_WORDS: Partial<Record<ChangeStatus, string>> = {
  applied: 'it has been applied',
  'sent-upstream': 'it has been sent to the filtering provider',
  declined: 'it was declined, and a declined request is final (ask again with a new request)',
  withdrawn: 'it was withdrawn, and a withdrawn request is final (ask again with a new request)',
};

const isOpen = (status: ChangeStatus): boolean => status === 'awaiting-approval' || status === 'approved';

function notNow(change: Pick<ChangeRequest, 'id' | 'status'>, what: string): string {
  const final = FINAL_WORDS[change.status];
  if (final !== undefined) return `request ${change.id} cannot be ${what}: ${final}`;
  return `request ${change.id} cannot be ${what}: it is ${STATUS_LABELS[change.status].toLowerCase()}`;
}

/** The words that say why the second approval needs the head. */
export const HEAD_NEEDED = 'this change reaches pupils: the headteacher must be one of the approvers';
export const HEAD_NEEDED_FOR_DEVICES = 'this change is for named devices: the headteacher must be one of the approvers';
export const HEAD_NEEDED_FOR_MOVE = 'this moves a device that is not on a staff network: the headteacher must be one of the approvers';

/** Why the head must be among the approvers, as a request's notes say it beside its approvals. */
export const headScope = (p: Proposal): string =>
  `${p.kind === 'exception' && p.action === 'allow' && isForDevices(p) ? 'it is for named devices' : p.kind === 'device-group' ? 'the device is not on a staff network' : 'pupils are in scope'}: the headteacher must be one of the approvers`;

/** Why this proposal needs the head, in the words a refusal gives. */
export const headNeededWords = (p: Proposal): string => (p.kind === 'exception' && p.action === 'allow' && isForDevices(p) ? HEAD_NEEDED_FOR_DEVICES
  : p.kind === 'device-group' ? HEAD_NEEDED_FOR_MOVE : HEAD_NEEDED);

/** Who approves an investigation, in the words every surface uses (a head who is also the DSL still needs a second senior account). */
export const SENIOR_APPROVERS = 'two senior accounts, each a headteacher or a DSL';

/** The words that say why an approver of an investigation must be senior. */
export const SENIOR_NEEDED = `an investigation is approved by ${SENIOR_APPROVERS}`;

/** What the approval rule reads of a request: the request folded, or its list line (approvalFactsOfLine). */
export interface ApprovalFacts {
  id: number;
  status: ChangeStatus;
  requestedBy: string;
  kind: Proposal['kind'];
  needsHead: boolean;
  approvedBy: readonly string[];
  /** A headteacher is among the approvals so far. */
  headApproved: boolean;
}

export const approvalFactsOf = (change: ChangeRequest): ApprovalFacts => ({
  id: change.id, status: change.status, requestedBy: change.requestedBy, kind: change.proposal.kind, needsHead: change.needsHead,
  approvedBy: change.approvals.map((a) => a.by), headApproved: change.approvals.some((a) => a.head),
});

/** A list line's approval facts; undefined for a line listed without its details (its reader approves nothing they cannot see). */
export const approvalFactsOfLine = (line: ChangeSummary): ApprovalFacts | undefined =>
  (line.approvedBy === undefined ? undefined : { ...line, approvedBy: line.approvedBy, headApproved: line.headApproved ?? false });

/**
 * Why this approval is refused now, or undefined: one rule, read by the store (stepRefusal), a
 * request's page and the list's "waiting for your approval" alike. `headWords`: why the head must
 * be among the approvers, in this request's words.
 */
export function approvalRefusal(facts: ApprovalFacts, step: Pick<NewStep, 'by' | 'head' | 'senior'>, requestedByHead: boolean, headWords: string = HEAD_NEEDED): string | undefined {
  if (!isAccountActor(step.by)) return 'approvals are given in the web UI by a signed-in approver, not over SSH';
  if (facts.status !== 'awaiting-approval') return notNow(facts, 'approved');
  if (step.by === facts.requestedBy) return 'no one approves their own request: two other approvers must agree';
  if (facts.approvedBy.includes(step.by)) return 'you have already approved this request: the second approval must come from a different person';
  if (facts.kind === 'investigation' && step.senior !== true) return SENIOR_NEEDED;
  const second = facts.approvedBy.length === 1;
  if (second && facts.needsHead && !requestedByHead && !facts.headApproved && !step.head) return headWords;
  return undefined;
}

/**
 * Why the record refuses this step now, or undefined: the rules that hold whoever is asking.
 * Run inside the transaction that appends it.
 */
export function stepRefusal(change: ChangeRequest, step: NewStep, requestedByHead: boolean): string | undefined {
  switch (step.kind) {
    case 'approved':
      return approvalRefusal(approvalFactsOf(change), step, requestedByHead, headNeededWords(change.proposal));
    case 'declined':
      if (!isAccountActor(step.by)) return 'a request is declined in the web UI by a signed-in approver, not over SSH';
      if (change.status !== 'awaiting-approval') return notNow(change, 'declined');
      if (step.by === change.requestedBy) return 'you cannot decline your own request: withdraw it instead';
      if ((step.note ?? '').trim().length < 3) return 'say why it is declined: the person who asked is told';
      return undefined;
    case 'withdrawn':
      if (!isOpen(change.status)) return notNow(change, 'withdrawn');
      return undefined;
    case 'applied':
    case 'apply-failed':
      // Applied by the gateway on approval, or retried by a signed-in senior account: never over SSH.
      if (change.proposal.kind === 'investigation' && step.by !== SYSTEM_ACTOR && !isAccountActor(step.by)) return INVESTIGATION_APPLY_RETRY;
      if (change.status !== 'approved') return change.status === 'awaiting-approval'
        ? `request ${change.id} cannot be applied yet: it has ${change.approvals.length} of the 2 approvals it needs`
        : notNow(change, 'applied');
      return undefined;
    case 'sent-upstream':
      if (change.proposal.kind === 'investigation') return NOT_UPSTREAM;
      if (change.status !== 'approved') return change.status === 'awaiting-approval'
        ? `request ${change.id} cannot be sent to the filtering provider yet: it has ${change.approvals.length} of the 2 approvals it needs`
        : notNow(change, 'sent to the filtering provider');
      if ((step.reference ?? '').trim() === '') return "give the filtering provider's reference for the change";
      return undefined;
  }
}

/** The step each action records. */
export type ChangeAction = 'approve' | 'decline' | 'withdraw' | 'apply' | 'upstream';
export const STEP_OF: Readonly<Record<ChangeAction, StepKind>> = {
  approve: 'approved', decline: 'declined', withdraw: 'withdrawn', apply: 'applied', upstream: 'sent-upstream',
};

/** An investigation changes this gateway's configuration only: there is nothing to send the filtering provider. */
export const NOT_UPSTREAM = 'an investigation is applied on this gateway, never sent to the filtering provider';

/** Who retries an investigation whose apply on approval failed: the IT provider has nothing technical to check in it, and need not see it. */
export const INVESTIGATION_APPLY_RETRY = 'an investigation is applied as it is approved; if that failed, the headteacher, the DSL or the online safety lead tries again';

/** Why this caller may not take this action on this request (whatever its state), or undefined. */
export function permissionRefusal(caller: ChangeCaller, action: ChangeAction, change: Pick<ChangeRequest, 'requestedBy' | 'proposal'>): string | undefined {
  if (change.proposal.kind === 'investigation') {
    if (action === 'upstream') return NOT_UPSTREAM;
    if (action === 'apply') return seesInvestigations(caller) ? undefined : INVESTIGATION_APPLY_RETRY;
  }
  switch (action) {
    case 'approve':
    case 'decline':
      if (caller.ssh) return 'approvals are given in the web UI by a signed-in approver, not over SSH';
      if (!caller.permissions.has('changes.approve')) return `your account cannot ${action} filtering changes: an approver (the headteacher, the DSL or the online safety lead) does`;
      return undefined;
    case 'withdraw':
      if (caller.actor === change.requestedBy || caller.permissions.has('changes.approve')) return undefined;
      return 'only the person who asked, or an approver, can withdraw a request';
    case 'apply':
    case 'upstream':
      if (caller.permissions.has('changes.apply')) return undefined;
      return `only the IT provider can ${action === 'apply' ? 'apply a change' : 'record a change as sent to the filtering provider'}`;
  }
}

/** What this caller could do to this request now: the buttons a page shows. */
export function actionsFor(caller: ChangeCaller, change: ChangeRequest, requestedByHead: boolean): ChangeAction[] {
  const head = caller.head;
  const probe: Record<ChangeAction, NewStep> = {
    approve: { kind: 'approved', by: caller.actor, head, senior: caller.senior },
    decline: { kind: 'declined', by: caller.actor, head, note: 'probe' },
    withdraw: { kind: 'withdrawn', by: caller.actor, head },
    apply: { kind: 'applied', by: caller.actor, head },
    upstream: { kind: 'sent-upstream', by: caller.actor, head, reference: 'probe' },
  };
  return (Object.keys(probe) as ChangeAction[]).filter((a) => permissionRefusal(caller, a, change) === undefined && stepRefusal(change, probe[a], requestedByHead) === undefined);
}

/** Whether the caller sees every request, or only their own. */
export function seesAll(caller: ChangeCaller): boolean {
  return caller.ssh || caller.permissions.has('changes.approve') || caller.permissions.has('changes.apply') || caller.permissions.has('audit.view');
}

/**
 * Investigation requests are need-to-know (the rationale may describe a pupil's safeguarding
 * concern): only accounts that review monitoring (the head, the DSL, the online safety lead) see
 * them, never SSH, whatever else they may see.
 */
export function seesInvestigations(caller: ChangeCaller): boolean {
  return !caller.ssh && caller.permissions.has('monitoring.review');
}

/** Whether the caller may see this request's details: its proposal, rationale, risk note and steps. */
export function mayView(caller: ChangeCaller, change: Pick<ChangeRequest, 'requestedBy' | 'proposal'>): boolean {
  if (change.requestedBy === caller.actor) return true;
  return change.proposal.kind === 'investigation' ? seesInvestigations(caller) : seesAll(caller);
}

/** Why the caller may not see this request, in the words the CLI and the pages show (undefined when they may). */
export function viewRefusal(caller: ChangeCaller, change: Pick<ChangeRequest, 'id' | 'requestedBy' | 'proposal'>): string | undefined {
  if (mayView(caller, change)) return undefined;
  if (change.proposal.kind === 'investigation') return `change request ${change.id} is an investigation request: its details are for safeguarding staff only (the headteacher, the DSL and the online safety lead)`;
  return `change request ${change.id} is someone else's: you can see your own requests`;
}

/** The one line a list shows for an investigation request to someone who may not see it. */
export const hiddenInvestigationTitle = (id: number): string => `Investigation request ${id} (details for safeguarding staff only)`;

/**
 * A list line as this caller may see it. Those who see every request but not investigations (the
 * IT provider, over SSH or signed in) keep a line with the number, the status and who asked (the
 * audit log they may read names them anyway), so the queue's numbering has no unexplained gaps;
 * the title, which names the device and the incident, is replaced, and who approved is left off.
 */
export function listedFor(caller: ChangeCaller, line: ChangeSummary): ChangeSummary {
  if (line.kind !== 'investigation' || line.requestedBy === caller.actor || seesInvestigations(caller)) return line;
  // Who approved is a detail too: the line keeps only the count it always showed.
  const { approvedBy: _approvedBy, headApproved: _headApproved, ...rest } = line;
  return { ...rest, title: hiddenInvestigationTitle(line.id) };
}
