// `schoolgate export open FILE`: checks a sealed export (docs/export-format.md) — its content hash,
// and with the passphrase its encryption and header — and writes the content out. Runs here, not
// in the daemon: whoever received the file (the DSL, the police) may check it on any machine.
import { readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { openExport, SealError } from '../../monitor/reports/export-seal.ts';
import { EXIT, UsageError, type Command } from '../command.ts';
import { readPassphraseFile } from './reports-governor.ts';

export const exportCommand: Command = {
  positionals: true,
  summary: 'open a sealed export: check it and write its content out',
  usage: `schoolgate export open FILE [--passphrase-file F] [--out OUT] [--json]

Checks a file made by schoolgate reports export (or the Reports page): the SHA-256 of its content,
and when it is encrypted, the passphrase and that neither the content nor its header was changed.
Then writes the content to OUT (default: its own name beside FILE), readable by you only, and
prints the header: who exported it, when, and the audit log's head at that moment (compare it
with schoolgate audit on the gateway). A wrong passphrase or a changed byte writes nothing.

      --passphrase-file F  a file whose first line is the passphrase
      --out OUT            where to write the content
      --json               print the header as JSON`,
  options: { 'passphrase-file': { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, positionals) {
    if (positionals[0] !== 'open') throw new UsageError(positionals[0] === undefined ? 'export open FILE?' : `unknown export command "${positionals[0]}" (open)`);
    const file = positionals[1];
    if (file === undefined) throw new UsageError('export open needs the FILE to open');
    if (positionals.length > 2) throw new UsageError(`unexpected argument "${positionals[2]}"`);
    const passphrase = typeof values['passphrase-file'] === 'string' ? await readPassphraseFile(values['passphrase-file']) : undefined;
    const sealed = await readFile(file);
    let opened;
    try {
      opened = openExport(sealed, passphrase);
    } catch (err) {
      if (err instanceof SealError) {
        process.stderr.write(`schoolgate export: ${file}: ${err.message}\n`);
        return EXIT.invalidInput;
      }
      throw err;
    }
    const out = resolve(typeof values.out === 'string' ? values.out : join(dirname(file), basename(opened.fileName)));
    await writeFile(out, opened.body, { mode: 0o600 });
    const h = opened.header;
    process.stdout.write(values.json ? `${JSON.stringify({ ...h, writtenTo: out }, null, 2)}\n` : [
      `Opened ${file}: the content is as sealed${h.encryption ? ' (decrypted; header and content authenticated)' : ''}.`,
      `  written to   ${out} (${h.contentLength} bytes, ${h.mediaType})`,
      `  exported by  ${h.exportedBy} at ${h.exportedAt}`,
      `  audit head   entry ${h.auditHead.seq}, ${h.auditHead.hash} (${h.auditHead.verified ? 'chain verified then' : `chain NOT verified then: broken at ${h.auditHead.brokenAt}`})`,
      `  SHA-256      ${h.contentSha256}`,
      '',
    ].join('\n'));
    return EXIT.ok;
  },
};
