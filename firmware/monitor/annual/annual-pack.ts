// The annual review pack: one print-ready HTML document, rendered purely from what was gathered
// (PackSources) for one school year. No script and nothing loaded: its one stylesheet is inline
// and allowed by hash (pack-style.ts), each part starts a new printed page, and every value from a
// store or the configuration is escaped text.
import { esc, datesIn, percent } from './pack-html.ts';
import { alertsSection, incidentsSection, reviewsSection, signOffSection, statementSection } from './pack-records.ts';
import { auditSection, configurationSection, rolesSection, selftestSection } from './pack-sections.ts';
import { PACK_CSS } from './pack-style.ts';
import type { PackPeriod, PackSources } from './pack-types.ts';

export type { PackPeriod, PackSources } from './pack-types.ts';

const PARTS: readonly [string, string][] = [
  ['configuration', 'Filtering as configured'],
  ['roles', 'Who holds which role'],
  ['selftest', 'Filter self-tests'],
  ['changes', 'Changes to filtering and configuration'],
  ['reviews', 'Weekly monitoring reviews'],
  ['incidents', 'Incidents (anonymised)'],
  ['alerts', 'Alerts'],
  ['statement', 'Data-processing statement'],
  ['sign-off', 'Participants and sign-off'],
];

export function renderAnnualPack(sources: PackSources, period: PackPeriod): string {
  const d = datesIn(sources.config.site.timezone);
  const school = sources.config.site.name;
  const lastDay = new Date(period.to.getTime() - 86_400_000);
  const runs = sources.selftest.runs;
  const runsPassed = runs.filter((r) => r.passed).length;
  const failOpens = runs.reduce((n, r) => n + r.failOpens, 0);
  const reviews = sources.reviews;
  const signedWeeks = reviews?.filter((r) => r.signedAt !== null).length ?? 0;
  const verdict = sources.audit.verdict;
  const annual = sources.annual;
  const signedParticipants = annual?.participants.filter((p) => p.signOffs.length > 0).length ?? 0;
  const fact = (label: string, value: string, bad = false) => `<li${bad ? ' class="bad"' : ''}>${esc(label)}<strong>${esc(value)}</strong></li>`;
  const summary = [
    fact('Self-test runs passed', runs.length === 0 ? 'none ran' : `${runsPassed} of ${runs.length} (${percent(runsPassed, runs.length)})`, runs.length === 0 || runsPassed < runs.length),
    fact('Fail-opens (blocked names let through)', String(failOpens), failOpens > 0),
    fact('External tests recorded', String(sources.selftest.external.length), sources.selftest.external.length === 0),
    fact('Weekly reviews signed off', reviews === undefined ? 'not recorded here' : `${signedWeeks} of ${reviews.length}`, reviews !== undefined && signedWeeks < reviews.length),
    fact('Incidents', sources.incidents === undefined ? 'not recorded here' : String(sources.incidents.length)),
    fact('Alerts raised', String(sources.alerts.length)),
    fact('Filtering and configuration changes', String(sources.audit.changes.length)),
    fact('Audit log intact', verdict.ok ? `yes (${verdict.entries} entries)` : `NO: broken at entry ${verdict.brokenAt}`, !verdict.ok),
    fact('Participants signed off', annual === null ? 'review not opened' : `${signedParticipants} of ${annual.participants.length}`, annual === null || signedParticipants < annual.participants.length || annual.participants.length === 0),
    ...(annual === null ? [] : [fact('Next annual review', d.day(annual.nextReview))]),
  ];
  const parts = [
    configurationSection(sources), rolesSection(sources), selftestSection(sources, d), auditSection(sources, d, period),
    reviewsSection(sources, d), incidentsSection(sources, d), alertsSection(sources, d), statementSection(sources), signOffSection(sources, d),
  ];
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Annual review of filtering and monitoring ${esc(period.year)} — ${esc(school)}</title>
<style>${PACK_CSS}</style>
</head>
<body>
<header class="cover">
<p class="school">${esc(school)}</p>
<h1>Annual review of filtering and monitoring, ${esc(period.year)}</h1>
<p class="meta">The school year from ${esc(d.day(period.from))} to ${esc(d.day(lastDay))}. Made by the school's Schoolgate gateway on ${esc(d.time(sources.generatedAt))}, asked for by ${esc(sources.generatedBy)}.</p>
<p class="meta">Everything below comes from the gateway's own records. It names no pupil and no pupil's device.</p>
</header>
<main>
<section aria-labelledby="summary-h">
<h2 id="summary-h">The year at a glance</h2>
<ul class="summary">${summary.join('')}</ul>
<nav class="toc" aria-label="Contents"><h3>Contents</h3><ol>${PARTS.map(([id, title]) => `<li><a href="#${id}">${esc(title)}</a></li>`).join('')}</ol></nav>
</section>
${parts.map((p) => `<section class="part">\n${p}\n</section>`).join('\n')}
</main>
<footer>${esc(school)} · Annual review of filtering and monitoring ${esc(period.year)} · made ${esc(d.time(sources.generatedAt))}${verdict.ok ? ` · audit log head ${esc(verdict.head.slice(0, 16))}…` : ''}</footer>
</body>
</html>
`;
}
