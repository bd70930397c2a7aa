// Runs in a worker thread: a second writer on the same state.db, as the CLI would be.
import { parentPort, workerData } from 'node:worker_threads';
import { StateDatabase } from '../../../firmware/state/database.ts';

const { file, actor, count } = workerData as { file: string; actor: string; count: number };
const state = StateDatabase.open(file);
for (let i = 0; i < count; i += 1) state.audit.append({ actor, action: 'test.append', details: { i } });
state.close();
parentPort?.postMessage('done');
