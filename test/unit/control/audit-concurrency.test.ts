import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, expect, it } from 'vitest';
import { StateDatabase } from '../../../firmware/state/database.ts';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function writer(file: string, actor: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./append-worker.ts', import.meta.url), { workerData: { file, actor, count } });
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited with ${code}`))));
  });
}

it('writers in separate threads appending at once still form one unbroken chain', async () => {
  dir = mkdtempSync(join(tmpdir(), 'schoolgate-audit-'));
  const file = join(dir, 'state.db');
  StateDatabase.open(file).close();
  await Promise.all([writer(file, 'system:a', 150), writer(file, 'system:b', 150), writer(file, 'system:c', 150)]);
  const state = StateDatabase.open(file);
  expect(state.audit.verify()).toMatchObject({ ok: true, entries: 450 });
  const byActor = Map.groupBy(state.audit.export(), (e) => e.actor);
  expect([...byActor.keys()].sort()).toEqual(['system:a', 'system:b', 'system:c']);
  // Each writer's own entries stay in its order.
  for (const entries of byActor.values()) expect(entries.map((e) => (e.details as { i: number }).i)).toEqual([...Array(150).keys()]);
  state.close();
});
