// `schoolgate reports governor|summary|export`: the governors' anonymised report, the assurance
// summary and the sealed exports, through the running daemon (the same control methods as the
// Reports page). `schoolgate reports` alone still lists the block page's reports (reports.ts).
import { readFile, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { callDaemon } from '../../control/client.ts';
import type { AssuranceSummary, GovernorReport, GovernorSendResult, RecordsExportParams, SealedFile } from '../../monitor/reports/report-schema.ts';
import { EXIT, socketOf, UsageError, type OptionValues } from '../command.ts';
import { formatAssuranceSummary, formatGovernorReport } from '../format-reports.ts';

// A year of a school's records is a scan of logs.db's rollups in the daemon: give it minutes.
const TIMEOUT_MS = 300_000;

export const reportsSubOptions = {
  from: { type: 'string' as const }, to: { type: 'string' as const }, send: { type: 'boolean' as const },
  device: { type: 'string' as const }, visitor: { type: 'string' as const }, format: { type: 'string' as const },
  'passphrase-file': { type: 'string' as const }, out: { type: 'string' as const },
};

export const reportsSubUsage = `schoolgate reports governor [--from DAY --to DAY] [--send] [--json]
schoolgate reports summary [--json]
schoolgate reports export --device MAC | --visitor NAME | --from DAY --to DAY [--format csv|json]
                          [--passphrase-file FILE] [--out FILE]

  governor   the anonymised governor/trust report (counts only: no pupil, device or visitor is
             named) for the days given, both included (default: the 30 days to yesterday);
             --send e-mails it now to its recipients (config reports.governor) and records it
  summary    the one-page governor assurance summary
  export     the records of one device, one visitor, or everyone over the days given: alerts,
             network events, voucher sessions, block-page reports and totals, as CSV (default)
             or JSON, sealed with the audit log's head (docs/export-format.md) and encrypted
             when --passphrase-file names a file holding a passphrase (10 characters or more).
             Written to --out, or to the export's own name here, readable by you only;
             recorded in the audit log. Open it with schoolgate export open FILE.`;

/** A passphrase from a file: its first line, so an editor's newline is not part of it. */
export async function readPassphraseFile(file: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read the passphrase file ${file}: ${err.code === 'ENOENT' ? 'it does not exist' : err.message}`);
  });
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line.length === 0) throw new UsageError(`the passphrase file ${file} is empty`);
  return line;
}

const str = (v: OptionValues[string]): string | undefined => (typeof v === 'string' ? v : undefined);

function span(values: OptionValues): { from?: string; to?: string } {
  return { ...(str(values.from) ? { from: str(values.from)! } : {}), ...(str(values.to) ? { to: str(values.to)! } : {}) };
}

async function governor(values: OptionValues): Promise<number> {
  if (values.send) {
    const result = await callDaemon(socketOf(values), 'reports.governor.send', span(values), TIMEOUT_MS) as GovernorSendResult;
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      process.stdout.write(`Governor report ${result.span.from} to ${result.span.to}: sent to ${result.sent.length === 0 ? 'no one' : result.sent.join(', ')}\n`);
      for (const f of result.failed) process.stdout.write(`  not sent to ${f.to}: ${f.error}\n`);
      if (!result.relay) process.stdout.write('No e-mail relay is configured (alerts.email): nothing can be sent until one is.\n');
    }
    return result.failed.length === 0 && result.sent.length > 0 ? EXIT.ok : EXIT.failure;
  }
  const report = await callDaemon(socketOf(values), 'reports.governor', span(values), TIMEOUT_MS) as GovernorReport;
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatGovernorReport(report));
  return EXIT.ok;
}

async function summary(values: OptionValues): Promise<number> {
  const result = await callDaemon(socketOf(values), 'reports.summary', {}) as AssuranceSummary;
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatAssuranceSummary(result));
  return EXIT.ok;
}

async function exportRecords(values: OptionValues): Promise<number> {
  const device = str(values.device);
  const visitor = str(values.visitor);
  if (device !== undefined && visitor !== undefined) throw new UsageError('give --device or --visitor, not both');
  const format = str(values.format) ?? 'csv';
  if (format !== 'csv' && format !== 'json') throw new UsageError(`--format is csv or json, not "${format}"`);
  if (device === undefined && visitor === undefined && (values.from === undefined || values.to === undefined)) {
    throw new UsageError('give --device MAC, --visitor NAME, or a date range with --from DAY --to DAY');
  }
  const params: RecordsExportParams = {
    subject: device !== undefined ? { kind: 'device', mac: device } : visitor !== undefined ? { kind: 'visitor', name: visitor } : { kind: 'range' },
    ...span(values), format,
  };
  const passphraseFile = str(values['passphrase-file']);
  if (passphraseFile !== undefined) params.passphrase = await readPassphraseFile(passphraseFile);
  const file = await callDaemon(socketOf(values), 'reports.export', params, TIMEOUT_MS) as SealedFile;
  const out = resolve(str(values.out) ?? basename(file.fileName));
  // Personal data: readable by whoever ran the command and no one else.
  await writeFile(out, Buffer.from(file.bodyBase64, 'base64'), { mode: 0o600 });
  process.stdout.write(`${file.records} records written to ${out} (${file.encrypted ? 'encrypted, ' : ''}sealed; content SHA-256 ${file.contentSha256}).\n`
    + 'The export is recorded in the audit log. Open it with: schoolgate export open FILE' + (file.encrypted ? ' --passphrase-file F' : '') + '\n');
  return EXIT.ok;
}

export async function runReportsSub(sub: string, values: OptionValues): Promise<number> {
  switch (sub) {
    case 'governor': return governor(values);
    case 'summary': return summary(values);
    case 'export': return exportRecords(values);
    default: throw new UsageError(`unknown reports command "${sub}" (governor, summary or export; none lists the block page's reports)`);
  }
}
