// The appliance's systemd units, checked by systemd's own tools: `systemd-analyze verify` finds no
// error or warning in any image/*.service, and `systemd-analyze security --offline=yes` scores the
// daemon's unit at 2.0 or below (printed). The tools read the files only; running the unit under
// a real systemd is scripts/service-proof/ (npm run test:service).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../../support/daemon.ts';

const IMAGE = join(REPO, 'image');
/** Where the units run the release's launcher on the box; this checkout's stands in for it. */
const INSTALLED_LAUNCHER = '/opt/schoolgate/current/bin/schoolgate';
const MAX_EXPOSURE = 2.0;

const dir = mkdtempSync(join(tmpdir(), 'schoolgate-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function analyze(args: string[]): { code: number | null; out: string } {
  const result = spawnSync('systemd-analyze', args, { encoding: 'utf8', cwd: dir });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('systemd-analyze is missing: apt-get install systemd (npm test installs it: scripts/prerequisites/debian-packages.txt)');
  }
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

/**
 * `systemd-analyze verify` of a copy whose launcher path names this checkout's bin/schoolgate:
 * verify refuses a unit whose program does not exist, and nothing is installed under /opt here.
 */
function verify(unit: string): { code: number | null; out: string } {
  return analyze(['verify', join(dir, unit)]);
}

const units = readdirSync(IMAGE).filter((name) => name.endsWith('.service'));
// Every copy is in place before any is verified: a unit that names another (the console note is
// part of the daemon's unit) is verified with that one beside it, as on the box.
for (const unit of units) {
  writeFileSync(join(dir, unit), readFileSync(join(IMAGE, unit), 'utf8').replaceAll(INSTALLED_LAUNCHER, join(REPO, 'bin/schoolgate')));
}

describe('the image\'s systemd units', () => {
  it('include the daemon\'s unit, running the installed release on the data directory', () => {
    expect(units).toContain('schoolgate.service');
    const text = readFileSync(join(IMAGE, 'schoolgate.service'), 'utf8');
    expect(text).toMatch(/^ExecStart=\/opt\/schoolgate\/current\/bin\/schoolgate run --data-dir \/var\/lib\/schoolgate$/m);
    expect(text).toMatch(/^Type=notify$/m);
    expect(text).toMatch(/^WatchdogSec=/m);
  });

  it.each(units)('%s verifies with no error or warning', (unit) => {
    const result = verify(unit);
    expect(result.out).toBe('');
    expect(result.code).toBe(0);
  });

  it('verify catches what it must: a misspelt key, a bad value, a missing program', () => {
    const good = readFileSync(join(IMAGE, 'schoolgate.service'), 'utf8');
    const broken = good.replace(/^Type=notify$/m, 'Tpye=notify').replace(/^Restart=on-failure$/m, 'Restart=sometimes');
    writeFileSync(join(dir, 'broken.service'), broken.replaceAll(INSTALLED_LAUNCHER, join(REPO, 'bin/schoolgate')));
    const result = analyze(['verify', join(dir, 'broken.service')]);
    expect(result.out).toContain("Unknown key 'Tpye'");
    expect(result.out).toContain('sometimes');
    writeFileSync(join(dir, 'missing.service'), good);
    const missing = analyze(['verify', join(dir, 'missing.service')]);
    expect(missing.out).toContain(`${INSTALLED_LAUNCHER} is not executable`);
  });

  it(`schoolgate.service is exposed ${MAX_EXPOSURE.toFixed(1)} or less (systemd-analyze security --offline=yes)`, () => {
    const result = analyze(['security', '--offline=yes', join(IMAGE, 'schoolgate.service')]);
    const score = /Overall exposure level for schoolgate\.service: (\d+\.\d)/.exec(result.out);
    expect(score, result.out).not.toBeNull();
    const exposure = Number(score![1]);
    // Printed for CI's log: the figure the README quotes.
    console.log(`schoolgate.service exposure: ${exposure} (at most ${MAX_EXPOSURE.toFixed(1)})`);
    expect(exposure, result.out).toBeLessThanOrEqual(MAX_EXPOSURE);
  });
});
