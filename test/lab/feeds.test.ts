// Subscribed list feeds, proven on the lab: Schoolgate in gw subscribes to a list served by nginx
// in wan, downloads it before it starts filtering, and takes a new version (through
// `schoolgate lists update`, as a technician would) while dnsperf on the pupil network keeps
// asking, without one question going unanswered. A broken download afterwards changes nothing.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Config } from '../../firmware/config/schema.ts';
import type { FeedUpdateResult } from '../../firmware/rules/feeds/types.ts';
import { parseSummary } from '../../scripts/bench/dns/dnsperf.ts';
import { schoolNetwork } from '../../scripts/netlab/addresses.ts';
import { MAIN, NODE, REPO_ROOT } from '../../scripts/netlab/gateway.ts';
import { publishWanFile, removeWanFile, wanFileUrl } from '../../scripts/netlab/wan-files.ts';
import { HOSTS, LISTED_SITE, WILDCARDS } from '../../scripts/netlab/zones.ts';
import { useLab } from './support/lab.ts';

const lab = useLab({ name: 'feeds.test' });

const FEED_PATH = '/feeds/social.txt';
const LIST_ID = 'lab-feed-social';
const LIST_FILE = 'feed-social.txt';
const WILDCARD = Object.keys(WILDCARDS)[0]!;
/** Resolves in wan (under the wildcard domain); only the second version of the feed lists it. */
const ADDED_SITE = `feed-added.${WILDCARD}`;
/** Enough names that the rebuild is real work for the compiler thread while dnsperf runs. */
const FILLER = Array.from({ length: 20_000 }, (_, i) => `filler-${i}.feeds.test`);

const version1 = `# lab social feed, version 1\n${LISTED_SITE}\n${FILLER.join('\n')}\n`;
const version2 = `# lab social feed, version 2\n${LISTED_SITE}\n${ADDED_SITE}\n${FILLER.join('\n')}\n`;

const pupilGateway = schoolNetwork('pupil').gateway;

function feedConfig(): Config {
  const config = lab().gatewayConfig();
  config.lists = [{
    id: LIST_ID, name: 'Lab social feed', category: 'social', file: LIST_FILE, format: 'domains', enabled: true,
    // A schedule that will not fire during the test: the update is the technician's.
    feed: { url: wanFileUrl(FEED_PATH), schedule: '17 3 * * *' },
  }];
  // dnsperf is one client: the per-client limit would otherwise answer REFUSED and be what is measured.
  config.dns.rateLimitPerSecond = 1_000_000;
  return config;
}

async function digPupil(name: string): Promise<string[]> {
  const r = await lab().run('pupil', ['dig', '+time=3', '+tries=1', '+short', `@${pupilGateway}`, name, 'A']);
  return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

async function listsUpdate(): Promise<{ code: number; results: FeedUpdateResult[]; output: string }> {
  const gateway = lab().gateway!;
  const r = await lab().exec('gw', [NODE, MAIN, 'lists', 'update', '--data-dir', gateway.dataDir, '--json'], { cwd: REPO_ROOT, timeoutMs: 60_000 });
  const output = `${r.stdout}\n${r.stderr}`;
  let results: FeedUpdateResult[] = [];
  try {
    results = (JSON.parse(r.stdout) as { results: FeedUpdateResult[] }).results;
  } catch {
    throw new Error(`\`lists update --json\` printed no JSON (exit ${r.code}):\n${output}`);
  }
  return { code: r.code ?? -1, results, output };
}

/** Questions the gateway has decided for the pupil network, from its own counters (`status --json`). */
async function pupilQuestions(): Promise<number> {
  const r = await lab().gateway!.statusCommand();
  if (r.code !== 0) throw new Error(`status failed (exit ${r.code}):\n${r.stdout}${r.stderr}`);
  return (JSON.parse(r.stdout) as { dns: { counters: { byNetwork: Record<string, number> } } }).dns.counters.byNetwork.pupil ?? 0;
}

/** Polls the pupil counter until it reaches `target`; false if dnsperf ended first. */
async function questionsReach(target: number, perfDone: () => boolean): Promise<boolean> {
  for (;;) {
    if (await pupilQuestions() >= target) return true;
    if (perfDone()) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  await publishWanFile(lab().dir, FEED_PATH, version1);
  // No copy in the data directory yet: a new subscription the gateway must fetch before it filters.
  await lab().startGateway(feedConfig());
});

describe('list feeds from the wan server', () => {
  test('a new subscription is downloaded before the gateway starts, and blocks', async () => {
    const copy = await readFile(join(lab().gateway!.dataDir, 'lists', LIST_FILE), 'utf8');
    expect(copy).toBe(version1);
    expect(await digPupil(LISTED_SITE)).toEqual([pupilGateway]);
    expect(await digPupil(ADDED_SITE)).toEqual([WILDCARDS[WILDCARD]]);
    expect(await readFile(lab().wan.nginxAccessLog, 'utf8')).toContain(`"GET ${FEED_PATH} HTTP/1.1" 200`);
  });

  test('an unchanged feed is asked for conditionally and not rebuilt', async () => {
    const { code, results, output } = await listsUpdate();
    expect(code, output).toBe(0);
    expect(results, output).toMatchObject([{ list: LIST_ID, outcome: 'unchanged' }]);
    expect(await readFile(lab().wan.nginxAccessLog, 'utf8')).toContain(`"GET ${FEED_PATH} HTTP/1.1" 304`);
  });

  test('a new version is swapped in while dnsperf runs, losing no query, and the added name is blocked', async () => {
    const work = lab().scratch('feeds-dnsperf');
    const queryFile = join(work, 'queries.txt');
    const queries = [LISTED_SITE, 'www.school.test', 'school.test', 'other.test', `www.${WILDCARD}`, ADDED_SITE, FILLER[7]!, FILLER[19_999]!];
    for (const name of queries) if (!(name in HOSTS) && !name.endsWith(`.${WILDCARD}`) && !name.endsWith('.feeds.test')) throw new Error(`${name} does not resolve in wan`);
    await writeFile(queryFile, queries.map((n) => `${n} A\n`).join(''));

    // A moderate, steady load (2,000 questions a second), long enough to hold the update inside it
    // even on a loaded machine (where a CLI start plus a 20,000-name rebuild took over 15 s).
    const before = await pupilQuestions();
    const perf = lab().exec('pupil', ['dnsperf', '-s', pupilGateway, '-d', queryFile, '-Q', '2000', '-l', '45', '-c', '4', '-t', '3'], { timeoutMs: 120_000 });
    let perfDone = false;
    void perf.then(() => { perfDone = true; });
    // The update starts once the gateway's own counter shows the load arriving, not after a pause.
    const loadBefore = await questionsReach(before + 2_000, () => perfDone);
    await publishWanFile(lab().dir, FEED_PATH, version2);
    const update = await listsUpdate();
    const updatedDuringRun = !perfDone;
    // ...and the gateway kept answering the load after the new lists were in service.
    const loadAfter = await questionsReach(await pupilQuestions() + 2_000, () => perfDone);
    const run = await perf;
    expect(update.code, update.output).toBe(0);
    expect(update.results, update.output).toMatchObject([{ list: LIST_ID, outcome: 'updated', entries: FILLER.length + 2 }]);
    expect(loadBefore, 'dnsperf ended before 2,000 of its questions reached the gateway').toBe(true);
    expect(updatedDuringRun, 'the update finished after dnsperf had stopped: it did not run under load').toBe(true);
    expect(loadAfter, 'dnsperf ended before 2,000 more questions reached the gateway after the update').toBe(true);

    expect(run.code, `${run.stdout}${run.stderr}`).toBe(0);
    const summary = parseSummary(run.stdout);
    console.log(`dnsperf across the feed update: ${summary.sent} sent, ${summary.completed} answered, ${summary.lost} lost`);
    expect(summary.sent, run.stdout).toBeGreaterThan(1000);
    expect(summary.lost, run.stdout).toBe(0);
    expect(summary.completed, run.stdout).toBe(summary.sent);
    expect(Object.keys(summary.rcodes), run.stdout).toEqual(['NOERROR']);

    expect(await readFile(join(lab().gateway!.dataDir, 'lists', LIST_FILE), 'utf8')).toBe(version2);
    expect(await digPupil(ADDED_SITE)).toEqual([pupilGateway]);
    expect(await digPupil(LISTED_SITE)).toEqual([pupilGateway]);
  }, 180_000);

  test('a broken download (an HTML page, then a missing file) fails clearly and keeps the copy in service', async () => {
    await publishWanFile(lab().dir, FEED_PATH, '<!doctype html>\n<html><body><h1>502 Bad Gateway</h1></body></html>\n');
    const html = await listsUpdate();
    expect(html.code, html.output).not.toBe(0);
    expect(html.results[0]?.outcome, html.output).toBe('failed');
    expect(html.results[0]?.error, html.output).toContain('HTML');

    await removeWanFile(lab().dir, FEED_PATH);
    const gone = await lab().exec('gw', [NODE, MAIN, 'lists', 'update', '--data-dir', lab().gateway!.dataDir], { cwd: REPO_ROOT, timeoutMs: 60_000 });
    expect(gone.code, gone.stdout + gone.stderr).not.toBe(0);
    expect(gone.stdout + gone.stderr).toContain('404');

    expect(await readFile(join(lab().gateway!.dataDir, 'lists', LIST_FILE), 'utf8')).toBe(version2);
    expect(await digPupil(ADDED_SITE)).toEqual([pupilGateway]);
    expect(lab().gateway!.output()).toMatch(/feed update failed/);
  });
});
