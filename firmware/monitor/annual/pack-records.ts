// The annual pack's later parts: the weekly reviews, the incidents (anonymised), alert statistics,
// the data-processing statement and the participants' sign-offs.
import { KIND_TITLE } from '../alerts/delivery/message.ts';
import { PARTICIPANT_ROLE_NAMES, type Participant } from './annual-schema.ts';
import { esc, none, percent, raw, table, type Dates } from './pack-html.ts';
import type { AlertSummary, AnonymisedIncident, PackSources, ReviewRecord } from './pack-types.ts';

const NOT_YET = 'Not recorded by this gateway yet: the school keeps this record elsewhere for this period, and should attach it to this pack.';
const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

export function reviewsSection(s: PackSources, d: Dates): string {
  const out = ['<h2 id="reviews">5. Weekly monitoring reviews</h2>',
    '<p>Each week the headteacher, or the online-safety lead on their behalf, works through the week\'s alerts, records an outcome for each, and signs the review off.</p>'];
  const reviews = s.reviews;
  if (reviews === undefined) return [...out, none(NOT_YET)].join('\n');
  if (reviews.length === 0) return [...out, none('No weekly review was recorded in this period.')].join('\n');
  const signed = reviews.filter((r) => r.signedAt !== null).length;
  out.push(`<p><strong>${signed} of ${reviews.length} weeks signed off (${percent(signed, reviews.length)}).</strong></p>`);
  out.push(table('Weekly reviews, oldest first', [
    { label: 'Week', nowrap: true, value: (r: ReviewRecord) => r.week },
    { label: 'Signed off by', value: (r) => (r.signedOffBy === null ? raw('<span class="fail">not signed off</span>') : r.signedOffBy) },
    { label: 'On behalf of', value: (r) => r.onBehalfOf ?? '' },
    { label: 'When', nowrap: true, value: (r) => (r.signedAt === null ? '' : d.time(r.signedAt)) },
    { label: 'Outcomes', value: (r) => Object.entries(r.outcomes).filter(([, n]) => n > 0).map(([k, n]) => `${k}: ${n}`).join('; ') || 'nothing to review' },
  ], reviews));
  return out.join('\n');
}

export function incidentsSection(s: PackSources, d: Dates): string {
  const out = ['<h2 id="incidents">6. Incidents (anonymised)</h2>',
    '<p>Incidents as the incident log records them, with nothing that names a pupil, a member of staff or a device: when, what kind, how it ended.</p>'];
  const incidents = s.incidents;
  if (incidents === undefined) return [...out, none(NOT_YET)].join('\n');
  if (incidents.length === 0) return [...out, none('No incident was opened in this period.')].join('\n');
  const byCategory = new Map<string, { category: string; opened: number; closed: number }>();
  for (const i of incidents) {
    const row = byCategory.get(i.category) ?? { category: i.category, opened: 0, closed: 0 };
    row.opened += 1;
    if (i.closedAt !== null) row.closed += 1;
    byCategory.set(i.category, row);
  }
  out.push(table('Incidents by kind', [
    { label: 'Kind', value: (r) => r.category }, { label: 'Opened', num: true, value: (r) => r.opened }, { label: 'Closed', num: true, value: (r) => r.closed },
  ], [...byCategory.values()]));
  out.push(table('Each incident, oldest first', [
    { label: 'Opened', nowrap: true, value: (i: AnonymisedIncident) => d.day(i.openedAt) },
    { label: 'Kind', value: (i) => i.category },
    { label: 'Outcome', value: (i) => i.outcome ?? 'open' },
    { label: 'Closed', nowrap: true, value: (i) => (i.closedAt === null ? '' : d.day(i.closedAt)) },
  ], incidents));
  return out.join('\n');
}

export function alertsSection(s: PackSources, d: Dates): string {
  const alerts = s.alerts;
  const out = ['<h2 id="alerts">7. Alerts</h2>',
    '<p>Alerts raised in the period, counted: what raised them and how quickly they were dealt with. Critical alerts (illegal content, an attempt to get round the filter) reach the designated safeguarding lead at once; the rest wait for the weekly review. Each alert may stand for several occurrences.</p>'];
  if (alerts.length === 0) return [...out, none('No alert was raised in this period.')].join('\n');
  const months = new Map<string, { month: string } & Record<(typeof SEVERITIES)[number], number>>();
  const kinds = new Map<string, { kind: string; alerts: number; occurrences: number }>();
  const networks = new Map<string, number>();
  const ackHours: number[] = [];
  for (const a of alerts) {
    const key = d.monthKey(a.firstAt);
    const m = months.get(key) ?? { month: d.month(a.firstAt), critical: 0, high: 0, medium: 0, low: 0 };
    m[a.severity] += 1;
    months.set(key, m);
    const k = kinds.get(a.kind) ?? { kind: a.kind, alerts: 0, occurrences: 0 };
    k.alerts += 1;
    k.occurrences += a.count;
    kinds.set(a.kind, k);
    const net = a.networkId ?? '(the gateway itself)';
    networks.set(net, (networks.get(net) ?? 0) + 1);
    if (a.acknowledgedAt !== null) ackHours.push((Date.parse(a.acknowledgedAt) - Date.parse(a.firstAt)) / 3_600_000);
  }
  ackHours.sort((x, y) => x - y);
  const median = ackHours.length === 0 ? null : ackHours[Math.floor(ackHours.length / 2)]!;
  const critical = alerts.filter((a) => a.severity === 'critical').length;
  out.push(`<p><strong>${alerts.length} alerts</strong> (${critical} critical); ${ackHours.length} dealt with (${percent(ackHours.length, alerts.length)})${median === null ? '' : `, half of them within ${median < 1 ? `${Math.max(1, Math.round(median * 60))} minutes` : median < 48 ? `${Math.round(median)} hours` : `${Math.round(median / 24)} days`}`}.</p>`);
  out.push(table('Alerts by month and severity', [
    { label: 'Month', value: (m) => m.month },
    ...SEVERITIES.map((sev) => ({ label: sev[0]!.toUpperCase() + sev.slice(1), num: true, value: (m: { critical: number; high: number; medium: number; low: number }) => m[sev] })),
  ], [...months.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, m]) => m)));
  out.push(table('Alerts by what raised them', [
    { label: 'What', value: (k) => KIND_TITLE[k.kind as AlertSummary['kind']] ?? k.kind },
    { label: 'Alerts', num: true, value: (k) => k.alerts },
    { label: 'Occurrences', num: true, value: (k) => k.occurrences },
  ], [...kinds.values()].sort((a, b) => b.alerts - a.alerts)));
  const netName = new Map(s.config.networks.map((n) => [n.id, n.name]));
  out.push(table('Alerts by network', [
    { label: 'Network', value: ([id]) => netName.get(id) ?? id }, { label: 'Alerts', num: true, value: ([, n]) => n },
  ], [...networks.entries()].sort((a, b) => b[1] - a[1])));
  return out.join('\n');
}

export function statementSection(s: PackSources): string {
  const st = s.statement;
  return ['<h2 id="statement">8. Data-processing statement</h2>',
    '<p>What this gateway holds about people, why, where, for how long and who can see it: for the school\'s information asset register and its data protection impact assessment. Generated from the gateway\'s own retention settings and roles, so it describes what the gateway actually does.</p>',
    `<p>${esc(st.location)}</p>`,
    table('What the gateway holds', [
      { label: 'Record', value: (i) => raw(`<strong>${esc(i.what)}</strong>${i.personal ? '' : '<br><span class="muted">not personal data</span>'}`) },
      { label: 'What it holds', value: (i) => i.holds },
      { label: 'Why', value: (i) => i.why },
      { label: 'Where', value: (i) => i.where },
      { label: 'How long', value: (i) => i.kept },
      { label: 'Who can see it', value: (i) => i.whoCanSee.join(', ') },
    ], st.items),
    '<h3>What leaves the gateway, and how it is protected</h3>',
    `<ul>${st.exports.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>`,
  ].join('\n');
}

export function signOffSection(s: PackSources, d: Dates): string {
  const out = ['<h2 id="sign-off">9. Participants and sign-off</h2>',
    '<p>The DfE\'s filtering and monitoring standards ask that the review is done at least once a year by the senior leader responsible, the designated safeguarding lead and the IT service provider, with a governor involved.</p>'];
  const review = s.annual;
  if (review === null) {
    out.push(none('This year\'s review has not been opened on the gateway: no participants or sign-offs are recorded. Sign below.'));
  } else {
    out.push(`<p>Review opened ${esc(d.day(review.createdAt))} by ${esc(review.createdBy)}. <strong>Next annual review: ${esc(d.day(review.nextReview))}.</strong></p>`);
    const missing = (['senior-leader', 'dsl', 'it-provider', 'governor'] as const).filter((r) => !review.participants.some((p) => p.role === r));
    if (missing.length > 0) out.push(`<p class="fail">No one recorded as: ${esc(missing.map((r) => PARTICIPANT_ROLE_NAMES[r]).join(', '))}.</p>`);
    out.push(review.participants.length === 0 ? none('No participants recorded yet.') : table('Who took part, and their sign-off', [
      { label: 'Name', value: (p: Participant) => raw(`${esc(p.name)}${p.roleTitle ? `<br><span class="muted">${esc(p.roleTitle)}</span>` : ''}`) },
      { label: 'Part in the review', value: (p) => PARTICIPANT_ROLE_NAMES[p.role] },
      { label: 'Signed off', nowrap: true, value: (p) => (p.signOffs.length === 0 ? raw('<span class="fail">not yet</span>') : p.signOffs.map((x) => d.day(x.signedOn)).join(', ')) },
      { label: 'Comment', value: (p) => raw(p.signOffs.map((x) => esc(x.comment || '–')).join('<br>')) },
      { label: 'Recorded by', value: (p) => p.signOffs.map((x) => x.recordedBy).join(', ') },
    ], review.participants));
  }
  out.push('<h3>Signatures on the printed copy</h3>', '<p>For the copy kept with the school\'s records; the sign-offs above are the gateway\'s record.</p>',
    ...['Senior leader', 'Designated safeguarding lead', 'IT service provider', 'Governor'].map((who) =>
      `<div class="sign"><strong>${esc(who)}</strong><div class="lines"><span>Name</span><span>Signature</span><span class="date">Date</span></div></div>`));
  return out.join('\n');
}
