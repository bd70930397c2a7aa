// `schoolgate check` for a person: the verdict first, then the evidence.
import type { CheckReport } from '../dns/policy/check-name.ts';

const VERDICT: Record<CheckReport['answer'], string> = {
  allowed: 'ALLOWED',
  blocked: 'BLOCKED',
  rewritten: 'ALLOWED, as safe search',
  local: 'ANSWERED BY THE GATEWAY',
  canary: 'ANSWERED NXDOMAIN (bypass canary)',
};

export function formatCheck(r: CheckReport): string {
  const p = r.policy;
  const lines = [
    `${r.name} on ${r.network}${r.device ? ` (device ${r.device}${p.deviceGroup ? `, group ${p.deviceGroup}` : ''})` : ''}: ${VERDICT[r.answer]}`,
    `  at        ${p.localTime}`,
    `  policy    ${p.policy ? `${p.policy.name} (${p.policy.id}): ${p.policy.note}` : 'none applies'}`,
  ];
  if (r.rewrite) lines.push(`  answered  as ${r.rewrite}`);
  if (r.blockAnswer) lines.push(`  answered  with ${r.blockAnswer}`);
  if (r.lists.length === 0) lines.push('  lists     not on any list');
  for (const l of r.lists) {
    const where = l.kind === 'restricted' ? 'a restricted list (entries are never shown)'
      : l.listed !== undefined ? `${l.listed} (${l.mode}) at line ${l.line}` : 'an entry withheld because a restricted list also covers it';
    lines.push(`  listed    ${l.kind}${l.category ? ` ${l.category}` : ''} in "${l.listName}" (${l.list}): ${where}`);
  }
  for (const c of p.categories) lines.push(`  category  ${c.id}: ${c.disposition}${c.blocksNow ? ', blocks now' : ''}${c.watch ? ', watched' : ''}. ${c.note}`);
  for (const e of p.exceptions) lines.push(`  exception ${e.id} (${e.action} ${e.domain}, ${e.status}): ${e.note}`);
  lines.push('', r.summary, '');
  return lines.join('\n');
}
