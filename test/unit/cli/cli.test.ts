// The CLI as a technician uses it over SSH, against a real daemon process.
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { loopDelayMs } from '../../../firmware/daemon/status-report.ts';
import { runCli, startDaemonWithList, type DaemonWithList } from '../../support/daemon.ts';
import { askUdp } from '../../support/upstream.ts';

let scratch: string;
beforeAll(async () => { scratch = await mkdtemp(join(tmpdir(), 'schoolgate-cli-')); });
afterAll(async () => { await rm(scratch, { recursive: true, force: true }); });

describe('event-loop delay in status', () => {
  it('is the time beyond the 10 ms sampling interval, so an idle loop reads 0 and not 10', () => {
    expect(loopDelayMs(10e6)).toBe(0);
    expect(loopDelayMs(9.5e6)).toBe(0);
    expect(loopDelayMs(12.5e6)).toBe(2.5);
  });
});

describe('schoolgate without a daemon', () => {
  it('prints help for every command and exits 0', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const command of ['run', 'status', 'config']) {
      expect(top.stdout).toContain(command);
      const help = await runCli([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain(`schoolgate ${command}`);
    }
  });

  it('rejects an unknown command or option with exit code 2 and the usage', async () => {
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const badOption = await runCli(['status', '--nonsense']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain('schoolgate status [--data-dir DIR]');
  });

  it('status says no daemon is running, with exit code 3', async () => {
    const result = await runCli(['status', '--data-dir', scratch]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/no Schoolgate daemon is running/);
  });

  it('config init writes a valid file and never overwrites one', async () => {
    const file = join(scratch, 'init.json');
    const first = await runCli(['config', 'init', file]);
    expect(first.code).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(defaultConfig());
    expect((await runCli(['config', 'validate', file])).code).toBe(0);
    const again = await runCli(['config', 'init', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
  });

  it('config validate names the JSON path of every problem and exits 4', async () => {
    const doc = defaultConfig() as unknown as { networks: Array<{ subnets: string[]; policy: string }> };
    doc.networks[1]!.subnets = ['10.20.0.1/16'];
    doc.networks[2]!.policy = 'nobody';
    const file = join(scratch, 'bad.json');
    await writeFile(file, JSON.stringify(doc));
    const human = await runCli(['config', 'validate', file]);
    expect(human.code).toBe(4);
    expect(human.stderr).toContain('/networks/1/subnets/0');
    expect(human.stderr).toContain('/networks/2/policy');
    const json = await runCli(['config', 'validate', file, '--json']);
    expect(json.code).toBe(4);
    const report = JSON.parse(json.stdout) as { valid: boolean; issues: Array<{ path: string }> };
    expect(report.valid).toBe(false);
    expect(report.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['/networks/1/subnets/0', '/networks/2/policy']));
  });

  it('run refuses an invalid configuration with exit code 4 and starts nothing', async () => {
    const file = join(scratch, 'run-bad.json');
    await writeFile(file, '{ "version": 1, ');
    const result = await runCli(['run', '--config', file, '--data-dir', join(scratch, 'run-bad')]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/run-bad\.json/);
  });

  it('run refuses a missing explicit --config instead of inventing one', async () => {
    const result = await runCli(['run', '--config', join(scratch, 'missing.json'), '--data-dir', join(scratch, 'run-missing')]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('does not exist');
  });
});

describe('schoolgate with a running daemon', () => {
  let daemon: DaemonWithList;

  // A daemon start on a loaded shared machine can take longer than the default 10 s hook budget.
  beforeAll(async () => { daemon = await startDaemonWithList('# starter\nfacebook.com\nnot a domain\n'); }, 60_000);
  afterAll(async () => { await daemon?.cleanup(); });

  it('status --json reports the networks, listeners and stores', async () => {
    const result = await daemon.cli(['status', '--json']);
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout);
    expect(status.networks.map((n: { id: string }) => n.id)).toEqual(['staff', 'pupil', 'guest']);
    expect(status.dns.listening).toEqual(expect.arrayContaining([
      expect.objectContaining({ transport: 'udp', address: '127.0.0.1', port: daemon.config.dns.listen[0]!.port }),
      expect.objectContaining({ transport: 'tcp', address: '127.0.0.1', port: daemon.config.dns.listen[0]!.port }),
    ]));
    expect(status.node).toMatch(/^v24\./);
    expect(status.memory.form).toBe('source');
    // The delay's quantiles as the histogram gives them (how late an idle loop is on this machine
    // is a number for a benchmark, not a test; the conversion is checked below).
    const delay = status.eventLoopDelayMs;
    expect(delay.p50).toBeGreaterThanOrEqual(0);
    expect(delay.p99).toBeGreaterThanOrEqual(delay.p50);
    expect(delay.max).toBeGreaterThanOrEqual(delay.p99);
    expect(status.memory.rssBytes).toBeGreaterThan(status.memory.heapUsedBytes);
    expect(status.state.auditEntries).toBeGreaterThanOrEqual(1);
    // A fresh data directory has no backup passphrase: the daemon's own attention list says so, and the text puts it first.
    expect(status.attention.map((a: { id: string }) => a.id)).toContain('backup.no-passphrase');
    const text = (await daemon.cli(['status'])).stdout;
    expect(text.indexOf('NEEDS ATTENTION\n  * No backup passphrase is stored')).toBeGreaterThan(0);
    expect(text.indexOf('NEEDS ATTENTION')).toBeLessThan(text.indexOf('  data      '));
  });

  it('answers a pupil device through the upstream and refuses a stranger', async () => {
    const server = daemon.config.dns.listen[0]!;
    const answer = await askUdp(server, 'example.com', { from: '127.20.0.5' });
    expect(answer.rcode).toBe('NOERROR');
    expect(answer.answers?.[0]).toMatchObject({ type: 'A', data: '192.0.2.77' });
    expect(daemon.upstream.questions).toContain('example.com');
    const stranger = await askUdp(server, 'example.com', { from: '127.99.0.1' });
    expect(stranger.rcode).toBe('REFUSED');
    const human = await daemon.cli(['status']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/pupil\s+pupil\s+127\.20\.0\.0\/16\s+lo\s+pupil\s+1/);
    const upstream = daemon.config.dns.upstreams[0]!;
    expect(human.stdout).toContain(`upstream  test-upstream ${upstream.address}:${upstream.port}\n`);
    const json = JSON.parse((await daemon.cli(['status', '--json'])).stdout);
    expect(json.dns.upstreams).toEqual([{ name: 'test-upstream', address: upstream.address, port: upstream.port, failing: false }]);
    // The same counters for a provider's monitoring, from the admin listener.
    const { address, port } = daemon.config.web.admin;
    const metrics = await (await fetch(`http://${address}:${port}/metrics`)).text();
    expect(metrics).toContain(`schoolgate_dns_network_queries_total{network="pupil"} ${json.dns.counters.byNetwork.pupil}\n`);
    expect(metrics).toContain(`schoolgate_dns_upstream_failing{upstream="test-upstream",address="${upstream.address}",port="${upstream.port}"} 0\n`);
  });

  it('check names the list and line that blocked a name, for a network', async () => {
    const pupil = await daemon.cli(['check', 'WWW.Facebook.com', '--network', 'pupil']);
    expect(pupil.code).toBe(0);
    expect(pupil.stdout).toContain('www.facebook.com on pupil: BLOCKED');
    expect(pupil.stdout).toContain('"Social networks" (social): facebook.com (suffix) at line 2');
    const staff = JSON.parse((await daemon.cli(['check', 'www.facebook.com', '--network', 'staff', '--json'])).stdout);
    expect(staff.answer).toBe('allowed');
    expect(staff.lists).toEqual([expect.objectContaining({ list: 'social', line: 2, listed: 'facebook.com' })]);
    const answer = await askUdp(daemon.config.dns.listen[0]!, 'www.facebook.com', { from: '127.20.0.5' });
    expect(answer.answers?.[0]).toMatchObject({ type: 'A', data: '127.20.0.1' });
    const unknown = await daemon.cli(['check', 'x.example', '--network', 'teachers']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('there is no network "teachers"');
    expect((await daemon.cli(['check', 'x.example'])).code).toBe(2);
  });

  it('lists shows each list with its bad lines, and reload picks up an edited file', async () => {
    const shown = await daemon.cli(['lists']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/social\s+social\s+1\s+1\s+domains\s+social\.txt/);
    expect(shown.stdout).toContain('social line 3: expected one domain per line');
    await writeFile(daemon.listFile, 'facebook.com\ninstagram.com\n');
    const reloaded = await daemon.cli(['lists', 'reload']);
    expect(reloaded.code).toBe(0);
    expect(reloaded.stdout).toContain('Reloaded: 2 names');
    const answer = await askUdp(daemon.config.dns.listen[0]!, 'instagram.com', { from: '127.20.0.5' });
    expect(answer.answers?.[0]).toMatchObject({ type: 'A', data: '127.20.0.1' });
    await rm(daemon.listFile);
    const failed = await daemon.cli(['lists', 'reload']);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('The lists in service are kept');
    const still = await askUdp(daemon.config.dns.listen[0]!, 'instagram.com', { from: '127.20.0.5' });
    expect(still.answers?.[0]).toMatchObject({ type: 'A', data: '127.20.0.1' });
  });

  it('a second daemon on the same data directory is refused', async () => {
    const second = await runCli(['run', '--config', daemon.configFile, '--data-dir', daemon.dataDir]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('already running with this data directory');
    expect((await daemon.cli(['status'])).code).toBe(0);
  });

  it('config reload applies a good file and refuses a bad one, keeping the running configuration', async () => {
    const original = await readFile(daemon.configFile, 'utf8');
    const changed = JSON.parse(original);
    changed.site.name = 'Reloaded Primary';
    await writeFile(daemon.configFile, JSON.stringify(changed));
    const good = await daemon.cli(['config', 'reload']);
    expect(good.code).toBe(0);
    expect(JSON.parse((await daemon.cli(['status', '--json'])).stdout).site).toBe('Reloaded Primary');

    changed.networks[0].gateway.ipv4 = '192.0.2.1';
    await writeFile(daemon.configFile, JSON.stringify(changed));
    const bad = await daemon.cli(['config', 'reload']);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain('/networks/0/gateway/ipv4');
    const after = JSON.parse((await daemon.cli(['status', '--json'])).stdout);
    expect(after.site).toBe('Reloaded Primary');
    expect(after.dns.listening.length).toBeGreaterThan(0);
  });

  it('stops cleanly on SIGTERM with exit code 0', async () => {
    expect(await daemon.stop('SIGTERM')).toBe(0);
    expect((await daemon.cli(['status'])).code).toBe(3);
  });
});
