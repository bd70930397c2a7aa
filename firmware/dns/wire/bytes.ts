// Copying a range of bytes between arrays. `target.set(source.subarray(start, end), at)` makes a
// view object for every call; on the hot path (each question and reply) a plain loop over the few
// hundred bytes of a DNS message costs less than that allocation.

/** Copies source[start, end) into target at `at`. The caller has checked both ranges. */
export function copyBytes(target: Uint8Array, at: number, source: Uint8Array, start: number, end: number): void {
  for (let i = start; i < end; i++) target[at++] = source[i]!;
}
