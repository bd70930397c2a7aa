// The control-socket methods behind `schoolgate audit` and `schoolgate audit verify`: technicians
// and reviewers read the audit log and check its hash chain without opening state.db themselves.
// Reading is not itself recorded: it changes nothing, and the log would otherwise grow each look.
import { Type, type Static } from 'typebox';
import { IsoTimestamp } from '../state/schemas.ts';
import { InvalidInputError } from '../state/values.ts';
import { AuditEntry } from './audit-chain.ts';
import type { AuditLog } from './audit.ts';
import { ControlFailure, type ControlServer } from './server.ts';

/** Entries one call returns at most; the CLI pages on with `after`. */
export const AUDIT_PAGE_MAX = 500;

export const AuditListParams = Type.Object({
  since: Type.Optional(IsoTimestamp),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 66, description: 'an action such as config.update, or a prefix such as device.*' })),
  actor: Type.Optional(Type.String({ minLength: 1, maxLength: 80, description: 'only entries whose actor contains this, e.g. account:jo.head or ssh:' })),
  after: Type.Optional(Type.Integer({ minimum: 0, description: 'only entries after this sequence number (a cursor)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: AUDIT_PAGE_MAX })),
}, { additionalProperties: false });
export type AuditListParams = Static<typeof AuditListParams>;

export const AuditListView = Type.Object({
  entries: Type.Array(AuditEntry, { description: 'oldest first' }),
  more: Type.Boolean({ description: 'whether entries past the last one match too (ask again with after = its seq)' }),
});
export type AuditListView = Static<typeof AuditListView>;

export const AuditVerdict = Type.Union([
  Type.Object({
    ok: Type.Literal(true),
    entries: Type.Integer({ minimum: 0, description: 'entries checked' }),
    head: Type.String({ description: 'the hash of the newest entry (64 zeros for an empty log): note it to prove later that nothing before it changed' }),
  }, { additionalProperties: false }),
  Type.Object({
    ok: Type.Literal(false),
    brokenAt: Type.Integer({ minimum: 1, description: 'the first entry that cannot be trusted' }),
    reason: Type.String(),
  }, { additionalProperties: false }),
]);
export type AuditVerdict = Static<typeof AuditVerdict>;

export function registerAuditMethods(control: Pick<ControlServer, 'register'>, audit: Pick<AuditLog, 'list' | 'verify'>): void {
  control.register<AuditListParams>('audit.list', {
    params: AuditListParams,
    handle: (params): AuditListView => {
      const limit = params.limit ?? 100;
      try {
        // One more than asked says whether there are more.
        const entries = audit.list({ ...params, limit: limit + 1 });
        return { entries: entries.slice(0, limit), more: entries.length > limit };
      } catch (error) {
        if (error instanceof InvalidInputError) throw new ControlFailure('invalid-input', error.message);
        throw error;
      }
    },
  });
  control.register('audit.verify', { handle: (): AuditVerdict => audit.verify() });
}
