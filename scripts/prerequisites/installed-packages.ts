// Which npm packages of package-lock.json this machine should have in node_modules but lacks.
//
// Why: npm skips an optional package whose `engines` the running Node does not satisfy. On a
// fresh Debian 12, `npm ci` runs on Debian's Node 18, so it skips optional native bindings that
// want Node 20+ (rolldown's, which vitest loads), although every npm script then runs on the
// project's Node 24. Finding them needs the lock's dependency graph: a package reached only
// through one built for another platform (a wasm32 binding's runtime) is rightly absent.

export interface LockPackage {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
  link?: boolean;
}

export interface Lockfile {
  packages: Record<string, LockPackage>;
}

export interface Platform {
  os: string;
  cpu: string;
  /** 'glibc' or 'musl'; undefined where neither applies. */
  libc?: string;
}

// npm-install-checks' rule: "!x" excludes x; any positive entry means only those.
function allows(list: string[] | undefined, value: string | undefined): boolean {
  if (list === undefined || list.length === 0) return true;
  if (value === undefined) return list.every((v) => v.startsWith('!'));
  if (list.includes(`!${value}`)) return false;
  const positive = list.filter((v) => !v.startsWith('!'));
  return positive.length === 0 || positive.includes(value);
}

export function runsOn(pkg: LockPackage, platform: Platform): boolean {
  return allows(pkg.os, platform.os) && allows(pkg.cpu, platform.cpu) && (pkg.libc === undefined || allows(pkg.libc, platform.libc));
}

/** Node's resolution: the nearest node_modules/NAME from `from` up to the root. */
function resolve(lock: Lockfile, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (lock.packages[candidate] !== undefined) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut < 0 ? '' : base.slice(0, cut);
  }
}

function requiredNames(pkg: LockPackage & { devDependencies?: Record<string, string> }, isRoot: boolean): string[] {
  const peers = Object.keys(pkg.peerDependencies ?? {}).filter((n) => pkg.peerDependenciesMeta?.[n]?.optional !== true);
  // The root's devDependencies are installed by `npm ci` too (the suite runs on them); a
  // dependency's devDependencies never are.
  const dev = isRoot ? Object.keys(pkg.devDependencies ?? {}) : [];
  return [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {}), ...peers, ...dev];
}

/**
 * The lock's locations (e.g. `node_modules/@rolldown/binding-linux-x64-gnu`) that the root
 * reaches through dependencies, optional dependencies and required peers, on packages built for
 * `platform`, and that `isInstalled` does not find.
 */
export function missingFromNodeModules(lock: Lockfile, platform: Platform, isInstalled: (location: string) => boolean): string[] {
  const reached = new Set<string>();
  const queue = [''];
  while (queue.length > 0) {
    const at = queue.shift()!;
    const pkg = lock.packages[at];
    if (pkg === undefined) continue;
    for (const name of requiredNames(pkg, at === '')) {
      const location = resolve(lock, at, name);
      if (location === undefined || reached.has(location)) continue;
      const target = lock.packages[location]!;
      if (target.link === true || !runsOn(target, platform)) continue;
      reached.add(location);
      queue.push(location);
    }
  }
  return [...reached].filter((location) => !isInstalled(location)).sort();
}
