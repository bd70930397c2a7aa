// The annual review pack's rendering time on a school year of records: a daily self-test on two
// networks (364 runs), 5,000 audit entries, 2,000 alerts, 52 weekly reviews and 30 incidents
// through the pack's read interfaces. Prints annual_pack_ms (rendering, the median of 9) and
// annual_pack_gather_ms (reading the stores). The quick one, in seconds and in memory, for work on
// the pack itself; `npm run bench:review` times the same measureAnnualPack over its seeded year
// beside the 10M-event query log, and its annual_pack_ms is the figure of record.
//   node scripts/bench/annual-pack.ts [--audit 5000] [--alerts 2000]
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { CATALOGUE } from '../../firmware/config/defaults.ts';
import { renderAnnualPack } from '../../firmware/monitor/annual/annual-pack.ts';
import { gatherPackSources, packPeriod, type PackSourceDeps } from '../../firmware/monitor/annual/pack-sources.ts';
import type { AnonymisedIncident, ReviewRecord } from '../../firmware/monitor/annual/pack-types.ts';
import { seedYear } from './annual-seed.ts';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median rendering and gathering time of the year's pack over `runs` runs. */
export function measureAnnualPack(deps: PackSourceDeps, year: string, runs = 9): { renderMs: number; gatherMs: number; bytes: number } {
  const period = packPeriod(year, deps.state.annualReviews.get(year), deps.config().site.timezone);
  const gather: number[] = [];
  const render: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const sources = gatherPackSources(deps, period, 'bench');
    const t1 = performance.now();
    bytes = renderAnnualPack(sources, period).length;
    render.push(performance.now() - t1);
    gather.push(t1 - t0);
  }
  return { renderMs: median(render), gatherMs: median(gather), bytes };
}

if (import.meta.main) {
  const { values } = parseArgs({ options: { audit: { type: 'string', default: '5000' }, alerts: { type: 'string', default: '2000' } } });
  const seeded = seedYear({ auditEntries: Number(values.audit), alerts: Number(values.alerts) });
  const weeks: ReviewRecord[] = Array.from({ length: 52 }, (_, i) => ({
    week: new Date(Date.UTC(2026, 8, 7 + i * 7)).toISOString().slice(0, 10), signedOffBy: i % 9 === 0 ? null : 'Sam Lee', onBehalfOf: 'Jo Head',
    signedAt: i % 9 === 0 ? null : new Date(Date.UTC(2026, 8, 11 + i * 7, 15)).toISOString(), outcomes: { 'no concern': 30 + (i % 7), 'spoke to the pupil': i % 3, 'escalated to the DSL': i % 5 === 0 ? 1 : 0 },
  }));
  const incidents: AnonymisedIncident[] = Array.from({ length: 30 }, (_, i) => ({
    openedAt: new Date(Date.UTC(2026, 8, 10 + i * 11, 10)).toISOString(), category: ['Restricted list hit', 'Bypass attempt', 'Inappropriate search'][i % 3]!,
    outcome: i % 4 === 0 ? null : 'internal action', closedAt: i % 4 === 0 ? null : new Date(Date.UTC(2026, 8, 12 + i * 11, 10)).toISOString(),
  }));
  const deps: PackSourceDeps = {
    config: () => seeded.config, categories: CATALOGUE.categories, state: seeded.state, now: () => seeded.clock.now,
    reviews: { reviews: () => weeks }, incidents: { anonymised: () => incidents },
  };
  const result = measureAnnualPack(deps, '2026-27');
  console.log(`annual_pack_ms=${result.renderMs.toFixed(1)} annual_pack_gather_ms=${result.gatherMs.toFixed(1)} annual_pack_kb=${Math.round(result.bytes / 1024)} audit_entries=${values.audit} alerts=${values.alerts}`);
  seeded.state.close();
}
