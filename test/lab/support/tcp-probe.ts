// TCP reachability between lab namespaces: a listener that greets every connection, and a probe
// that says whether the greeting arrived. A refusal (reset, ICMP unreachable) fails at once; a
// silent drop within the probe's 3 s.
import type { Lab, LabNs } from '../../../scripts/netlab/lab.ts';

/** A TCP listener that greets every connection with "open", running until the lab goes. */
export async function listen(lab: Lab, ns: LabNs, address: string, port: number): Promise<void> {
  lab.spawn(ns, ['socat', `TCP-LISTEN:${port},bind=${address},fork,reuseaddr`, 'SYSTEM:echo open']);
  for (;;) {
    const r = await lab.exec(ns, ['ss', '-Hltn', `sport = :${port}`]);
    if (r.stdout.includes(`${address}:${port}`)) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Whether a TCP connection from `ns` gets the listener's greeting. */
export async function reaches(lab: Lab, ns: LabNs, address: string, port: number): Promise<boolean> {
  const r = await lab.exec(ns, ['socat', '-T', '3', '-', `TCP:${address}:${port},connect-timeout=3`], { timeoutMs: 10_000 });
  return r.stdout.includes('open');
}
