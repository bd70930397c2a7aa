// Random 16-bit numbers from the CSPRNG for the forwarder: query IDs, and the pool slot a try
// goes out on.
import { randomFillSync } from 'node:crypto';

// Random bytes from the CSPRNG in batches: one syscall per few thousand queries.
const idPool = new Uint16Array(4096);
let idNext = idPool.length;

export function random16(): number {
  if (idNext === idPool.length) {
    randomFillSync(idPool);
    idNext = 0;
  }
  return idPool[idNext++]!;
}
