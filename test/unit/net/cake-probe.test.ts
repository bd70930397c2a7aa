// detectEngine's order of work with the tools it runs: a leftover probe link is removed first,
// the veth pair is always removed again whatever tc said, and each answer picks its engine and
// says why. The tools answer as they do on a kernel with and without CAKE; the real ones run in
// test/lab/shaping.test.ts and in the service proof (npm run test:service).
import { describe, expect, it } from 'vitest';
import { CAKE_PROBE_LINK, detectEngine } from '../../../firmware/net/shaping/kernel.ts';
import type { ToolResult } from '../../../firmware/net/tool-run.ts';

function tools(answers: (argv: readonly string[]) => ToolResult): { run: (argv: readonly string[]) => Promise<ToolResult>; ran: string[] } {
  const ran: string[] = [];
  return { ran, run: async (argv) => { ran.push(argv.join(' ')); return answers(argv); } };
}
const ok: ToolResult = { code: 0, stdout: '', stderr: '' };

describe('detectEngine', () => {
  it('tries CAKE on a throwaway veth pair and removes it: CAKE where tc takes it', async () => {
    const { run, ran } = tools(() => ok);
    expect(await detectEngine(run)).toMatchObject({ engine: 'cake' });
    expect(ran).toEqual([
      `ip link del ${CAKE_PROBE_LINK}`,
      `ip link add ${CAKE_PROBE_LINK} type veth peer name ${CAKE_PROBE_LINK}-p`,
      `tc qdisc add dev ${CAKE_PROBE_LINK} root cake bandwidth 1mbit`,
      `ip link del ${CAKE_PROBE_LINK}`,
    ]);
  });

  it('HTB when the kernel has no CAKE, the pair removed all the same', async () => {
    const { run, ran } = tools((argv) => (argv[0] === 'tc' ? { code: 2, stdout: '', stderr: 'Error: Specified qdisc kind is unknown.\n' } : ok));
    const choice = await detectEngine(run);
    expect(choice.engine).toBe('htb');
    expect(choice.why).toMatch(/no CAKE/);
    expect(ran.at(-1)).toBe(`ip link del ${CAKE_PROBE_LINK}`);
  });

  it('HTB, saying why, when the probe link cannot be made; nothing is tried on any other link', async () => {
    const { run, ran } = tools((argv) => (argv[2] === 'add' ? { code: 2, stdout: '', stderr: 'Error: Unknown device type.\n' } : ok));
    const choice = await detectEngine(run);
    expect(choice).toMatchObject({ engine: 'htb' });
    expect(choice.why).toContain('no probe link: Error: Unknown device type.');
    expect(ran.some((line) => line.startsWith('tc'))).toBe(false);
  });

  it('HTB, saying why, when a tool cannot run at all', async () => {
    const choice = await detectEngine(async (argv) => {
      if (argv[0] === 'ip') throw new Error('cannot run ip: spawn ip ENOENT');
      return ok;
    });
    expect(choice).toMatchObject({ engine: 'htb' });
    expect(choice.why).toContain('spawn ip ENOENT');
  });
});
