// The investigation pages' API: the shapes `schoolgate investigations --json` prints and what each
// button sends, the investigation's (or incident's) number being in the path. Asking for one is a
// change request (POST /api/changes with an investigation proposal).
import { Type, type Static } from 'typebox';
import { InvestigationEndFields, InvestigationListView, InvestigationStatus } from '../../monitor/investigations/investigation-schema.ts';
import { ActorNames } from './actor-names-schema.ts';

export {
  Investigation, InvestigationListView, INVESTIGATION_DAYS_MAX, INVESTIGATION_STATUS_LABELS, InvestigationProposal,
} from '../../monitor/investigations/investigation-schema.ts';

export const InvestigationsQuery = Type.Object({
  incident: Type.Optional(Type.Integer({ minimum: 1, description: "only this incident's investigations" })),
  status: Type.Optional(InvestigationStatus),
}, { additionalProperties: false });
export type InvestigationsQuery = Static<typeof InvestigationsQuery>;
export const InvestigationIdPath = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
export const InvestigationEndBody = InvestigationEndFields;
export const InvestigationSaveBody = Type.Object({}, { additionalProperties: false });

/** GET /api/investigations and an incident's: the list, with the display names of the people it names (who asked, approved, ended, saved). */
export const InvestigationListPage = Type.Object({
  ...InvestigationListView.properties,
  names: ActorNames,
}, { additionalProperties: false });
export type InvestigationListPage = Static<typeof InvestigationListPage>;
