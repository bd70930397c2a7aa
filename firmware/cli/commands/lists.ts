// `schoolgate lists`: the lists the daemon filters with, and the technician's changes to them.
// Everything but `test` goes through the running daemon, so changes are live and audited under
// the SSH user's name; `test` only reads a file here and changes nothing.
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ListFormat } from '../../config/schema.ts';
import { callDaemon, ControlCallError } from '../../control/client.ts';
import type { FeedUpdateResult } from '../../rules/feeds/types.ts';
import { LIST_FILE, MAX_IMPORT_BYTES, type ImportResult, type RemoveResult } from '../../rules/list-admin.ts';
import { checkListText, guessFormat } from '../../rules/list-check.ts';
import type { ListsView } from '../../rules/lists-view.ts';
import { dataDirHelp, dataDirOption, EXIT, printResult, socketOf, UsageError, type Command, type OptionValues } from '../command.ts';
import { formatCheck, formatImport, formatLists, formatRemove, formatUpdate } from '../format-lists.ts';
import { progressLines, uploadFile } from '../upload-file.ts';

const FORMATS = (ListFormat.anyOf as Array<{ const: string }>).map((f) => f.const);
/** Bad input was refused (a file with bad lines): the same code as an invalid configuration. */
const EXIT_BAD_INPUT = EXIT.invalidInput;
const SLOW_MS = 300_000;

function formatOption(values: OptionValues): ListFormat | undefined {
  const format = values.format;
  if (format === undefined) return undefined;
  if (typeof format !== 'string' || !FORMATS.includes(format)) throw new UsageError(`unknown --format "${String(format)}" (formats: ${FORMATS.join(', ')})`);
  return format as ListFormat;
}

function onlyArgument(args: string[], what: string): string {
  if (args.length === 0) throw new UsageError(`${what} is missing`);
  if (args.length > 1) throw new UsageError(`unexpected argument "${args[1]}"`);
  return args[0]!;
}

async function readListFile(file: string): Promise<string> {
  const size = (await stat(file)).size;
  if (size > MAX_IMPORT_BYTES) throw new Error(`${file} is ${size} bytes; a list may be at most ${MAX_IMPORT_BYTES} bytes`);
  return readFile(file, 'utf8');
}

async function testFile(values: OptionValues, args: string[]): Promise<number> {
  const file = onlyArgument(args, 'the list FILE');
  const text = await readListFile(file);
  let format = formatOption(values);
  let guessed: string | undefined;
  if (!format) {
    const guess = guessFormat(text);
    if ('error' in guess) {
      process.stderr.write(`schoolgate lists test: ${file}: ${guess.error}\n`);
      return EXIT_BAD_INPUT;
    }
    ({ format, reason: guessed } = guess);
  }
  const { report } = checkListText(text, format, { restricted: values.restricted === true, ...(guessed ? { guessed } : {}) });
  printResult(values, report, `${formatCheck(file, report)}Nothing was changed (this only reads the file).\n`);
  return report.badLines > 0 ? EXIT_BAD_INPUT : EXIT.ok;
}

async function importFile(values: OptionValues, args: string[]): Promise<number> {
  const file = resolve(onlyArgument(args, 'the list FILE'));
  if (typeof values.category !== 'string') throw new UsageError('--category is required: the category this list blocks');
  const format = formatOption(values);
  // In pieces the daemon stores as they arrive: it never holds the whole file. Progress goes to
  // stderr, so stdout stays the result (one JSON document with --json).
  const upload = await uploadFile({
    socket: socketOf(values), method: 'lists.upload', file, maxBytes: MAX_IMPORT_BYTES, what: LIST_FILE,
    onProgress: progressLines((line) => process.stderr.write(`${line}\n`)),
  });
  const params = {
    upload, fileName: file, category: values.category,
    ...(format ? { format } : {}),
    ...(typeof values.name === 'string' ? { name: values.name } : {}),
    ...(typeof values.id === 'string' ? { id: values.id } : {}),
    ...(values.restricted ? { restricted: true } : {}),
    ...(values['skip-bad-lines'] ? { skipBadLines: true } : {}),
  };
  try {
    const result = await callDaemon(socketOf(values), 'lists.import', params, SLOW_MS) as ImportResult;
    printResult(values, result, formatImport(file, result));
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ControlCallError && error.code === 'bad-lines') {
      process.stderr.write(`schoolgate lists import: ${error.message}\n`);
      return EXIT_BAD_INPUT;
    }
    throw error;
  }
}

async function update(values: OptionValues): Promise<number> {
  const params = { ...(typeof values.only === 'string' ? { only: values.only } : {}), ...(values.force ? { force: true } : {}) };
  // Progress goes to stderr with --json, so stdout stays one JSON document.
  const progress = (line: string): void => { (values.json ? process.stderr : process.stdout).write(`${line}\n`); };
  const { results } = await callDaemon(socketOf(values), 'lists.update', params, SLOW_MS, { onProgress: progress }) as { results: FeedUpdateResult[] };
  printResult(values, { results }, formatUpdate(results));
  return results.some((r) => r.outcome === 'failed') ? EXIT.failure : EXIT.ok;
}

export const lists: Command = {
  positionals: true,
  summary: 'show, test, import, update and remove the filtering lists',
  usage: `schoolgate lists [--json]
schoolgate lists reload
schoolgate lists test FILE [--format F] [--restricted] [--json]
schoolgate lists import FILE --category C [--format F] [--name TEXT] [--id ID] [--restricted] [--skip-bad-lines]
schoolgate lists update [--only LIST] [--force]
schoolgate lists remove LIST [--force-restricted]

  (no action)  each list: category, names, bad lines, format, file, source, last update
  reload       re-reads every list file and swaps the new lists in; if a file cannot be read
               nothing changes
  test         parses FILE here and reports what it holds and its bad lines (line numbers);
               changes nothing, needs no daemon. Exit 0 if every line is good, 4 if not
  import       stores FILE as a new list (DATA_DIR/lists/ID.txt), adds it to the configuration
               and swaps it in. A file with bad lines is refused with their line numbers
               (exit 4) unless --skip-bad-lines, which imports the rest
  update       downloads the lists that have a feed now, showing progress
  remove       takes a list out of service; its file is kept (renamed .removed-TIME)
  Changes are recorded in the audit log under your name.

${dataDirHelp}
      --format F          ${FORMATS.join(', ')} (default: guessed from the content)
      --category C        the category the list's names are blocked under (import)
      --name TEXT         the list's name as people see it (default: the file's name)
      --id ID             the list's id (default: from the file's name)
      --restricted        illegal content: blocked everywhere, never excepted, entries never shown
      --skip-bad-lines    import the good lines of a file that has bad ones (they are dropped)
      --only LIST         update only this list
      --force             (update) accept a download that shrank by more than half
      --force-restricted  allow removing a restricted (illegal-content) list
      --json              print the result as JSON`,
  options: {
    ...dataDirOption,
    json: { type: 'boolean' },
    format: { type: 'string' },
    category: { type: 'string' },
    name: { type: 'string' },
    id: { type: 'string' },
    restricted: { type: 'boolean' },
    'skip-bad-lines': { type: 'boolean' },
    only: { type: 'string' },
    force: { type: 'boolean' },
    'force-restricted': { type: 'boolean' },
  },
  async run(values, positionals) {
    const [action, ...args] = positionals;
    switch (action) {
      case 'test': return testFile(values, args);
      case 'import': return importFile(values, args);
      case 'update':
        if (args.length) throw new UsageError(`unexpected argument "${args[0]}"`);
        return update(values);
      case 'remove': {
        const name = onlyArgument(args, 'the LIST to remove');
        const result = await callDaemon(socketOf(values), 'lists.remove', { name, ...(values['force-restricted'] ? { forceRestricted: true } : {}) }, SLOW_MS) as RemoveResult;
        printResult(values, result, formatRemove(result));
        return EXIT.ok;
      }
      case undefined:
      case 'reload': {
        if (args.length) throw new UsageError(`unexpected argument "${args[0]}"`);
        const view = await callDaemon(socketOf(values), action === 'reload' ? 'lists.reload' : 'lists', undefined, SLOW_MS) as ListsView;
        printResult(values, view, formatLists(view, action === 'reload'));
        return EXIT.ok;
      }
      default:
        throw new UsageError(`unknown lists action "${action}"`);
    }
  },
};
