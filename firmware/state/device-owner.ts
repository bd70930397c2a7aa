// The rule for a device's owner as staff write it (a person, "school", a class), without imports:
// the state layer, the CLI and the web UI's form all check it the same way.
export const DEVICE_OWNER_MAX = 80;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why the owner (already trimmed) cannot be stored, or undefined when it can. */
export function ownerProblem(owner: string): string | undefined {
  if (owner.length > DEVICE_OWNER_MAX) return `${owner.length} characters: an owner is at most ${DEVICE_OWNER_MAX}`;
  if (CONTROL.test(owner)) return 'an owner is one line of text, with no tabs or control characters';
  return undefined;
}
