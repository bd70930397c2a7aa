// `schoolgate audit` and `schoolgate audit verify` for a person on an SSH session.
import type { AuditEntry } from '../control/audit-chain.ts';
import type { AuditVerdict } from '../control/audit-methods.ts';
import { table } from './table.ts';

export function formatAudit(entries: readonly AuditEntry[]): string {
  if (entries.length === 0) return 'No audit entries match.\n';
  const rows = entries.map((e) => [
    String(e.seq), e.at.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z'), e.actor, e.action, e.subject ?? '-',
    e.details === null ? '' : JSON.stringify(e.details),
  ]);
  return `${table([['SEQ', 'AT (UTC)', 'ACTOR', 'ACTION', 'SUBJECT', 'DETAILS'], ...rows])}\n`;
}

export function formatVerdict(verdict: AuditVerdict): string {
  if (verdict.ok) {
    return verdict.entries === 0
      ? 'The audit log is empty: nothing to check.\n'
      : `The audit log is intact: ${verdict.entries} entries, each linked to the one before.\nNewest entry's hash: ${verdict.head}\n`;
  }
  return `The audit log has been altered: ${verdict.reason}.\nEntries from ${verdict.brokenAt} on cannot be trusted; the entries before it check out.\n`;
}
