// Global setup of the `lab` project: refuse to run (loudly, listing everything missing) unless
// this machine can build the lab, so the project never "passes" with nothing proven.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cleanupStaleLabs } from '../../scripts/netlab/cleanup.ts';
import { NODE } from '../../scripts/netlab/gateway.ts';
import { isPresent, missingWithRemedy } from '../../scripts/prerequisites.ts';

function run(argv: string[], input?: string): { ok: boolean; out: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { input: input ?? '', encoding: 'utf8', timeout: 10_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim() };
}

/** What this machine lacks for the lab, one line each (empty when everything is there), and how to install the packages. */
export function missingPrerequisites(): { missing: string[]; remedy?: string } {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('root: the lab creates network namespaces (run the lab project as root)');
  // The [lab] group of scripts/prerequisites/debian-packages.txt, the one list `npm test` installs
  // from; the netio addon's [native] group is checked by build-native's setup.
  const packages = missingWithRemedy(['lab']);
  if (packages !== undefined) missing.push(...packages.lines);
  if (isPresent('busybox') && !run(['busybox', 'udhcpc', '--help']).out.includes('udhcpc')) missing.push('busybox without the udhcpc applet');
  if (!existsSync(NODE)) missing.push(`${NODE} (npm ci: Node 24 comes from the node@24 devDependency)`);
  else {
    const v = run([NODE, '--version']).out;
    if (!v.startsWith('v24.')) missing.push(`Node 24 at ${NODE} (found ${v})`);
  }
  if (missing.length > 0 && process.getuid?.() !== 0) return { missing, ...(packages && { remedy: packages.remedy }) };
  if (isPresent('ip') && isPresent('nft')) {
    // The kernel side: a namespace, a veth pair inside it, a bridge, and an nftables NAT table.
    const probe = `sg-${process.pid}-prereq-probe`;
    const steps: [string, string[], string?][] = [
      ['network namespaces (ip netns add)', ['ip', 'netns', 'add', probe]],
      ['veth pairs', ['ip', '-n', probe, 'link', 'add', 'name', 'probe0', 'type', 'veth', 'peer', 'name', 'probe1']],
      ['bridges', ['ip', '-n', probe, 'link', 'add', 'br0', 'type', 'bridge']],
      ['nftables NAT in a namespace', ['ip', 'netns', 'exec', probe, 'nft', '-f', '-'],
        'table ip probe {\n chain post {\n  type nat hook postrouting priority srcnat;\n  masquerade\n }\n}\n'],
    ];
    try {
      for (const [what, argv, input] of steps) {
        const r = run(argv, input);
        if (!r.ok) {
          missing.push(`${what}: \`${argv.join(' ')}\` failed: ${r.out}`);
          break;
        }
      }
    } finally {
      spawnSync('ip', ['netns', 'delete', probe]);
    }
  }
  return { missing, ...(packages && { remedy: packages.remedy }) };
}

export default function setup(): () => void {
  const { missing, remedy } = missingPrerequisites();
  if (missing.length > 0) {
    throw new Error(`the lab tests cannot run on this machine; missing:\n  - ${missing.join('\n  - ')}\n${remedy ?? 'run the lab project as root'}`);
  }
  const stale = cleanupStaleLabs();
  if (stale.length > 0) process.stderr.write(`netlab: removed ${stale.length} lab(s) left by dead processes: ${stale.join(', ')}\n`);
  return () => {
    // Every test worker has exited by now: anything still named sg-* from them is a leak.
    const leaked = cleanupStaleLabs();
    if (leaked.length > 0) process.stderr.write(`netlab: WARNING: removed lab(s) left behind by this run: ${leaked.join(', ')}\n`);
  };
}
