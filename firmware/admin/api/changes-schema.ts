// The change-request pages' API: the shapes `schoolgate changes --json` prints (change-schema.ts),
// what each form sends (the control methods' fields, the request's number being in the path), and
// what the pages add to them for the signed-in account: the names behind the actors, which
// requests wait for this account, and which buttons it may press on one.
import { Type, type Static } from 'typebox';
import {
  ChangeDeclineFields, ChangeListView, ChangeNoteFields, ChangeRequest, ChangeRequestFields, ChangeStatus, ChangeUpstreamFields, ExceptionListView,
} from '../../control/changes/change-schema.ts';
import { ActorNames } from './actor-names-schema.ts';

export { ChangeRequest, ChangeRequestFields, ExceptionListView, STATUS_LABELS, CHANGE_STATUSES } from '../../control/changes/change-schema.ts';
export type {
  ChangeStatus, ChangeStep, ChangeSummary, ConfigEdit, ExceptionView, Proposal, ExceptionProposal, ExceptionEndProposal, ConfigProposal,
} from '../../control/changes/change-schema.ts';

export const ChangesQuery = Type.Object({ status: Type.Optional(ChangeStatus) }, { additionalProperties: false });
export type ChangesQuery = Static<typeof ChangesQuery>;
export const ChangeIdPath = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
export type ChangeIdPath = Static<typeof ChangeIdPath>;

/** A request, and the block page's access request it was made from, when it was (recorded on that one). */
export const ChangeRequestBody = Type.Object({
  ...ChangeRequestFields.properties,
  fromAccessRequest: Type.Optional(Type.Integer({ minimum: 1, description: 'the access request from the block page this answers' })),
}, { additionalProperties: false });
export type ChangeRequestBody = Static<typeof ChangeRequestBody>;
export const ChangeApproveBody = ChangeNoteFields;
export type ChangeApproveBody = Static<typeof ChangeApproveBody>;
export const ChangeWithdrawBody = ChangeNoteFields;
export type ChangeWithdrawBody = Static<typeof ChangeWithdrawBody>;
export const ChangeDeclineBody = ChangeDeclineFields;
export type ChangeDeclineBody = Static<typeof ChangeDeclineBody>;
export const ChangeUpstreamBody = ChangeUpstreamFields;
export type ChangeUpstreamBody = Static<typeof ChangeUpstreamBody>;
/** Applying takes nothing but the request's number (the configuration it changes is the gateway's own). */
export const ChangeApplyBody = Type.Object({}, { additionalProperties: false });

/** What the signed-in account may do with one request now (the methods check again when it does). */
export const ChangeMay = Type.Object({
  approve: Type.Boolean(),
  decline: Type.Boolean(),
  withdraw: Type.Boolean(),
  apply: Type.Boolean(),
  upstream: Type.Boolean(),
}, { additionalProperties: false });
export type ChangeMay = Static<typeof ChangeMay>;

/** GET /api/changes: the list, with which requests this account is asked to approve. */
export const ChangeListPage = Type.Object({
  ...ChangeListView.properties,
  waitingForYou: Type.Array(Type.Integer({ minimum: 1 }), { description: 'requests awaiting approval that this account may approve now (never its own, never one it approved)' }),
  /** Whether the list is every request (approvers, the IT provider, auditors) or only the account's own. */
  all: Type.Boolean(),
  names: ActorNames,
}, { additionalProperties: false });
export type ChangeListPage = Static<typeof ChangeListPage>;

/** GET /api/changes/:id and the answer of every step: the request, its people's names, and this account's buttons. */
export const ChangeRequestPage = Type.Object({
  request: ChangeRequest,
  may: ChangeMay,
  /** Why an approver who may not approve this one cannot, in words (their own request, already approved by them, the headteacher needed); null otherwise. */
  waitingOn: Type.Union([Type.String(), Type.Null()]),
  names: ActorNames,
}, { additionalProperties: false });
export type ChangeRequestPage = Static<typeof ChangeRequestPage>;

export const ExceptionsPage = ExceptionListView;
export type ExceptionsPage = Static<typeof ExceptionsPage>;
