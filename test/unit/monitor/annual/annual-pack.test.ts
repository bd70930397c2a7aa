// The annual review pack from a seeded school year in a real state.db: every part is there, the
// external test sits beside the gateway's own, no pupil device or looked-up name reaches it, the
// weekly reviews and incidents say honestly when this gateway keeps none, and the document is
// inert (escaped values, no script, only its own hashed style).
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../../../firmware/config/defaults.ts';
import { renderAnnualPack } from '../../../../firmware/monitor/annual/annual-pack.ts';
import { gatherPackSources, packPeriod, type PackSourceDeps } from '../../../../firmware/monitor/annual/pack-sources.ts';
import { PACK_CSP } from '../../../../firmware/monitor/annual/pack-style.ts';
import type { ReviewRecord } from '../../../../firmware/monitor/annual/pack-types.ts';
import { LOOKED_UP, PUPIL_DEVICE_NAMES, PUPIL_MACS, seedYear, type SeededYear } from '../../../../scripts/bench/annual-seed.ts';

let seeded: SeededYear | undefined;
afterEach(() => {
  seeded?.state.close();
  seeded = undefined;
});

function render(extra: Partial<PackSourceDeps> = {}, year = '2026-27'): string {
  seeded ??= seedYear({ auditEntries: 1500, alerts: 400 });
  const { state, config, clock } = seeded;
  const deps: PackSourceDeps = { config: () => config, categories: CATALOGUE.categories, state, now: () => clock.now, ...extra };
  const period = packPeriod(year, state.annualReviews.get(year), config.site.timezone);
  return renderAnnualPack(gatherPackSources(deps, period, 'account:jo.head'), period);
}

function openReview(s: SeededYear): void {
  s.state.annualReviews.open({ year: '2026-27', nextReview: '2028-07-01' }, 'account:jo.head', s.clock.now);
  const head = s.state.annualReviews.addParticipant({ year: '2026-27', name: 'Jo Head', role: 'senior-leader', roleTitle: 'Headteacher' }, 'account:jo.head', s.clock.now);
  s.state.annualReviews.addParticipant({ year: '2026-27', name: 'Pat Governor', role: 'governor' }, 'account:jo.head', s.clock.now);
  s.state.annualReviews.signOff({ year: '2026-27', participant: head.id, signedOn: '2027-07-09', comment: 'Filtering reviewed; no gaps found.' }, 'account:jo.head', s.clock.now);
}

describe('the annual review pack', () => {
  it('holds every part, in order, with the year\'s figures', () => {
    seeded = seedYear({ auditEntries: 1500, alerts: 400 });
    openReview(seeded);
    seeded.state.selftest.addExternal({ network: 'pupil', testedOn: '2026-11-20', tester: 'Alex Tech, ICT Ltd', tool: 'SWGfL Test Filtering', result: 'pass',
      categories: { 'child-abuse': 'pass', terrorism: 'pass', adult: 'pass' }, note: 'All four categories blocked', reference: 'SWGFL-2026-1120' }, 'account:jo.head', new Date('2026-11-20T15:00:00Z'));
    const html = render();
    const ids = ['configuration', 'roles', 'selftest', 'changes', 'reviews', 'incidents', 'alerts', 'statement', 'sign-off'];
    const positions = ids.map((id) => html.indexOf(`<h2 id="${id}">`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(html).toContain('Annual review of filtering and monitoring, 2026-27');
    expect(html).toContain('Acceptable use: ');
    expect(html).toMatch(/363 of 364 runs passed/);
    expect(html).toContain('SWGfL Test Filtering');
    expect(html).toContain('SWGFL-2026-1120');
    expect(html).toContain('child-abuse: pass');
    expect(html).toContain('The audit log\'s hash chain verifies');
    expect(html).toContain('Acceptable-use table changed');
    expect(html).toContain('<strong>400 alerts</strong>');
    expect(html).toContain('Next annual review: 1 Jul 2028');
    expect(html).toContain('Filtering reviewed; no gaps found.');
    expect(html).toContain('No one recorded as: Designated safeguarding lead, IT service provider');
    expect(html).toContain('Pat Governor');
    expect(html).toContain('DNS query log');
  });

  it('names no pupil device, address or looked-up name, and leaves sign-ins and device actions out of the change audit', () => {
    const html = render();
    for (const secret of [...PUPIL_MACS, ...PUPIL_DEVICE_NAMES, LOOKED_UP, '10.20.0.10', '10.20.0.11', '10.20.0.12']) expect(html, secret).not.toContain(secret);
    expect(html).not.toContain('account.login');
    expect(html).not.toContain('device.suspend');
  });

  it('says the weekly reviews and incidents are not recorded here until their sources are wired in', () => {
    const html = render();
    expect(html.match(/Not recorded by this gateway yet/g)).toHaveLength(2);
  });

  it('shows the weekly reviews and the anonymised incidents the sources give for the year only', () => {
    const asked: string[] = [];
    const html = render({
      reviews: { reviews: (from, to): ReviewRecord[] => { asked.push(`${from.toISOString()}..${to.toISOString()}`); return [
        { week: '2026-11-30', signedOffBy: 'Sam Lee', onBehalfOf: 'Jo Head', signedAt: '2026-12-04T15:00:00.000Z', outcomes: { 'no concern': 11, 'spoke to the pupil': 1 } },
        { week: '2026-12-07', signedOffBy: null, onBehalfOf: null, signedAt: null, outcomes: {} },
      ]; } },
      incidents: { anonymised: () => [{ openedAt: '2026-10-02T10:00:00.000Z', category: 'Restricted list hit', outcome: 'internal action', closedAt: '2026-10-05T10:00:00.000Z' }] },
    });
    expect(asked).toEqual(['2026-08-31T23:00:00.000Z..2027-08-31T23:00:00.000Z']);
    expect(html).toContain('1 of 2 weeks signed off');
    expect(html).toContain('no concern: 11; spoke to the pupil: 1');
    expect(html).toContain('not signed off');
    expect(html).toContain('Restricted list hit');
    expect(html).toContain('internal action');
    expect(html).not.toContain('Not recorded by this gateway yet');
  });

  it('is inert: values are escaped text, no script, and the CSP allows exactly its style', () => {
    seeded = seedYear({ auditEntries: 50, alerts: 20 });
    seeded.config.site.name = 'St <script>alert(1)</script> & "Mary\'s"';
    const html = render();
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('St &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Mary&#39;s&quot;');
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(PACK_CSP).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(PACK_CSP).not.toContain('unsafe-inline');
    expect(PACK_CSP).not.toMatch(/script-src/);
  });

  it('covers a year that was never opened: 1 September to 31 August, with nothing signed', () => {
    const html = render({}, '2025-26');
    expect(html).toContain('from 1 Sept 2025 to 31 Aug 2026');
    expect(html).toContain('review has not been opened on the gateway');
    expect(html).toContain('No self-test ran in this period.');
  });
});
