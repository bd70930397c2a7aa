// One lab per test file: up in beforeAll, down in afterAll, with the times printed (never
// asserted: the machine is shared).
import { afterAll, beforeAll } from 'vitest';
import { Lab, type LabOptions } from '../../../scripts/netlab/lab.ts';

export function useLab(options: LabOptions = {}): () => Lab {
  let lab: Lab | undefined;
  beforeAll(async () => {
    lab = await Lab.create(options);
  });
  afterAll(async () => {
    if (!lab) return;
    await lab.destroy();
    console.log(`netlab ${lab.id}: bring-up ${Math.round(lab.bringUpMs)} ms, teardown ${Math.round(lab.teardownMs)} ms (${lab.vlans ? '802.1Q trunk' : 'one veth per network'})`);
  });
  return () => {
    if (!lab) throw new Error('the lab is not up (its beforeAll failed)');
    return lab;
  };
}
