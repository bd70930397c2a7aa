// What a compile reports for each configured list: the shape `schoolgate lists`, the status API
// and the compiled cache share. Its own module so the compiler thread, which only fills these
// in, does not load TypeBox (~130 ms of every compile's start).
import { Type, type Static } from 'typebox';

export const ListStatus = Type.Object({
  id: Type.String(),
  name: Type.String(),
  category: Type.String(),
  format: Type.String(),
  file: Type.String(),
  restricted: Type.Boolean(),
  enabled: Type.Boolean(),
  entries: Type.Integer({ minimum: 0, description: 'names, patterns and hashes compiled from this list' }),
  badLines: Type.Integer({ minimum: 0 }),
  duplicates: Type.Integer({ minimum: 0, description: 'repeated entries, folded into one' }),
  skipped: Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer() }), { description: 'lines that mean nothing to DNS (browser-only adblock rules, RPZ local data …)' }),
  firstErrors: Type.Array(Type.Object({ line: Type.Integer(), message: Type.String() }), { description: 'up to five; for restricted lists without the listed text' }),
  error: Type.Optional(Type.String({ description: 'why the list could not be read at all' })),
});
export type ListStatus = Static<typeof ListStatus>;
