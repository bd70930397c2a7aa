// `schoolgate incidents`: the school's incident log through the running daemon (which owns
// state.db and the audit log). Every change is a new entry on the incident's timeline, audited
// under the SSH user's name; nothing is ever edited or removed.
import { readFile, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { callDaemon } from '../../control/client.ts';
import type { IncidentExportView, IncidentListView, IncidentTasksView } from '../../monitor/incidents/incident-methods.ts';
import { INCIDENT_OUTCOMES, type Incident } from '../../monitor/incidents/incident-schema.ts';
import { dataDirHelp, dataDirOption, EXIT, printResult, recordNumber, stringOption, socketOf, UsageError, type Command, type OptionValues } from '../command.ts';
import { formatIncident, formatIncidentList, formatTasks } from '../format-incidents.ts';
import { readPassphraseFile } from './reports-governor.ts';

function instant(value: string | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime()) || !/[zZ]|[+-]\d\d:?\d\d$/.test(value)) throw new UsageError(`--${option} "${value}" is not a date and time with its zone (2026-12-07T08:55:00Z)`);
  return at.toISOString();
}

async function call<T>(values: OptionValues, method: string, params: unknown): Promise<T> {
  return await callDaemon(socketOf(values), method, params) as T;
}

const show = (values: OptionValues, incident: Incident): number => {
  printResult(values, incident, formatIncident(incident));
  return EXIT.ok;
};

async function open(values: OptionValues): Promise<number> {
  const fromAlert = stringOption(values, 'from-alert');
  const fromReport = stringOption(values, 'from-report');
  const params: Record<string, unknown> = {};
  if (fromAlert !== undefined) params.fromAlert = recordNumber(fromAlert, 'an alert');
  if (fromReport !== undefined) params.fromReport = recordNumber(fromReport, 'a report');
  if (fromAlert === undefined && fromReport === undefined && !stringOption(values, 'what')?.trim()) {
    throw new UsageError('say what happened: schoolgate incidents open --what "TEXT" (or --from-alert ID, --from-report ID)');
  }
  for (const [option, key] of [['what', 'what'], ['people', 'people'], ['reported-by', 'reportedBy']] as const) {
    const value = stringOption(values, option);
    if (value !== undefined) params[key] = value;
  }
  const at = instant(stringOption(values, 'at'), 'at');
  if (at !== undefined) params.occurredAt = at;
  const { incident, created } = await call<{ incident: Incident; created: boolean }>(values, 'incidents.open', params);
  if (!created && !values.json) process.stdout.write(`Alert ${String(params.fromAlert)} already has incident ${incident.id}:\n`);
  return show(values, incident);
}

async function action(values: OptionValues, args: string[]): Promise<number> {
  if (args.length !== 2) throw new UsageError('usage: schoolgate incidents action ID "WHAT" --by WHO [--it-provider] [--at TIME]');
  const by = stringOption(values, 'by') ?? (values['it-provider'] ? 'IT provider' : undefined);
  if (by === undefined) throw new UsageError('missing --by: who does it');
  const at = instant(stringOption(values, 'at'), 'at');
  return show(values, await call(values, 'incidents.action', { id: recordNumber(args[0], 'an incident'), what: args[1], by, itProvider: values['it-provider'] === true, ...(at ? { at } : {}) }));
}

async function exportOne(values: OptionValues, args: string[]): Promise<number> {
  if (args.length !== 1) throw new UsageError('usage: schoolgate incidents export ID [--format html|json] [--passphrase-file F] [--out FILE]');
  const format = stringOption(values, 'format') ?? 'html';
  if (format !== 'html' && format !== 'json') throw new UsageError('--format must be html or json');
  const passphraseFile = stringOption(values, 'passphrase-file');
  const passphrase = passphraseFile === undefined ? undefined : await readPassphraseFile(passphraseFile);
  const made = await call<IncidentExportView>(values, 'incidents.export', { id: recordNumber(args[0], 'an incident'), format, ...(passphrase !== undefined ? { passphrase } : {}) });
  const out = resolve(stringOption(values, 'out') ?? basename(made.fileName));
  // The export may name pupils: readable by its owner only.
  const { bodyBase64, ...described } = made;
  await writeFile(out, Buffer.from(bodyBase64, 'base64'), { mode: 0o600 });
  printResult(values, { ...described, out },
    `Incident ${args[0]!.replace(/^#/, '')} written to ${out} (${made.encrypted ? 'encrypted, ' : ''}sealed; content SHA-256 ${made.contentSha256}).\n`
    + `The export is recorded in the audit log. Open it with: schoolgate export open ${basename(out)}${made.encrypted ? ' --passphrase-file F' : ''}\n`);
  return EXIT.ok;
}

async function attach(values: OptionValues, args: string[]): Promise<number> {
  if (args.length !== 2) throw new UsageError('usage: schoolgate incidents attach ID FILE --description "TEXT"');
  const description = stringOption(values, 'description');
  if (!description?.trim()) throw new UsageError('missing --description: what the screenshot shows');
  const data = await readFile(args[1]!).catch((error: Error) => { throw new UsageError(`cannot read ${args[1]}: ${error.message}`); });
  return show(values, await call(values, 'incidents.attach', { id: recordNumber(args[0], 'an incident'), description, fileName: basename(args[1]!), dataBase64: data.toString('base64') }));
}

export const incidents: Command = {
  positionals: true,
  summary: "the school's incident log: open, investigate, act, close; IT-provider tasks; export",
  usage: `schoolgate incidents [list] [--status open|closed] [--json]
schoolgate incidents show ID [--json]
schoolgate incidents open --from-alert ID | --from-report ID | --what "TEXT" [--people "TEXT"] [--reported-by WHO] [--at TIME]
schoolgate incidents note ID "TEXT"
schoolgate incidents action ID "WHAT" --by WHO [--it-provider] [--at TIME]
schoolgate incidents done ID ACTION [--note "TEXT"]
schoolgate incidents outcome ID ${INCIDENT_OUTCOMES.join('|')} [--note "TEXT"]
schoolgate incidents sign-off ID [--note "TEXT"]
schoolgate incidents correct ID ENTRY "CORRECTED TEXT" --reason "WHY"
schoolgate incidents attach ID FILE --description "TEXT"
schoolgate incidents tasks [--json]
schoolgate incidents export ID [--format html|json] [--passphrase-file F] [--out FILE]

The incident log, like the paper one: date and time, what happened, people involved (pupils by
the school's own reference), reported by, investigation notes, actions (what, by whom, when; one
may be a task for the IT provider, open until marked done), outcome (no substance, internal
action, trust or LA, police) and sign-off. An incident opened from an alert copies its facts, and
one alert has one incident: a critical restricted-list or upstream-provider alert opens its own,
reported by "system". Every change is a new entry on the incident's timeline, audited under your
name; nothing is edited or removed. A signed-off incident takes only corrections, each naming the
entry it corrects. Sign-off needs an outcome and no open IT-provider task.

\`tasks\` lists the IT provider's open tasks; \`done ID ACTION\` marks one done (ACTION is its
number in \`show\`). \`attach\` adds a PNG or JPEG screenshot (at most 8 MB), kept with its SHA-256.
\`export\` writes one incident as a self-contained HTML document (screenshots embedded) or JSON,
for the filtering provider, the local authority or the police, sealed like every export: the
audit chain's head and the content's SHA-256 in its header, encrypted when --passphrase-file names
a file holding a passphrase (10 characters or more); the export and its hash are audited. Open it
with schoolgate export open FILE.

${dataDirHelp}
      --status S         (list) only open or only closed incidents
      --from-alert ID    (open) from an alert, its facts copied in
      --from-report ID   (open) from a block-page report
      --what TEXT        (open) what happened
      --people TEXT      (open) people involved
      --reported-by WHO  (open) who reported it (default: you)
      --at TIME          (open) when it happened; (action) when it was done: 2026-12-07T08:55:00Z
      --by WHO           (action) who does it
      --it-provider      (action) a task for the IT provider, tracked until done
      --note TEXT        (done, outcome, sign-off) a note
      --reason TEXT      (correct) why
      --description TEXT (attach) what it shows
      --format F         (export) html (default) or json
      --passphrase-file F (export) encrypt with the passphrase on this file's first line
      --out FILE         (export) write here (mode 0600); default: the file's own name here
      --json             print the result as JSON`,
  options: {
    ...dataDirOption, json: { type: 'boolean' }, status: { type: 'string' }, 'from-alert': { type: 'string' }, 'from-report': { type: 'string' },
    what: { type: 'string' }, people: { type: 'string' }, 'reported-by': { type: 'string' }, at: { type: 'string' }, by: { type: 'string' },
    'it-provider': { type: 'boolean' }, note: { type: 'string' }, reason: { type: 'string' }, description: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' },
    'passphrase-file': { type: 'string' },
  },
  async run(values, positionals) {
    const [verb = 'list', ...args] = positionals;
    const note = stringOption(values, 'note');
    switch (verb) {
      case 'list': {
        const status = stringOption(values, 'status');
        if (status !== undefined && status !== 'open' && status !== 'closed') throw new UsageError('--status must be open or closed');
        const view = await call<IncidentListView>(values, 'incidents', status ? { status } : {});
        printResult(values, view, formatIncidentList(view.incidents));
        return EXIT.ok;
      }
      case 'show':
        if (args.length !== 1) throw new UsageError('usage: schoolgate incidents show ID');
        return show(values, await call(values, 'incidents.show', { id: recordNumber(args[0], 'an incident') }));
      case 'open': return open(values);
      case 'note':
        if (args.length !== 2) throw new UsageError('usage: schoolgate incidents note ID "TEXT"');
        return show(values, await call(values, 'incidents.note', { id: recordNumber(args[0], 'an incident'), text: args[1] }));
      case 'action': return action(values, args);
      case 'done':
        if (args.length !== 2) throw new UsageError('usage: schoolgate incidents done ID ACTION [--note "TEXT"]');
        return show(values, await call(values, 'incidents.done', { id: recordNumber(args[0], 'an incident'), action: recordNumber(args[1], 'an action'), ...(note ? { note } : {}) }));
      case 'outcome':
        if (args.length !== 2 || !(INCIDENT_OUTCOMES as readonly string[]).includes(args[1]!)) throw new UsageError(`usage: schoolgate incidents outcome ID ${INCIDENT_OUTCOMES.join('|')} [--note "TEXT"]`);
        return show(values, await call(values, 'incidents.outcome', { id: recordNumber(args[0], 'an incident'), outcome: args[1], ...(note ? { note } : {}) }));
      case 'sign-off':
        if (args.length !== 1) throw new UsageError('usage: schoolgate incidents sign-off ID [--note "TEXT"]');
        return show(values, await call(values, 'incidents.sign-off', { id: recordNumber(args[0], 'an incident'), ...(note ? { note } : {}) }));
      case 'correct': {
        const reason = stringOption(values, 'reason');
        if (args.length !== 3 || !reason?.trim()) throw new UsageError('usage: schoolgate incidents correct ID ENTRY "CORRECTED TEXT" --reason "WHY"');
        return show(values, await call(values, 'incidents.correct', { id: recordNumber(args[0], 'an incident'), corrects: recordNumber(args[1], 'an entry'), text: args[2], reason }));
      }
      case 'attach': return attach(values, args);
      case 'tasks': {
        const view = await call<IncidentTasksView>(values, 'incidents.tasks', {});
        printResult(values, view, formatTasks(view.tasks));
        return EXIT.ok;
      }
      case 'export': return exportOne(values, args);
      default: throw new UsageError(`unknown incidents action "${verb}" (list, show, open, note, action, done, outcome, sign-off, correct, attach, tasks, export)`);
    }
  },
};
