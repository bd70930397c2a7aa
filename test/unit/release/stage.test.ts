// A staged release (scripts/release/stage.ts) runs by itself: its launcher picks the release's own
// Node and its dist/, with no sources, no dev dependencies and nothing from the checkout.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stageRelease, type ReleaseVersion } from '../../../scripts/release/stage.ts';

describe('scripts/release/stage.ts', () => {
  let root: string;
  let stage: string;
  let info: ReleaseVersion;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'schoolgate-stage-'));
    stage = join(root, 'release');
    info = stageRelease({ arch: 'x64', out: stage, version: '9.8.7' });
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const launch = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    // cwd outside the checkout and the system's PATH (whose node is Debian's, not 24): the second
    // test proves which Node ran.
    spawnSync(join(stage, 'bin/schoolgate'), args, { cwd: root, encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: root, ...env } });

  it('lays out the tree the appliance installs', () => {
    expect(JSON.parse(readFileSync(join(stage, 'VERSION'), 'utf8'))).toEqual(info);
    expect(info).toMatchObject({ version: '9.8.7', arch: 'x64' });
    for (const path of ['dist/firmware/main.js', 'webui/dist/index.html', 'rules', 'image/schoolgate.service', 'build/native/netio.node', 'node_modules/fastify/package.json', 'package.json']) {
      expect(existsSync(join(stage, path)), path).toBe(true);
    }
    expect(existsSync(join(stage, 'firmware')), 'no sources').toBe(false);
    expect(existsSync(join(stage, 'node_modules/vitest')), 'no dev dependencies').toBe(false);
  });

  it('runs on its own Node and reports its version', () => {
    const version = launch(['--version']);
    expect(version.stderr).toBe('');
    expect(version.stdout).toBe('9.8.7\n');
    // The launcher passes these flags to the Node it chose: -p prints which one that was.
    const which = launch(['--version'], { SCHOOLGATE_NODE_FLAGS: '-p process.execPath' });
    expect(which.stdout.trim()).toBe(join(stage, 'node/bin/node'));
  });

  it('validates a configuration with its own schema', () => {
    const file = join(root, 'config.json');
    expect(launch(['config', 'init', file]).status).toBe(0);
    const valid = launch(['config', 'validate', file]);
    expect(valid.stderr).toBe('');
    expect(valid.status).toBe(0);
  });
});
