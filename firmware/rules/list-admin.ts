// Adding and removing lists at the technician's request (`schoolgate lists import|remove`). Each
// change is all or nothing: the list file stored durably, the configuration changed through its
// validated store, the lists recompiled and swapped in; if a step fails, the steps before it are
// undone and the lists in service stay. Nothing stored is ever deleted: a removed list's file is
// kept beside the others under a new name.
import { access, mkdir, open, rename, unlink } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import type { AuditAppend } from '../control/audit.ts';
import { ControlFailure } from '../control/server.ts';
import { UploadStore } from '../control/upload.ts';
import { UploadId } from '../control/upload-schema.ts';
import { ConfigError } from '../config/issues.ts';
import { writeFileDurably } from '../config/durable-file.ts';
import type { ConfigWritten } from '../config/store.ts';
import { Id, ListFormat, type Config, type ListSource } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { builtinId, loadCatalogue } from './catalogue.ts';
import { checkImportInThread, type ImportChecked } from './import-check.ts';
import { guessFormat, ListCheck } from './list-check.ts';
import type { ListsManager, ListsReport } from './lists-manager.ts';
import { configuredCategories } from './load-lists.ts';

/** The largest list file an import takes (a 1M-name list is about 20 MiB). */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;
/** What a list file is called in the upload's messages. */
export const LIST_FILE = 'a list';
/** The request carrying it: JSON escaping can at worst double a text of newlines. */
export const MAX_IMPORT_REQUEST_BYTES = 2 * MAX_IMPORT_BYTES + (1 << 20);

export const ImportParams = Type.Object({
  /** The list's text, whole (the web UI's form); or `upload`, what lists.upload stored (the CLI). */
  text: Type.Optional(Type.String({ maxLength: MAX_IMPORT_BYTES })),
  upload: Type.Optional(UploadId),
  /** The technician's path on the gateway, for the record. */
  fileName: Type.String({ minLength: 1, maxLength: 4096 }),
  category: Type.String({ minLength: 1, maxLength: 64 }),
  format: Type.Optional(ListFormat),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 120 })),
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  restricted: Type.Optional(Type.Boolean()),
  skipBadLines: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type ImportParams = Static<typeof ImportParams>;

export const ImportResult = Type.Object({
  id: Type.String(),
  file: Type.String(),
  category: Type.String(),
  restricted: Type.Boolean(),
  check: ListCheck,
  droppedLines: Type.Integer({ minimum: 0 }),
  namesInService: Type.Integer({ minimum: 0 }),
});
export type ImportResult = Static<typeof ImportResult>;

export const RemoveParams = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 120 }),
  forceRestricted: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type RemoveParams = Static<typeof RemoveParams>;

export interface RemoveResult {
  id: string;
  /** Where the list's file is now, or why it was left where it is. */
  file: { keptAs: string } | { unchanged: string; reason: string };
  namesInService: number;
}

export interface ListAdminDeps {
  /** ConfigStore's update: `written` runs once the change is on disk, before anything reacts to it. */
  config: { readonly current: Readonly<Config>; update(change: (draft: Config) => Config | void, written?: ConfigWritten): Promise<Config> };
  lists: Pick<ListsManager, 'reload' | 'listsDir'>;
  audit: { append(entry: AuditAppend): unknown };
  logger: Logger;
  /** Where list files wait while they arrive (`lists.upload`); listUploads(lists.listsDir) unless given. */
  uploads?: UploadStore;
  now?: () => Date;
}

/** A list file on its way to `lists.import`: it waits in DATA_DIR/lists/.incoming, and the import check's thread reads it from there, as a reload does. */
export const listUploads = (listsDir: string): UploadStore =>
  new UploadStore({ dir: join(listsDir, '.incoming'), maxBytes: MAX_IMPORT_BYTES, what: LIST_FILE });

/** A list id from the file's name: "Gambling Sites.txt" → "gambling-sites". */
export function idFromFileName(fileName: string): string {
  const base = fileName.split('/').pop()!.replace(/\.[A-Za-z0-9]{1,8}$/, '');
  return base.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '').slice(0, 32).replace(/-+$/, '');
}

/** Every category an import may name: those the policies or lists mention, and the shipped catalogue's. */
export function knownCategories(config: Pick<Config, 'policies' | 'lists'>): string[] {
  return [...new Set([...configuredCategories(config), ...loadCatalogue().categories.keys()])].sort();
}

const COMMENT: Record<ListFormat, string> = { domains: '#', hosts: '#', regex: '#', sha256: '#', adblock: '!', rpz: ';' };

export function badLinesMessage(file: string, check: ListCheck, advice: string): string {
  const shown = check.firstBadLines.map((e) => `  line ${e.line}: ${e.message}`);
  const more = check.badLines > check.firstBadLines.length ? [`  … and ${check.badLines - check.firstBadLines.length} more`] : [];
  return [`${file}: ${check.badLines} bad line${check.badLines === 1 ? '' : 's'}; ${advice}`, ...shown, ...more].join('\n');
}

/** The first MiB of a file as text: enough for guessFormat, which reads no further. */
async function readHead(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read({ buffer: Buffer.alloc(1 << 20), position: 0 });
    return buffer.toString('utf8', 0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** One change at a time: two imports of the same id cannot both pass the "exists" check. */
let serial: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const run = serial.then(work, work);
  serial = run.catch(() => undefined);
  return run;
}

/**
 * Applies a list change: the configuration first, its audit entry recorded as soon as it is on
 * disk and before anything reacts to it (ConfigStore.update's `written`), then the lists in
 * service. If they cannot load, the change is undone the same way, and the undoing audited too.
 */
async function applyListChange(deps: ListAdminDeps, change: (draft: Config) => void, undo: (draft: Config) => void, entry: AuditAppend): Promise<ListsReport> {
  try {
    await deps.config.update(change, () => { deps.audit.append(entry); });
  } catch (error) {
    if (error instanceof ConfigError) throw new ControlFailure('invalid-config', `the configuration would not be valid: ${error.message}`);
    throw error;
  }
  try {
    return await deps.lists.reload(deps.config.current);
  } catch (error) {
    const reason = (error as Error).message;
    await deps.config.update(undo, () => {
      deps.audit.append({ actor: entry.actor, action: 'lists.undo', subject: entry.subject, details: { undid: entry.action, reason } });
    });
    throw new ControlFailure('lists-unreadable', `${reason}. Nothing was changed; the lists in service are kept.`);
  }
}

export function importList(deps: ListAdminDeps, params: ImportParams, actor: string): Promise<ImportResult> {
  return oneAtATime(async () => {
    const config = deps.config.current;
    const id = params.id ?? idFromFileName(params.fileName);
    if (!Value.Check(Id, id)) {
      throw new ControlFailure('bad-id', `"${id}" cannot be a list id (lower-case letters, digits and dashes, starting with a letter, at most 32 characters); give one with --id`);
    }
    const existing = config.lists.find((l) => l.id === id);
    if (existing) throw new ControlFailure('list-exists', `a list "${id}" already exists (${existing.name}, ${existing.file}); choose another --id, or remove it first`);
    const categories = knownCategories(config);
    if (!categories.includes(params.category)) {
      throw new ControlFailure('unknown-category', `no policy or catalogue entry knows the category "${params.category}"; known categories: ${categories.join(', ')}`);
    }
    const restricted = params.restricted === true;
    if ((params.text === undefined) === (params.upload === undefined)) {
      throw new ControlFailure('bad-params', 'give the list either as text or as an upload (lists.upload), not both or neither');
    }
    const file = `${id}.txt`;
    const path = join(deps.lists.listsDir, file);
    if (await access(path).then(() => true, () => false)) {
      throw new ControlFailure('file-exists', `${path} already exists though no list uses it; move it away or choose another --id`);
    }
    // A list given whole (the web UI's form) is stored as an upload first: either way the file
    // is read, checked and stored by a thread of its own, never parsed on this one.
    const uploads = deps.uploads ?? listUploads(deps.lists.listsDir);
    const upload = params.upload ?? await uploads.write(params.text!);
    let checked: ImportChecked;
    let format: ListFormat;
    try {
      const source = await uploads.finished(upload);
      let guessed: string | undefined;
      if (params.format) format = params.format;
      else {
        const guess = guessFormat(await readHead(source));
        if ('error' in guess) throw new ControlFailure('unknown-format', `${params.fileName}: ${guess.error}`);
        ({ format, reason: guessed } = guess);
      }
      await mkdir(deps.lists.listsDir, { recursive: true, mode: 0o750 });
      const mark = COMMENT[format];
      const at = (deps.now ?? (() => new Date()))().toISOString();
      try {
        checked = await checkImportInThread({
          source, target: path, format, restricted, skipBadLines: params.skipBadLines === true, mark,
          header: `${mark} Imported by ${actor} at ${at} from ${JSON.stringify(params.fileName)} as ${format}, category ${params.category}.`,
          ...(guessed ? { guessed } : {}),
        });
      } catch (error) {
        if (error instanceof ControlFailure) throw error;
        throw new ControlFailure('unreadable', `${params.fileName}: ${(error as Error).message}; nothing was imported`);
      }
    } finally {
      await uploads.remove(upload);
    }
    const check = checked.report;
    if (checked.refused === 'bad-lines') {
      throw new ControlFailure('bad-lines', badLinesMessage(params.fileName, check, 'nothing was imported (--skip-bad-lines imports the rest)'));
    }
    if (checked.refused === 'too-long') throw new ControlFailure('too-long', `${params.fileName} has more lines than a list may have; nothing was imported`);
    if (checked.refused === 'empty-list') throw new ControlFailure('empty-list', `${params.fileName} has no entries (as ${format}); nothing was imported`);
    const source: ListSource = {
      id, name: params.name ?? params.fileName.split('/').pop()!.slice(0, 120), category: params.category, file, format,
      ...(restricted ? { restricted: true } : {}), enabled: true,
    };
    const entry: AuditAppend = {
      actor, action: 'lists.import', subject: id,
      details: {
        category: params.category, format, restricted, from: params.fileName, entries: check.entries, names: check.names,
        regexes: check.regexes, hashes: check.hashes, allow: check.allow, duplicates: check.duplicates, droppedLines: checked.droppedLines,
      },
    };
    let report: ListsReport;
    try {
      report = await applyListChange(deps, (draft) => { draft.lists.push(source); }, (draft) => {
        draft.lists = draft.lists.filter((l) => l.id !== id);
      }, entry);
    } catch (error) {
      // Kept if the list is in force after all (its change written, only its record failing).
      if (!deps.config.current.lists.some((l) => l.id === id)) await unlink(path).catch(() => undefined);
      throw error;
    }
    deps.logger.info({ actor, list: id, category: params.category, entries: check.entries, droppedLines: checked.droppedLines }, 'list imported');
    return { id, file: path, category: params.category, restricted, check, droppedLines: checked.droppedLines, namesInService: report.names };
  });
}

export function removeList(deps: ListAdminDeps, params: RemoveParams, actor: string): Promise<RemoveResult> {
  return oneAtATime(async () => {
    const config = deps.config.current;
    const byName = config.lists.filter((l) => l.name === params.name);
    const list = config.lists.find((l) => l.id === params.name) ?? (byName.length === 1 ? byName[0] : undefined);
    if (!list) throw new ControlFailure('unknown-list', `there is no list "${params.name}" (lists: ${config.lists.map((l) => l.id).join(', ') || 'none'})`);
    if (list.restricted && !params.forceRestricted) {
      throw new ControlFailure('restricted', `"${list.id}" is an illegal-content (restricted) list: removing it stops blocking its entries on every network. If that is really intended, repeat with --force-restricted; it is recorded in the audit log under your name.`);
    }
    const index = config.lists.indexOf(list);
    const aside = setAsidePlan(deps, list);
    const report = await applyListChange(deps, (draft) => { draft.lists.splice(index, 1); }, (draft) => {
      draft.lists.splice(Math.min(index, draft.lists.length), 0, list as ListSource);
    }, {
      actor, action: 'lists.remove', subject: list.id,
      details: {
        name: list.name, category: list.category, file: list.file,
        ...('to' in aside ? { keepAs: aside.to } : { unchanged: aside.unchanged, reason: aside.reason }), restricted: list.restricted === true,
        ...(list.restricted ? { forcedRestricted: true, warning: 'an illegal-content list was removed: its entries are no longer blocked' } : {}),
      },
    });
    const file = await setAside(deps, aside);
    if (list.restricted) deps.logger.warn({ actor, list: list.id }, 'a restricted (illegal-content) list was removed by force');
    return { id: list.id, file, namesInService: report.names };
  });
}

type SetAsidePlan = { from: string; to: string } | { unchanged: string; reason: string };

/** Where a removed list's own file (in DATA_DIR/lists) goes: renamed, never deleted; shipped and outside files stay. */
function setAsidePlan(deps: ListAdminDeps, list: Readonly<ListSource>): SetAsidePlan {
  if (builtinId(list.file) !== undefined) return { unchanged: list.file, reason: 'a shipped starter list: the file stays with the firmware' };
  if (isAbsolute(list.file)) return { unchanged: list.file, reason: 'a file outside the data directory is left where it is' };
  const from = join(deps.lists.listsDir, list.file);
  const stamp = (deps.now ?? (() => new Date()))().toISOString().replace(/[:.]/g, '-');
  return { from, to: `${from}.removed-${stamp}` };
}

/** Sets the file aside as planned; a rename that fails leaves it where it was, and says why. */
async function setAside(deps: ListAdminDeps, plan: SetAsidePlan): Promise<RemoveResult['file']> {
  if (!('to' in plan)) return plan;
  try {
    await rename(plan.from, plan.to);
    return { keptAs: plan.to };
  } catch (error) {
    deps.logger.warn({ err: error, file: plan.from }, 'removed list file could not be renamed; it stays as it was');
    return { unchanged: plan.from, reason: `could not be renamed: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
}
