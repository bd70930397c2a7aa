// `schoolgate annual` for a person: each year's review with its participants and sign-offs, and
// the data-processing statement as a list a DPO can read.
import { PARTICIPANT_ROLE_NAMES, type AnnualReview, type AnnualReviewList, type DataStatement, type Participant } from '../monitor/annual/annual-schema.ts';
import { table } from './table.ts';

export function formatReview(r: AnnualReview): string {
  const out = [`Annual review ${r.year}: ${r.starts} to ${r.ends}; next review ${r.nextReview}. Opened ${r.createdAt} by ${r.createdBy}.`];
  if (r.participants.length === 0) out.push('  No participants yet (schoolgate annual participant --year … --name … --role …).');
  else {
    out.push(table([['id', 'name', 'part', 'signed off', 'comment'], ...r.participants.map((p) => [
      String(p.id), p.roleTitle ? `${p.name} (${p.roleTitle})` : p.name, PARTICIPANT_ROLE_NAMES[p.role],
      p.signOffs.length === 0 ? 'not yet' : p.signOffs.map((s) => s.signedOn).join(', '), p.signOffs.map((s) => s.comment).join(' / '),
    ])]));
  }
  return `${out.join('\n')}\n`;
}

export function formatReviews(list: AnnualReviewList): string {
  if (list.reviews.length === 0) return 'No annual review opened yet (schoolgate annual open --year 2026-27).\n';
  return `${list.reviews.map(formatReview).join('\n')}${list.nextReview ? `\nNext annual review: ${list.nextReview}\n` : ''}`;
}

export function formatParticipant(p: Participant, year: string): string {
  return `Participant ${p.id} added to the ${year} review: ${p.name}, ${PARTICIPANT_ROLE_NAMES[p.role]}; in the audit log under your name.\n`;
}

export function formatStatement(s: DataStatement): string {
  const out = [`Data-processing statement for ${s.site} (generated ${s.at})`, s.location, ''];
  for (const i of s.items) {
    out.push(`${i.what}${i.personal ? '' : ' (not personal data)'}`, `  holds: ${i.holds}`, `  why:   ${i.why}`, `  where: ${i.where}${i.tables.length ? ` [${i.tables.join(', ')}]` : ''}`,
      `  kept:  ${i.kept}${i.setting ? ` (${i.setting})` : ''}`, `  seen by: ${i.whoCanSee.join(', ')}`, '');
  }
  out.push('What leaves the gateway:', ...s.exports.map((e) => `  - ${e}`));
  return `${out.join('\n')}\n`;
}
