// The incident pages' API: the shapes `schoolgate incidents --json` prints (the incident as the
// paper log shows it, its list lines, the IT provider's tasks) and what each form sends: the
// control methods' fields, the incident's number being in the path.
import { Type, type Static } from 'typebox';
import {
  IncidentActionFields, IncidentAttachFields, IncidentCorrectFields, IncidentDoneFields, IncidentExportFields, IncidentNoteFields, IncidentOpenParams, IncidentOutcomeFields,
  IncidentSignOffFields,
} from '../../monitor/incidents/incident-methods.ts';
import { Incident, IncidentStatus } from '../../monitor/incidents/incident-schema.ts';

export { IncidentListView, IncidentTasksView } from '../../monitor/incidents/incident-methods.ts';
export { Incident, INCIDENT_OUTCOMES, OUTCOME_LABELS } from '../../monitor/incidents/incident-schema.ts';
export type { IncidentAction, IncidentEntry, IncidentOutcome, IncidentSummary, IncidentTask } from '../../monitor/incidents/incident-schema.ts';

export const IncidentsQuery = Type.Object({ status: Type.Optional(IncidentStatus) }, { additionalProperties: false });
export type IncidentsQuery = Static<typeof IncidentsQuery>;
export const IncidentIdPath = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
export const IncidentEntryPath = Type.Object({ id: Type.Integer({ minimum: 1 }), entry: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
// A POST: the passphrase travels in the body, never in a URL a log or a browser history keeps.
export const IncidentExportBody = IncidentExportFields;
export type IncidentExportBody = Static<typeof IncidentExportBody>;
export { IncidentExportView } from '../../monitor/incidents/incident-methods.ts';

export const IncidentOpenBody = IncidentOpenParams;
export type IncidentOpenBody = Static<typeof IncidentOpenBody>;
export const IncidentOpened = Type.Object({ incident: Incident, created: Type.Boolean({ description: 'false: the alert already had this incident' }) });
export type IncidentOpened = Static<typeof IncidentOpened>;

export const IncidentNoteBody = IncidentNoteFields;
export type IncidentNoteBody = Static<typeof IncidentNoteBody>;
export const IncidentActionBody = IncidentActionFields;
export type IncidentActionBody = Static<typeof IncidentActionBody>;
export const IncidentDoneBody = IncidentDoneFields;
export type IncidentDoneBody = Static<typeof IncidentDoneBody>;
export const IncidentOutcomeBody = IncidentOutcomeFields;
export type IncidentOutcomeBody = Static<typeof IncidentOutcomeBody>;
export const IncidentSignOffBody = IncidentSignOffFields;
export type IncidentSignOffBody = Static<typeof IncidentSignOffBody>;
export const IncidentCorrectBody = IncidentCorrectFields;
export type IncidentCorrectBody = Static<typeof IncidentCorrectBody>;
export const IncidentAttachBody = IncidentAttachFields;
export type IncidentAttachBody = Static<typeof IncidentAttachBody>;
