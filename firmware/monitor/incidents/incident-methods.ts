// The control-socket methods behind `schoolgate incidents` and the incident pages (called
// in-process as account:USERNAME): listing and showing change nothing and are not audited; every
// other method adds one timeline entry and its audit entry through the incident service.
import { Type, type Static } from 'typebox';
import { actorOf } from '../../control/protocol.ts';
import { ControlFailure, guardedBy, type ControlServer } from '../../control/server.ts';
import { IsoTimestamp } from '../../state/schemas.ts';
import { InvalidInputError, NotFoundError } from '../../state/values.ts';
import { PASSPHRASE_MAX, PASSPHRASE_MIN, SealError } from '../reports/export-seal.ts';
import { ATTACHMENT_MAX_BYTES } from './attachment-check.ts';
import { AttachmentMissingError } from './attachment-store.ts';
import { IncidentStateError } from './incident-fold.ts';
import { IncidentOutcome, IncidentStatus, IncidentSummary, IncidentTask, TEXT_MAX } from './incident-schema.ts';
import type { IncidentService } from './incident-service.ts';

const Id = Type.Integer({ minimum: 1, description: 'the incident number' });
const Text = (description: string) => Type.String({ maxLength: TEXT_MAX, description });

export const IncidentListParams = Type.Object({ status: Type.Optional(IncidentStatus) }, { additionalProperties: false });
export type IncidentListParams = Static<typeof IncidentListParams>;
export const IncidentListView = Type.Object({ incidents: Type.Array(IncidentSummary, { description: 'open ones first, then newest first' }) });
export type IncidentListView = Static<typeof IncidentListView>;
export const IncidentTasksView = Type.Object({ tasks: Type.Array(IncidentTask, { description: "the IT provider's open tasks, oldest first" }) });
export type IncidentTasksView = Static<typeof IncidentTasksView>;

export const IncidentIdParams = Type.Object({ id: Id }, { additionalProperties: false });

export const IncidentOpenParams = Type.Object({
  fromAlert: Type.Optional(Type.Integer({ minimum: 1, description: 'open from this alert (its facts are copied in; one incident per alert)' })),
  fromReport: Type.Optional(Type.Integer({ minimum: 1, description: 'open from this block-page report' })),
  what: Type.Optional(Text('what happened (required by hand; from an alert or report, the alert or report says it unless given)')),
  people: Type.Optional(Text("people involved: free text, pupils by the school's own reference")),
  reportedBy: Type.Optional(Type.String({ maxLength: 200, description: 'who reported it, when not the person recording it' })),
  occurredAt: Type.Optional(IsoTimestamp),
}, { additionalProperties: false });
export type IncidentOpenParams = Static<typeof IncidentOpenParams>;

// Each form's fields (the web UI's request bodies), and the method's parameters: those with the incident's number.
export const IncidentNoteFields = Type.Object({ text: Text('investigation notes') }, { additionalProperties: false });
export const IncidentActionFields = Type.Object({
  what: Text('what was done or is to be done'),
  by: Type.String({ maxLength: 200, description: 'by whom' }),
  at: Type.Optional(IsoTimestamp),
  itProvider: Type.Optional(Type.Boolean({ description: 'a task for the IT provider, tracked until done' })),
}, { additionalProperties: false });
export const IncidentDoneFields = Type.Object({ note: Type.Optional(Text('what was done')) }, { additionalProperties: false });
export const IncidentOutcomeFields = Type.Object({ outcome: IncidentOutcome, note: Type.Optional(Text('a note on the outcome')) }, { additionalProperties: false });
export const IncidentSignOffFields = Type.Object({ note: Type.Optional(Text('a note with the sign-off')) }, { additionalProperties: false });
export const IncidentCorrectFields = Type.Object({
  corrects: Type.Integer({ minimum: 1 }), text: Text('the corrected wording'), reason: Text('why it is corrected'),
}, { additionalProperties: false });
export const IncidentAttachFields = Type.Object({
  description: Text('what the attachment shows'),
  fileName: Type.String({ minLength: 1, maxLength: 255 }),
  dataBase64: Type.String({ maxLength: Math.ceil(ATTACHMENT_MAX_BYTES / 3) * 4 + 4, description: 'the PNG or JPEG file, base64' }),
}, { additionalProperties: false });

export const IncidentNoteParams = Type.Object({ id: Id, ...IncidentNoteFields.properties }, { additionalProperties: false });
export type IncidentNoteParams = Static<typeof IncidentNoteParams>;
export const IncidentActionParams = Type.Object({ id: Id, ...IncidentActionFields.properties }, { additionalProperties: false });
export type IncidentActionParams = Static<typeof IncidentActionParams>;
export const IncidentDoneParams = Type.Object({ id: Id, action: Type.Integer({ minimum: 1 }), ...IncidentDoneFields.properties }, { additionalProperties: false });
export type IncidentDoneParams = Static<typeof IncidentDoneParams>;
export const IncidentOutcomeParams = Type.Object({ id: Id, ...IncidentOutcomeFields.properties }, { additionalProperties: false });
export type IncidentOutcomeParams = Static<typeof IncidentOutcomeParams>;
export const IncidentSignOffParams = Type.Object({ id: Id, ...IncidentSignOffFields.properties }, { additionalProperties: false });
export type IncidentSignOffParams = Static<typeof IncidentSignOffParams>;
export const IncidentCorrectParams = Type.Object({ id: Id, ...IncidentCorrectFields.properties }, { additionalProperties: false });
export type IncidentCorrectParams = Static<typeof IncidentCorrectParams>;
export const IncidentAttachParams = Type.Object({ id: Id, ...IncidentAttachFields.properties }, { additionalProperties: false });
export type IncidentAttachParams = Static<typeof IncidentAttachParams>;
export const IncidentAttachmentParams = Type.Object({ id: Id, entry: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
export type IncidentAttachmentParams = Static<typeof IncidentAttachmentParams>;
export const IncidentAttachmentView = Type.Object({
  fileName: Type.String(), mediaType: Type.Union([Type.Literal('image/png'), Type.Literal('image/jpeg'), Type.Literal('text/csv')]), sha256: Type.String(), dataBase64: Type.String(),
});
export type IncidentAttachmentView = Static<typeof IncidentAttachmentView>;
export const IncidentExportFields = Type.Object({
  format: Type.Union([Type.Literal('html'), Type.Literal('json')]),
  passphrase: Type.Optional(Type.String({ minLength: 1, maxLength: PASSPHRASE_MAX, description: `encrypt the export with this (at least ${PASSPHRASE_MIN} characters); it is never stored or logged` })),
}, { additionalProperties: false });
export const IncidentExportParams = Type.Object({ id: Id, ...IncidentExportFields.properties }, { additionalProperties: false });
export type IncidentExportParams = Static<typeof IncidentExportParams>;
export const IncidentExportView = Type.Object({
  fileName: Type.String({ description: 'the sealed file\'s name, ending .sgexport' }),
  mediaType: Type.String(),
  bodyBase64: Type.String({ description: 'the sealed file (docs/export-format.md), base64' }),
  contentSha256: Type.String({ description: 'the SHA-256 of the document inside, as the audit entry records it' }),
  encrypted: Type.Boolean(),
  entries: Type.Integer({ minimum: 1, description: 'timeline entries in the export' }),
}, { additionalProperties: false });
export type IncidentExportView = Static<typeof IncidentExportView>;

/** Control failures the pages and the CLI show: the log's rules (409), unknown numbers (404), bad input (400). */
function failure(error: unknown): never {
  if (error instanceof IncidentStateError) throw new ControlFailure('incident-state', error.message);
  if (error instanceof NotFoundError) throw new ControlFailure('unknown-incident', error.message);
  if (error instanceof InvalidInputError) throw new ControlFailure('invalid-input', error.message);
  if (error instanceof SealError) throw new ControlFailure('invalid-input', error.message);
  if (error instanceof AttachmentMissingError) throw new ControlFailure('attachment-missing', error.message);
  throw error;
}

const guarded = guardedBy(failure);

export function registerIncidentMethods(control: Pick<ControlServer, 'register'>, service: IncidentService): void {
  control.register<IncidentListParams>('incidents', {
    params: IncidentListParams,
    handle: (params): IncidentListView => ({ incidents: service.store.list(params.status ? { status: params.status } : {}) }),
  });
  control.register('incidents.tasks', { handle: (): IncidentTasksView => ({ tasks: service.store.openTasks() }) });
  control.register<{ id: number }>('incidents.show', { params: IncidentIdParams, handle: (p) => guarded(() => service.store.get(p.id)) });
  control.register<IncidentOpenParams>('incidents.open', {
    params: IncidentOpenParams,
    handle: (p, caller) => guarded(() => {
      const actor = actorOf(caller);
      const details = { ...(p.what !== undefined ? { what: p.what } : {}), ...(p.people !== undefined ? { people: p.people } : {}), ...(p.reportedBy !== undefined ? { reportedBy: p.reportedBy } : {}), ...(p.occurredAt !== undefined ? { occurredAt: p.occurredAt } : {}) };
      if (p.fromAlert !== undefined && p.fromReport !== undefined) throw new InvalidInputError('open from an alert or from a report, not both');
      if (p.fromAlert !== undefined) return service.openFromAlert(p.fromAlert, actor, details);
      if (p.fromReport !== undefined) return service.openFromReport(p.fromReport, actor, details);
      if (p.what === undefined || p.what.trim() === '') throw new InvalidInputError('say what happened');
      return { incident: service.openByHand(actor, { ...details, what: p.what }), created: true };
    }),
  });
  control.register<IncidentNoteParams>('incidents.note', { params: IncidentNoteParams, handle: (p, c) => guarded(() => service.note(p.id, actorOf(c), p.text)) });
  control.register<IncidentActionParams>('incidents.action', {
    params: IncidentActionParams,
    handle: (p, c) => guarded(() => service.action(p.id, actorOf(c), { what: p.what, by: p.by, ...(p.at ? { at: p.at } : {}), itProvider: p.itProvider === true })),
  });
  control.register<IncidentDoneParams>('incidents.done', { params: IncidentDoneParams, handle: (p, c) => guarded(() => service.done(p.id, p.action, actorOf(c), p.note)) });
  control.register<IncidentOutcomeParams>('incidents.outcome', { params: IncidentOutcomeParams, handle: (p, c) => guarded(() => service.outcome(p.id, actorOf(c), p.outcome, p.note)) });
  control.register<IncidentSignOffParams>('incidents.sign-off', { params: IncidentSignOffParams, handle: (p, c) => guarded(() => service.signOff(p.id, actorOf(c), p.note)) });
  control.register<IncidentCorrectParams>('incidents.correct', {
    params: IncidentCorrectParams,
    handle: (p, c) => guarded(() => service.correct(p.id, actorOf(c), { corrects: p.corrects, text: p.text, reason: p.reason })),
  });
  control.register<IncidentAttachParams>('incidents.attach', {
    params: IncidentAttachParams,
    maxRequestBytes: Math.ceil(ATTACHMENT_MAX_BYTES / 3) * 4 + 64 * 1024,
    handle: (p, c) => guarded(() => service.attach(p.id, actorOf(c), { description: p.description, fileName: p.fileName, data: Buffer.from(p.dataBase64, 'base64') })),
  });
  control.register<IncidentAttachmentParams>('incidents.attachment', {
    params: IncidentAttachmentParams,
    handle: (p) => guarded(async (): Promise<IncidentAttachmentView> => {
      const file = await service.attachment(p.id, p.entry);
      return { fileName: file.fileName, mediaType: file.mediaType, sha256: file.sha256, dataBase64: file.data.toString('base64') };
    }),
  });
  control.register<IncidentExportParams>('incidents.export', {
    params: IncidentExportParams,
    handle: (p, c) => guarded(async (): Promise<IncidentExportView> => {
      const { body, ...sealed } = await service.export(p.id, p.format, actorOf(c), p.passphrase);
      return { ...sealed, bodyBase64: body.toString('base64') };
    }),
  });
}
