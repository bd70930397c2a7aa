// The incident log (monitoring.view to read, monitoring.review to record) and the IT provider's
// tasks (incidents.tasks: the technician sees and closes them without reading the log). Every
// change goes through the control method `schoolgate incidents …` uses, audited as
// account:USERNAME; there is no route that edits or removes an entry. Attachments are served back
// as the stored bytes with their recorded type, never sniffed, never run as a page.
import { ApiError } from '../api/session-schema.ts';
import {
  Incident, IncidentActionBody, IncidentAttachBody, IncidentCorrectBody, IncidentDoneBody, IncidentEntryPath, IncidentExportBody, IncidentExportView, IncidentIdPath,
  IncidentListView, IncidentNoteBody, IncidentOpenBody, IncidentOpened, IncidentOutcomeBody, IncidentSignOffBody, IncidentsQuery, IncidentTasksView,
} from '../api/incidents-schema.ts';
import { callControl } from '../control-call.ts';
import type { IncidentAttachmentView } from '../../monitor/incidents/incident-methods.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 503: ApiError };
/** The largest JSON body an upload can be: an 8 MB file in base64 and its description. */
const ATTACH_BODY_LIMIT = 12 * 1024 * 1024;

type IdPath = { id: number };

/** A header-safe file name: ASCII letters, digits, dot, dash and underscore only. */
const headerName = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 120) || 'file';

export const incidentRoutes: AdminRoutes = async (app, deps) => {
  const { control } = deps.options;
  const record = { schema: { params: IncidentIdPath, response: { 200: Incident, ...Errors } }, config: { permission: 'monitoring.review' as const } };

  app.get('/api/incidents', {
    schema: { querystring: IncidentsQuery, response: { 200: IncidentListView, ...Errors } },
    config: { permission: 'monitoring.view' },
  }, async (request) => callControl(control, request.signed, 'incidents', request.query));

  app.get('/api/incidents/:id', {
    schema: { params: IncidentIdPath, response: { 200: Incident, ...Errors } },
    config: { permission: 'monitoring.view' },
  }, async (request) => callControl(control, request.signed, 'incidents.show', request.params));

  app.post('/api/incidents', {
    schema: { body: IncidentOpenBody, response: { 200: IncidentOpened, ...Errors } },
    config: { permission: 'monitoring.review' },
  }, async (request) => callControl(control, request.signed, 'incidents.open', request.body, 'what'));

  app.post('/api/incidents/:id/notes', { ...record, schema: { ...record.schema, body: IncidentNoteBody } },
    async (request) => callControl(control, request.signed, 'incidents.note', { ...(request.body as object), id: (request.params as IdPath).id }, 'text'));
  app.post('/api/incidents/:id/actions', { ...record, schema: { ...record.schema, body: IncidentActionBody } },
    async (request) => callControl(control, request.signed, 'incidents.action', { ...(request.body as object), id: (request.params as IdPath).id }, 'what'));
  app.post('/api/incidents/:id/outcome', { ...record, schema: { ...record.schema, body: IncidentOutcomeBody } },
    async (request) => callControl(control, request.signed, 'incidents.outcome', { ...(request.body as object), id: (request.params as IdPath).id }, 'outcome'));
  app.post('/api/incidents/:id/sign-off', { ...record, schema: { ...record.schema, body: IncidentSignOffBody } },
    async (request) => callControl(control, request.signed, 'incidents.sign-off', { ...(request.body as object), id: (request.params as IdPath).id }, 'signOff'));
  app.post('/api/incidents/:id/corrections', { ...record, schema: { ...record.schema, body: IncidentCorrectBody } },
    async (request) => callControl(control, request.signed, 'incidents.correct', { ...(request.body as object), id: (request.params as IdPath).id }, 'text'));
  app.post('/api/incidents/:id/attachments', { ...record, bodyLimit: ATTACH_BODY_LIMIT, schema: { ...record.schema, body: IncidentAttachBody } },
    async (request) => callControl(control, request.signed, 'incidents.attach', { ...(request.body as object), id: (request.params as IdPath).id }, 'file'));

  app.get('/api/incidents/:id/attachments/:entry', {
    schema: { params: IncidentEntryPath },
    config: { permission: 'monitoring.view' },
  }, async (request, reply) => {
    const file = await callControl<IncidentAttachmentView>(control, request.signed, 'incidents.attachment', request.params);
    // An investigation's evidence (CSV) is downloaded, never shown: its names are what a device looked up.
    const csv = file.mediaType === 'text/csv';
    return reply
      .header('content-type', csv ? 'text/csv; charset=utf-8' : file.mediaType)
      .header('content-disposition', `${csv ? 'attachment' : 'inline'}; filename="${headerName(file.fileName)}"`)
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('cache-control', 'private, no-store')
      .header('x-sha256', file.sha256)
      .send(Buffer.from(file.dataBase64, 'base64'));
  });

  // Sealed (docs/export-format.md) and audited with the content's hash; the page downloads the file.
  app.post('/api/incidents/:id/export', {
    schema: { params: IncidentIdPath, body: IncidentExportBody, response: { 200: IncidentExportView, ...Errors } },
    config: { permission: 'monitoring.view' },
  }, async (request) => callControl<IncidentExportView>(control, request.signed, 'incidents.export', { ...(request.body as object), id: (request.params as IdPath).id }, 'passphrase'));

  // The IT provider's view: the tasks' words and their incident's number, nothing else of the log.
  app.get('/api/incident-tasks', {
    schema: { response: { 200: IncidentTasksView, ...Errors } },
    config: { permission: 'incidents.tasks' },
  }, async (request) => callControl(control, request.signed, 'incidents.tasks', {}));

  app.post('/api/incident-tasks/:id/:entry/done', {
    schema: { params: IncidentEntryPath, body: IncidentDoneBody, response: { 200: IncidentTasksView, ...Errors } },
    config: { permission: 'incidents.tasks' },
  }, async (request) => {
    const { id, entry } = request.params as { id: number; entry: number };
    await callControl(control, request.signed, 'incidents.done', { ...(request.body as object), id, action: entry }, 'note');
    // The tasks, not the incident: whoever holds only incidents.tasks must not read the log through this.
    return callControl(control, request.signed, 'incidents.tasks', {});
  });
};
