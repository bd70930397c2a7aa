// The compiled lists on disk (DATA_DIR/compiled/lists.bin + lists.json), so a restart serves at
// once instead of recompiling a million names. The cache is keyed by everything the compile
// read: each list's configuration, its file (size, mtime and SHA-256), the category order, the
// hash seed, the matcher's format version and the firmware version. It is only ever a shortcut:
// anything wrong with it (unreadable, truncated, another key, a bad checksum) means "compile",
// never "serve what is there".
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import type { Config } from '../config/schema.ts';
import { writeFileDurably } from '../config/durable-file.ts';
import { FORMAT_VERSION } from '../dns/matcher/serialize.ts';
import { VERSION } from '../version.ts';
import { loadCatalogue, type Catalogue } from './catalogue.ts';
import { CACHE_BIN, CacheCorrupt } from './cache-files.ts';
import { configuredCategories, listPath } from './load-lists.ts';
import { ListStatus } from './list-status.ts';

/** Bumped when lists.json changes shape or meaning, so an old cache is simply not used. */
export const CACHE_SCHEMA = 2;
export const CACHE_META = 'lists.json';

export const FileStamp = Type.Object({
  id: Type.String(),
  path: Type.String(),
  /** -1 when the file could not be stat'ed (the compile will say why). */
  size: Type.Number(),
  mtimeMs: Type.Number(),
  sha256: Type.Optional(Type.String()),
  /** Why no path could be worked out (a builtin: list the firmware does not ship): the compile reports it. */
  problem: Type.Optional(Type.String()),
});
export type FileStamp = Static<typeof FileStamp>;

const Extras = Type.Object({
  regexes: Type.Array(Type.Object({ pattern: Type.String(), action: Type.Union([Type.Literal('block'), Type.Literal('allow')]), list: Type.Integer(), line: Type.Integer() })),
  hashes: Type.Array(Type.Object({ sha256: Type.String(), list: Type.Integer() })),
});

export const CacheMeta = Type.Object({
  schema: Type.Literal(CACHE_SCHEMA),
  key: Type.String(),
  files: Type.Array(FileStamp),
  // crc32: the table's own checksum, from its header (schema 1 had the CRC-32 of the whole file).
  bin: Type.Object({ bytes: Type.Integer({ minimum: 0 }), crc32: Type.Integer({ minimum: 0 }) }),
  extras: Extras,
  statuses: Type.Array(ListStatus),
  listIds: Type.Array(Type.String()),
  compiledAt: Type.String(),
  compileMs: Type.Number(),
});
export type CacheMeta = Static<typeof CacheMeta>;

/** What a compile of `config` would read, by stat only (cheap enough for every reload). */
export interface CacheInputs {
  key: string;
  files: FileStamp[];
}

/** Every input but the files' contents, hashed into one key. */
export function cacheKey(config: Pick<Config, 'policies' | 'lists'>, seed: number): string {
  const inputs = { schema: CACHE_SCHEMA, version: VERSION, format: FORMAT_VERSION, seed, categories: configuredCategories(config), lists: config.lists };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
}

// The shipped catalogue never changes while the firmware runs; read it once, and only if a
// builtin: list needs it.
let catalogue: Catalogue | undefined;
const shipped = (): Catalogue => (catalogue ??= loadCatalogue());

export async function stampInputs(config: Pick<Config, 'policies' | 'lists'>, listsDir: string, seed: number): Promise<CacheInputs> {
  const files = await Promise.all(config.lists.filter((l) => l.enabled).map(async (list): Promise<FileStamp> => {
    let path: string;
    try {
      path = listPath(list, listsDir, shipped);
    } catch (error) {
      return { id: list.id, path: list.file, size: -1, mtimeMs: -1, problem: (error as Error).message };
    }
    const info = await stat(path).catch(() => undefined);
    return { id: list.id, path, size: info?.size ?? -1, mtimeMs: info?.mtimeMs ?? -1 };
  }));
  return { key: cacheKey(config, seed), files };
}

/** Same key and every file the same by size and mtime: nothing the compile reads has changed. */
export function sameByStat(inputs: CacheInputs, key: string, files: readonly FileStamp[]): boolean {
  if (inputs.key !== key || inputs.files.length !== files.length) return false;
  return inputs.files.every((f, i) => {
    const other = files[i]!;
    return f.size >= 0 && f.id === other.id && f.path === other.path && f.size === other.size && f.mtimeMs === other.mtimeMs;
  });
}

/** The cache's description, or null when there is none; CacheCorrupt when it is unusable. */
export async function readCacheMeta(dir: string): Promise<CacheMeta | null> {
  let text: string;
  try {
    text = await readFile(join(dir, CACHE_META), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CacheCorrupt(`cannot read ${CACHE_META}: ${(error as Error).message}`);
  }
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch {
    throw new CacheCorrupt(`${CACHE_META} is not JSON`);
  }
  if (!Value.Check(CacheMeta, meta)) {
    if ((meta as { schema?: unknown } | null)?.schema !== CACHE_SCHEMA) return null; // another firmware's cache: just stale
    throw new CacheCorrupt(`${CACHE_META} does not have the expected shape`);
  }
  return meta;
}

/**
 * Replaces the cache. The description goes first and comes back last, so a power cut in between
 * leaves no description (no cache) rather than an old description beside a new table.
 */
export async function writeCache(dir: string, meta: CacheMeta, bin: Uint8Array | readonly Uint8Array[]): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o750 });
  await unlink(join(dir, CACHE_META)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await writeFileDurably(join(dir, CACHE_BIN), bin);
  await writeFileDurably(join(dir, CACHE_META), JSON.stringify(meta));
}

/** Only the description (the files were touched but their contents are the same). */
export async function writeCacheMeta(dir: string, meta: CacheMeta): Promise<void> {
  await writeFileDurably(join(dir, CACHE_META), JSON.stringify(meta));
}

export { CACHE_BIN, CacheCorrupt, hashStamps, readCacheBin, sameByHash } from './cache-files.ts';
