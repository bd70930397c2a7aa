// The shape of what needs a person's attention (`schoolgate status`'s "needs attention" block, the
// health page's problems, the dashboard's health summary): one list, made by attention.ts.
import { Type, type Static } from 'typebox';

/**
 * The web UI's page that puts a problem right (its path in webui/src/router.ts; a unit test checks
 * each is a route there).
 */
export const AttentionPage = Type.Union([
  Type.Literal('/backups'), Type.Literal('/upgrade'), Type.Literal('/networks'), Type.Literal('/lists'),
]);
export type AttentionPage = Static<typeof AttentionPage>;

/**
 * Every rule's id, in the order attention.ts runs them. A closed list so /metrics can report each
 * one, 0 when all is well, and a trust's alert rules never meet an id they have not seen.
 */
export const ATTENTION_IDS = [
  'dns.upstreams-failing', 'dns.upstream-failing', 'query-log.write-errors', 'firewall.refused', 'shaping.failed',
  'dhcp.store-failures', 'lists.failed', 'upgrade.rolled-back', 'upgrade.failed',
  'backup.no-passphrase', 'backup.nightly-failed', 'backup.none', 'backup.stale', 'backup.unreadable',
] as const;
export const AttentionId = Type.Enum(ATTENTION_IDS, { description: 'which rule found it, stable for scripts: backup.no-passphrase, upgrade.rolled-back, …' });
export type AttentionId = Static<typeof AttentionId>;

export const Attention = Type.Object({
  id: AttentionId,
  problem: Type.String({ description: 'what is wrong, in words' }),
  todo: Type.String({ description: 'what to do about it' }),
  page: Type.Union([AttentionPage, Type.Null()], { description: "the web UI's page that puts it right; null when none does" }),
  command: Type.Union([Type.String(), Type.Null()], { description: 'the command at the gateway that puts it right or looks into it' }),
}, { additionalProperties: false });
export type Attention = Static<typeof Attention>;
