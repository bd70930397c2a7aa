// "Asked from the block page" on the Change requests page: the open access requests staff sent
// from the block page, for accounts that may both read named devices (monitoring.view) and ask
// for a change (changes.request). The shapes are the control methods' (portal/reports-schema.ts).
import { Type, type Static } from 'typebox';

export { AccessRequestLine, OpenAccessRequests } from '../../portal/reports-schema.ts';
export type { AccessRequest } from '../../portal/reports-schema.ts';

export const AccessRequestPath = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
export type AccessRequestPath = Static<typeof AccessRequestPath>;
