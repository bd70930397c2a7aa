// The Debian package list (debian-packages.txt beside this file) as data: parsing it, picking
// the packages of some groups, and which of them are missing given a way to look for a proof.
// No I/O here: scripts/prerequisites.ts reads the file and looks at the machine.

export interface Requirement {
  /** The Debian package that provides it. */
  package: string;
  /** A program name (found on PATH) or an absolute path whose presence shows the package is installed. */
  proof: string;
  /** Why the suite needs it, for the messages. */
  why: string;
}

export interface PackageGroup {
  name: string;
  /** What needs the group (the rest of its `[name]` line). */
  purpose: string;
  requirements: Requirement[];
}

export interface PackageList {
  groups: PackageGroup[];
}

const GROUP_LINE = /^\[([a-z][a-z0-9:-]*)\]\s*(.*)$/;
// Debian policy 5.6.1: lower case, digits, + - . ; at least two characters, starting alphanumeric.
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const PROGRAM_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;

export class PackageListError extends Error {
  readonly source: string;
  readonly problems: string[];

  constructor(source: string, problems: string[]) {
    super(`${source}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join('\n  ')}`}`);
    this.name = 'PackageListError';
    this.source = source;
    this.problems = problems;
  }
}

/** Parses the list; every problem is reported with its line number, all of them at once. */
export function parsePackageList(text: string, source = 'debian-packages.txt'): PackageList {
  const groups: PackageGroup[] = [];
  const problems: string[] = [];
  const proofOf = new Map<string, { proof: string; line: number }>();
  let current: PackageGroup | undefined;
  text.split('\n').forEach((raw, index) => {
    const n = index + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const group = GROUP_LINE.exec(line);
    if (group !== null) {
      const [, name, purpose] = group as unknown as [string, string, string];
      if (groups.some((g) => g.name === name)) problems.push(`line ${n}: group [${name}] appears twice`);
      if (purpose === '') problems.push(`line ${n}: group [${name}] does not say what needs it`);
      current = { name, purpose, requirements: [] };
      groups.push(current);
      return;
    }
    if (line.startsWith('[')) {
      problems.push(`line ${n}: "${line}" is not a group line ([name] purpose; a name is lower case, digits, ':' and '-')`);
      return;
    }
    const [pkg, proof, ...why] = line.split(/\s+/) as [string, string | undefined, ...string[]];
    if (current === undefined) {
      problems.push(`line ${n}: package ${pkg} comes before any [group] line`);
      return;
    }
    if (!PACKAGE_NAME.test(pkg)) problems.push(`line ${n}: "${pkg}" is not a Debian package name`);
    if (proof === undefined) {
      problems.push(`line ${n}: package ${pkg} has no proof (a program name or an absolute path)`);
      return;
    }
    if (!(proof.startsWith('/') ? proof.length > 1 && !proof.includes('/../') : PROGRAM_NAME.test(proof))) {
      problems.push(`line ${n}: "${proof}" is neither a program name nor an absolute path`);
    }
    if (why.length === 0) problems.push(`line ${n}: package ${pkg} does not say why it is needed`);
    if (current.requirements.some((r) => r.package === pkg)) problems.push(`line ${n}: package ${pkg} appears twice in [${current.name}]`);
    const earlier = proofOf.get(pkg);
    if (earlier !== undefined && earlier.proof !== proof) {
      problems.push(`line ${n}: package ${pkg} is proved by ${proof} here but by ${earlier.proof} on line ${earlier.line}`);
    }
    if (earlier === undefined) proofOf.set(pkg, { proof, line: n });
    current.requirements.push({ package: pkg, proof, why: why.join(' ') });
  });
  for (const g of groups) if (g.requirements.length === 0) problems.push(`group [${g.name}] lists no package`);
  if (problems.length > 0) throw new PackageListError(source, problems);
  return { groups };
}

/** The requirements of the named groups, each package once, in the list's order. */
export function requirementsOf(list: PackageList, groups: readonly string[]): Requirement[] {
  const unknown = groups.filter((name) => !list.groups.some((g) => g.name === name));
  if (unknown.length > 0) {
    throw new Error(`no group ${unknown.map((u) => `[${u}]`).join(', ')} in the package list (it has ${list.groups.map((g) => `[${g.name}]`).join(' ')})`);
  }
  const seen = new Set<string>();
  const out: Requirement[] = [];
  for (const g of list.groups) {
    if (!groups.includes(g.name)) continue;
    for (const r of g.requirements) {
      if (seen.has(r.package)) continue;
      seen.add(r.package);
      out.push(r);
    }
  }
  return out;
}

/** Those of `requirements` whose proof `isPresent` does not find. */
export function missingRequirements(requirements: readonly Requirement[], isPresent: (proof: string) => boolean): Requirement[] {
  return requirements.filter((r) => !isPresent(r.proof));
}
