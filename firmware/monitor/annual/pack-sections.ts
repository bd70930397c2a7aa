// The annual pack's first parts: the configuration in words (each network and its AUP table,
// schedules, device groups, resolvers, lists, exceptions), who holds which role, the self-test
// history with the external results beside it, and the change audit with the chain's verification.
import { DISPOSITION_LABELS, aupPolicy, scheduleSummary } from '../../admin/aup-table.ts';
import { PERMISSION_WORDS } from '../../admin/permission-words.ts';
import { ROLES, ROLE_PERMISSIONS } from '../../admin/roles.ts';
import type { AuditEntry } from '../../control/audit-chain.ts';
import type { ExternalTest, RunSummary } from '../selftest/selftest-schema.ts';
import { changeEntryWords } from './change-actions.ts';
import { ROLE_TITLES } from './data-statement.ts';
import { esc, none, percent, raw, table, type Dates } from './pack-html.ts';
import type { PackPeriod, PackSources } from './pack-types.ts';

const DISPOSITION = new Map(DISPOSITION_LABELS.map((d) => [d.value, d.label]));
const KIND_WORDS: Readonly<Record<string, string>> = {
  staff: 'Staff', pupil: 'Pupils', guest: 'Visitors (guest)', 'school-devices': 'School-owned devices', management: 'Management (IT)',
};
const SAFE_SEARCH: Readonly<Record<string, string>> = { off: 'off', moderate: 'moderate', strict: 'strict' };

export function configurationSection(s: PackSources): string {
  const c = s.config;
  const policyName = new Map(c.policies.map((p) => [p.id, p.name]));
  const scheduleName = new Map(c.schedules.map((x) => [x.id, x.name]));
  const groupName = new Map(c.deviceGroups.map((g) => [g.id, g.name]));
  const out: string[] = ['<h2 id="configuration">1. Filtering as configured</h2>',
    `<p>What each network gets, as the gateway is configured on the day this pack was made. Each table is the school's acceptable use policy table for one policy: the categories, and whether each is acceptable, acceptable at certain times (a schedule), acceptable for nominated users (device groups), unacceptable, or unacceptable and illegal. Illegal content is blocked on every network and can never be excepted.</p>`];
  out.push(table('Networks', [
    { label: 'Network', value: (n) => n.name },
    { label: 'For', value: (n) => KIND_WORDS[n.kind] ?? n.kind },
    { label: 'Wi-Fi name', value: (n) => n.ssid ?? '–' },
    { label: 'Policy', value: (n) => policyName.get(n.policy) ?? n.policy },
    { label: 'In use', value: (n) => (n.enabled ? 'yes' : 'switched off') },
  ], c.networks));
  for (const p of c.policies) {
    const aup = aupPolicy(c, p, s.categories);
    const nets = aup.networks.map((n) => n.name).join(', ') || 'no network';
    const groups = aup.groups.map((g) => g.name);
    out.push(`<h3>The “${esc(p.name)}” policy, used on: ${esc(nets)}${groups.length ? `; and by the device groups ${esc(groups.join(', '))}` : ''}</h3>`,
      `<p>Safe search: ${esc(SAFE_SEARCH[p.safeSearch] ?? p.safeSearch)}. A blocked site gets ${p.blockAnswer === 'block-page' ? 'the school\'s block page' : p.blockAnswer === 'nxdomain' ? 'a "no such site" answer' : 'no address'}.</p>`,
      table(`Acceptable use: ${p.name}`, [
        { label: 'Category', value: (r) => r.title },
        { label: 'Disposition', value: (r) => raw(`<span class="d-${esc(r.rule.disposition)}">${esc(DISPOSITION.get(r.rule.disposition) ?? r.rule.disposition)}</span>`) },
        { label: 'When / for whom', value: (r) => [
          r.rule.schedule ? `at: ${scheduleName.get(r.rule.schedule) ?? r.rule.schedule}` : '',
          r.rule.groups?.length ? `for: ${r.rule.groups.map((g) => groupName.get(g) ?? g).join(', ')}` : '',
          r.locked ? 'locked: illegal content' : '',
        ].filter(Boolean).join('; ') || '–' },
        { label: 'Watched', value: (r) => (r.rule.watch ? 'every visit alerts' : '') },
      ], aup.rows));
  }
  out.push('<h3>Schedules, device groups, resolvers</h3>');
  out.push(c.schedules.length === 0 ? none('No schedules: no category is acceptable only at certain times.') : table('Schedules', [
    { label: 'Schedule', value: (x) => x.name },
    { label: 'When', value: (x) => scheduleSummary(x) },
    { label: 'Term time only', value: (x) => (x.termTimeOnly ? 'yes' : 'no') },
  ], c.schedules));
  out.push(c.deviceGroups.length === 0 ? none('No device groups: no category is acceptable only for nominated users.') : table('Device groups (nominated users)', [
    { label: 'Group', value: (g) => g.name },
    { label: 'Its own policy', value: (g) => (g.policy ? policyName.get(g.policy) ?? g.policy : 'the network\'s') },
  ], c.deviceGroups));
  out.push(c.dns.upstreams.length === 0
    ? none('Resolvers: the system\'s own (no filtering provider is named). A school normally forwards to its filtering provider\'s resolvers, which block illegal content (the IWF list) before this gateway\'s own lists.')
    : table('Resolvers the gateway forwards to, in order', [
      { label: 'Name', value: (u) => u.name }, { label: 'Address', value: (u) => `${u.address}${u.port === 53 ? '' : `:${u.port}`}` },
    ], c.dns.upstreams));
  out.push(table('Block and allow lists', [
    { label: 'List', value: (l) => l.name },
    { label: 'Category', value: (l) => s.categories.get(l.category)?.title ?? l.category },
    { label: 'Kind', value: (l) => (l.restricted ? 'illegal content (never shown, never excepted)' : l.action === 'allow' ? 'allow list' : 'block list') },
    { label: 'Source', value: (l) => (l.feed ? 'downloaded on a schedule' : l.file.startsWith('builtin:') ? 'shipped with the gateway' : 'a file the school loaded') },
    { label: 'In use', value: (l) => (l.enabled ? 'yes' : 'no') },
  ], c.lists));
  out.push(c.exceptions.length === 0 ? none('No exceptions: every network is filtered exactly as its table says.') : table('Exceptions in force (a site allowed or blocked outside the table)', [
    { label: 'Site', value: (e) => e.domain },
    { label: 'Allowed or blocked', value: (e) => (e.action === 'allow' ? 'allowed' : 'blocked') },
    { label: 'Where', value: (e) => [e.networks?.length ? `networks: ${e.networks.join(', ')}` : 'every network', e.groups?.length ? `groups: ${e.groups.map((g) => groupName.get(g) ?? g).join(', ')}` : ''].filter(Boolean).join('; ') },
    { label: 'Why', value: (e) => e.reason },
    { label: 'Asked by', value: (e) => e.requestedBy },
    { label: 'Until', value: (e) => e.expires ?? 'no end date' },
  ], c.exceptions));
  return out.join('\n');
}

export function rolesSection(s: PackSources): string {
  const active = s.accounts.filter((a) => !a.breakGlass);
  const out = ['<h2 id="roles">2. Who holds which role</h2>',
    '<p>Each member of staff signs in with their own account; an account may hold several roles. The recovery account kept in the school safe holds none: it can only restore access, and every use of it raises an alert.</p>'];
  out.push(active.length === 0 ? none('No accounts yet.') : table('Accounts and roles', [
    { label: 'Name', value: (a) => raw(`${esc(a.displayName)}<br><span class="muted">${esc(a.username)}</span>`) },
    { label: 'Roles', value: (a) => a.roles.map((r) => ROLE_TITLES[r]).join(', ') || '–' },
    { label: 'Two-factor', value: (a) => (a.totpEnrolled ? 'on' : 'off') },
    { label: 'State', value: (a) => (a.disabled ? 'disabled' : 'active') },
  ], active));
  const holders = (role: string) => active.filter((a) => !a.disabled && a.roles.includes(role as never)).length;
  out.push(table('What each role may do, and how many active accounts hold it', [
    { label: 'Role', value: (r) => ROLE_TITLES[r] },
    { label: 'Accounts', num: true, value: (r) => holders(r) },
    { label: 'May', value: (r) => ROLE_PERMISSIONS[r].map((p) => PERMISSION_WORDS[p]).join('; ') },
  ], ROLES));
  return out.join('\n');
}

interface MonthRow { month: string; runs: number; passed: number; failOpens: number }

export function selftestSection(s: PackSources, d: Dates): string {
  const runs = s.selftest.runs;
  const out = ['<h2 id="selftest">3. Filter self-tests</h2>',
    '<p>Every day the gateway asks its own DNS, from each network as a device there would, for a test name of each blocked category, the search engines (safe search) and the tricks that get round filtering, and compares each answer with what the policy says. A “fail-open” is the worst result: a name the policy blocks was answered from the internet.</p>'];
  if (runs.length === 0) out.push(none('No self-test ran in this period.'));
  else {
    const passed = runs.filter((r) => r.passed).length;
    const byMonth = new Map<string, MonthRow>();
    for (const r of runs) {
      const key = d.monthKey(r.at);
      const row = byMonth.get(key) ?? { month: d.month(r.at), runs: 0, passed: 0, failOpens: 0 };
      row.runs += 1;
      if (r.passed) row.passed += 1;
      row.failOpens += r.failOpens;
      byMonth.set(key, row);
    }
    out.push(`<p><strong>${passed} of ${runs.length} runs passed (${percent(passed, runs.length)})</strong>, ${runs.reduce((n, r) => n + r.failOpens, 0)} fail-opens.</p>`);
    out.push(table('Self-test runs by month', [
      { label: 'Month', value: (m) => m.month },
      { label: 'Runs', num: true, value: (m) => m.runs },
      { label: 'Passed', num: true, value: (m) => `${m.passed} (${percent(m.passed, m.runs)})` },
      { label: 'Fail-opens', num: true, value: (m) => raw(m.failOpens > 0 ? `<span class="fail">${m.failOpens}</span>` : '0') },
    ], [...byMonth.values()]));
    const failed = runs.filter((r) => !r.passed);
    if (failed.length > 0) {
      out.push(table('Runs that failed', [
        { label: 'When', nowrap: true, value: (r: RunSummary) => d.time(r.at) },
        { label: 'Networks', value: (r) => r.networks.join(', ') },
        { label: 'Failed checks', num: true, value: (r) => r.failed },
        { label: 'Fail-opens', num: true, value: (r) => r.failOpens },
        { label: 'Run', num: true, value: (r) => r.id },
      ], failed));
    }
  }
  out.push('<h3>External filter tests</h3>');
  out.push(s.selftest.external.length === 0
    ? none('No external test (such as SWGfL\'s Test Filtering) was recorded in this period. Record one on the Annual review page or with: schoolgate selftest external add.')
    : table('External tests, beside the gateway\'s own', [
      { label: 'Tested', nowrap: true, value: (e: ExternalTest) => d.day(e.testedOn ?? e.at) },
      { label: 'Network', value: (e) => s.config.networks.find((n) => n.id === e.network)?.name ?? e.network },
      { label: 'Tool and tester', value: (e) => [e.tool, e.tester].filter(Boolean).join(', ') || '–' },
      { label: 'Result', value: (e) => raw(`<span class="${e.result === 'pass' ? 'ok' : 'fail'}">${e.result === 'pass' ? 'Pass' : 'Fail'}</span>${e.categories ? `<br>${Object.entries(e.categories).map(([k, v]) => `${esc(k)}: ${esc(v)}`).join(', ')}` : ''}`) },
      { label: 'Note', value: (e) => e.note },
      { label: 'Reference', value: (e) => e.reference ?? '' },
    ], s.selftest.external));
  return out.join('\n');
}

export function auditSection(s: PackSources, d: Dates, period: PackPeriod): string {
  const { changes, entriesInPeriod, verdict } = s.audit;
  const out = ['<h2 id="changes">4. Changes to filtering and configuration</h2>',
    `<p>From the gateway's audit log, which no account can change or delete: ${entriesInPeriod} entries in ${esc(period.year)}, of which ${changes.length} changed filtering, configuration or who holds which role (sign-ins and day-to-day actions on devices are left out here).</p>`];
  out.push(verdict.ok
    ? `<p class="ok">The audit log's hash chain verifies: all ${verdict.entries} entries are as they were written.</p><p>Newest entry's hash, to note with today's date: <code class="hash">${esc(verdict.head)}</code></p>`
    : `<p class="fail">The audit log's hash chain is broken at entry ${verdict.brokenAt}: ${esc(verdict.reason)}. Entries from there on cannot be trusted; the IT provider must investigate.</p>`);
  out.push(changes.length === 0 ? none('No change to filtering or configuration in this period.') : table('Changes, oldest first', [
    { label: '#', num: true, value: (e: AuditEntry) => e.seq },
    { label: 'When', nowrap: true, value: (e) => d.time(e.at) },
    { label: 'Who', value: (e) => e.actor },
    { label: 'What', value: (e) => changeEntryWords(e) },
    { label: 'About', value: (e) => e.subject ?? '' },
  ], changes));
  return out.join('\n');
}
