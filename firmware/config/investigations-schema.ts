// Investigations in force (firmware/monitor/investigations/): each one device under another
// policy from its approval until a time. Written by the daemon when two senior accounts (each a
// headteacher or a DSL) have agreed (change control), removed once it has ended and its evidence
// is saved; the DNS engine honours an entry only between from and until. The record of every
// investigation, ended ones included, is state.db's, not the configuration's.
import { Type, type Static } from 'typebox';
import { Id } from './schema-common.ts';

export const InvestigationEntry = Type.Object({
  id: Type.Integer({ minimum: 1, description: 'the change request number that started it' }),
  incidentId: Type.Integer({ minimum: 1 }),
  device: Type.String({ pattern: '^[0-9a-f]{2}(:[0-9a-f]{2}){5}$', description: "the device's MAC, lower-case with colons" }),
  policy: Id,
  from: Type.String({ format: 'date-time' }),
  until: Type.String({ format: 'date-time' }),
}, { additionalProperties: false, description: "one device's DNS under another policy from..until while a concern is investigated (illegal-content lists still block)" });
export type InvestigationEntry = Static<typeof InvestigationEntry>;
