// `schoolgate data export` and `schoolgate data erase`: a school's answer to a subject-access
// request (everything kept about one device, as one JSON document) and to a request to erase it.
// Both go through the running daemon, which owns state.db and logs.db, and are audited.
import { writeFile } from 'node:fs/promises';
import { callDaemon } from '../../control/client.ts';
import type { EraseResult, SubjectExport, SubjectParams } from '../../monitor/subject/subject-schema.ts';
import { dataDirHelp, dataDirOption, EXIT, socketOf, UsageError, type Command, type OptionValues } from '../command.ts';
import { formatErased, formatExportSummary, queryEventsCsv } from '../format-data.ts';
import { parseSince } from '../since.ts';

// A device's month of questions is a full scan of logs.db in the daemon: give it minutes.
const TIMEOUT_MS = 300_000;

function subjectOf(values: OptionValues): SubjectParams {
  const device = typeof values.device === 'string' ? values.device : undefined;
  const address = typeof values.address === 'string' ? values.address : undefined;
  if ((device === undefined) === (address === undefined)) throw new UsageError('give one of --device MAC or --address IP');
  return device !== undefined ? { kind: 'device', value: device } : { kind: 'address', value: address! };
}

// Personal data: readable by whoever runs the command and no one else.
const writePrivate = (file: string, text: string): Promise<void> => writeFile(file, text, { mode: 0o600 });

async function exportData(values: OptionValues): Promise<number> {
  const params: Record<string, unknown> = { subject: subjectOf(values) };
  if (typeof values.since === 'string') {
    const since = parseSince(values.since, new Date());
    if (since === undefined) throw new UsageError(`--since "${values.since}" is not a time: give 30d, 2w, a date (2026-12-01) or a date and time with its zone`);
    params.since = since;
  }
  const doc = await callDaemon(socketOf(values), 'data.export', params, TIMEOUT_MS) as SubjectExport;
  const json = `${JSON.stringify(doc, null, 2)}\n`;
  if (typeof values.csv === 'string') await writePrivate(values.csv, queryEventsCsv(doc.queryEvents));
  if (typeof values.out !== 'string') {
    process.stdout.write(json);
    return EXIT.ok;
  }
  await writePrivate(values.out, json);
  process.stdout.write(formatExportSummary(doc, values.out + (typeof values.csv === 'string' ? ` (DNS questions also in ${values.csv})` : '')));
  return EXIT.ok;
}

async function erase(values: OptionValues): Promise<number> {
  const subject = subjectOf(values);
  if (typeof values.reason !== 'string' || values.reason.trim().length < 3) throw new UsageError('data erase needs --reason "…" (the request it answers)');
  if (!values.yes) {
    throw new UsageError(`data erase deletes every record of ${subject.value} for good: look at what it holds first (schoolgate data export --${subject.kind} ${subject.value} --out FILE), then add --yes`);
  }
  const result = await callDaemon(socketOf(values), 'data.erase', { subject, reason: values.reason }, TIMEOUT_MS) as EraseResult;
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatErased(subject.value, result));
  return EXIT.ok;
}

export const data: Command = {
  positionals: true,
  summary: 'subject access and erasure: export or erase everything kept about a device',
  usage: `schoolgate data export --device MAC | --address IP [--since TIME] [--out FILE] [--csv FILE]
schoolgate data erase --device MAC | --address IP --reason "TEXT" --yes [--json]

  export   everything the gateway keeps about a device, as one JSON document: its record,
           its DHCP leases, network events, every DNS question still kept, its hourly and
           daily counts, the alerts raised about it, and the audit log entries that name it.
           The answer to a subject-access request. --address is for a device with a fixed
           address that DHCP never named.
  erase    deletes the device's record, leases, network events, DNS questions, counts and
           alerts from both databases. The audit log keeps an entry saying who erased which
           device, why, and how many records of each kind, never what they said; the chain
           stays valid (schoolgate audit verify). A suspended device is refused until it is
           resumed, and a device with an open alert until the alert is acknowledged
           (schoolgate alerts ack ID --note "…"): the safeguarding lead sees it first.
  Both are recorded in the audit log under your name. Files are written readable by you only.

${dataDirHelp}
      --device MAC     the device, by MAC address
      --address IP     a client address DHCP never named
      --since TIME     (export) only records from TIME on: 30d, 2w, a date (2026-12-01)
      --out FILE       (export) write the JSON there instead of to the terminal
      --csv FILE       (export) also write the DNS questions as CSV
      --reason TEXT    (erase) why: the request it answers, kept in the audit log
      --yes            (erase) really erase
      --json           (erase) print the result as JSON`,
  options: {
    ...dataDirOption, device: { type: 'string' }, address: { type: 'string' }, since: { type: 'string' }, out: { type: 'string' },
    csv: { type: 'string' }, reason: { type: 'string' }, yes: { type: 'boolean' }, json: { type: 'boolean' },
  },
  async run(values, positionals) {
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
    switch (positionals[0]) {
      case 'export':
        return exportData(values);
      case 'erase':
        return erase(values);
      default:
        throw new UsageError(positionals[0] === undefined ? 'data export or data erase?' : `unknown data command "${positionals[0]}" (export or erase)`);
    }
  },
};
