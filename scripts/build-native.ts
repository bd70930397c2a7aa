// Builds the netio addon (firmware/native/*.c) into build/native/netio.node with the system's
// C compiler and the Node-API headers from npm (node-api-headers): no node-gyp, no download.
// Run by `npm run build`, buildFirmware() and the test suites' global setup. Without a compiler
// it says so and exits 0: the daemon then answers UDP through Node's dgram (and says so).
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { NETIO_PATH } from '../firmware/native/netio.ts';

const REPO = resolve(import.meta.dirname, '..');
const NATIVE = join(REPO, 'firmware/native');
/** The addon's C files, compiled together into one shared object. */
const SOURCES = ['netio.c', 'polled-socket.c', 'dhcp-io.c', 'dhcp-send.c', 'dhcp-frames.c', 'arp-probe.c', 'sd-notify.c'].map((file) => join(NATIVE, file));
/** What a rebuild depends on besides the sources. */
const INPUTS = [...SOURCES, join(NATIVE, 'netio.h'), join(NATIVE, 'dhcp-io.h'), import.meta.filename];
const HEADERS = join(REPO, 'node_modules/node-api-headers/include');

export type NativeBuild = { built: true; path: string; fresh: boolean } | { built: false; reason: string };

/** The compiler's arguments for the addon's C files into `output`: warnings are errors, on every target. */
export function netioCompileArgs(output: string): string[] {
  return ['-O2', '-fPIC', '-shared', '-std=gnu11', '-Wall', '-Wextra', '-Werror', '-DNAPI_VERSION=8', `-I${HEADERS}`, `-I${NATIVE}`, '-o', output, ...SOURCES];
}

const mtime = (path: string): number => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
};

/** Compiles the addon unless the built file is newer than its source; never throws for a missing compiler. */
export function buildNative(): NativeBuild {
  const built = mtime(NETIO_PATH);
  if (INPUTS.every((input) => built > mtime(input))) return { built: true, path: NETIO_PATH, fresh: false };
  const cc = process.env.CC ?? 'cc';
  mkdirSync(dirname(NETIO_PATH), { recursive: true });
  // A running daemon may have the old file open: write beside it and rename over it.
  const temporary = `${NETIO_PATH}.${process.pid}.tmp`;
  const result = spawnSync(cc, netioCompileArgs(temporary), { cwd: REPO, encoding: 'utf8' });
  if (result.error !== undefined) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    return { built: false, reason: missing ? `no C compiler ("${cc}"; apt-get install gcc)` : `${cc} failed to start: ${result.error.message}` };
  }
  if (result.status !== 0) {
    rmSync(temporary, { force: true });
    throw new Error(`building ${SOURCES.join(' + ')} failed (${cc} exited ${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`);
  }
  renameSync(temporary, NETIO_PATH);
  return { built: true, path: NETIO_PATH, fresh: true };
}

if (import.meta.main) {
  const result = buildNative();
  if (result.built) {
    if (result.fresh) console.log(`netio: built ${result.path}`);
  } else {
    console.warn(`netio: not built: ${result.reason}. The DNS listeners will use Node's dgram (slower per question).`);
  }
}
