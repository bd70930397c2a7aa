// `schoolgate annual`: the annual review of filtering and monitoring. Opens a school year's review,
// records who took part and each one's sign-off (append-only, audited under your name), prints the
// data-processing statement, and writes the print-ready pack to a file.
import { writeFileSync } from 'node:fs';
import { callDaemon } from '../../control/client.ts';
import { PARTICIPANT_ROLES, type AnnualReview, type AnnualReviewList, type DataStatement, type PackResult, type Participant, type SignOff } from '../../monitor/annual/annual-schema.ts';
import { dataDirHelp, dataDirOption, EXIT, printResult, socketOf, UsageError, type Command, type OptionValues } from '../command.ts';
import { formatParticipant, formatReview, formatReviews, formatStatement } from '../format-annual.ts';

const YEAR = /^\d{4}-\d{2}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function year(values: OptionValues): string {
  if (typeof values.year !== 'string' || !YEAR.test(values.year)) throw new UsageError('--year takes a school year as schools write it, e.g. --year 2026-27');
  return values.year;
}

function day(values: OptionValues, key: string): string | undefined {
  const value = values[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !DAY.test(value)) throw new UsageError(`--${key} takes a date, YYYY-MM-DD, not "${String(value)}"`);
  return value;
}

const today = (): string => new Date().toISOString().slice(0, 10);

export const annual: Command = {
  positionals: true,
  summary: 'the annual review of filtering and monitoring: participants, sign-offs, the pack',
  usage: `schoolgate annual [--json]
schoolgate annual open --year 2026-27 [--from DATE] [--to DATE] [--next-review DATE]
schoolgate annual participant --year 2026-27 --name "NAME" --role ROLE [--title "TITLE"]
schoolgate annual sign-off --year 2026-27 --participant ID [--date DATE] [--comment "TEXT"]
schoolgate annual statement [--json]
schoolgate annual pack --year 2026-27 --out FILE

The review the DfE's filtering and monitoring standards ask for at least once a year. Without an
action, lists each year's review: its participants, their sign-offs and the next review date.

  open          opens a school year's review (default 1 September to 31 August, the next review
                a year from today)
  participant   records who took part: --role senior-leader, dsl, it-provider, governor or other
  sign-off      records a participant's sign-off (default dated today) with a comment; a second
                one stands beside the first: nothing recorded is ever changed or removed
  statement     the data-processing statement: what the gateway holds, why, where, for how long
                and who can see it (for the information asset register and the DPIA)
  pack          writes the annual review pack, one print-ready HTML file: open it in a browser
                and print, or save it as PDF

${dataDirHelp}
      --year Y         the school year, e.g. 2026-27
      --out FILE       (pack) where to write it
      --json           print the result as JSON`,
  options: {
    ...dataDirOption, json: { type: 'boolean' }, year: { type: 'string' }, out: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
    'next-review': { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, title: { type: 'string' }, participant: { type: 'string' },
    date: { type: 'string' }, comment: { type: 'string' },
  },
  async run(values, positionals) {
    const [action, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const socket = socketOf(values);
    switch (action) {
      case undefined: {
        const list = await callDaemon(socket, 'annual.list', {}) as AnnualReviewList;
        printResult(values, list, formatReviews(list));
        return EXIT.ok;
      }
      case 'open': {
        const from = day(values, 'from');
        const to = day(values, 'to');
        const next = day(values, 'next-review');
        const review = await callDaemon(socket, 'annual.open', { year: year(values), ...(from ? { starts: from } : {}), ...(to ? { ends: to } : {}), ...(next ? { nextReview: next } : {}) }) as AnnualReview;
        printResult(values, review, formatReview(review));
        return EXIT.ok;
      }
      case 'participant': {
        if (typeof values.name !== 'string' || values.name.trim() === '') throw new UsageError('participant needs --name: the person\'s name');
        if (typeof values.role !== 'string' || !(PARTICIPANT_ROLES as readonly string[]).includes(values.role)) throw new UsageError(`participant needs --role: ${PARTICIPANT_ROLES.join(', ')}`);
        const y = year(values);
        const p = await callDaemon(socket, 'annual.participant', { year: y, name: values.name, role: values.role, ...(typeof values.title === 'string' ? { roleTitle: values.title } : {}) }) as Participant;
        printResult(values, p, formatParticipant(p, y));
        return EXIT.ok;
      }
      case 'sign-off': {
        const id = Number(values.participant);
        if (!Number.isInteger(id) || id < 1) throw new UsageError('sign-off needs --participant ID (schoolgate annual lists them)');
        const s = await callDaemon(socket, 'annual.sign-off', { year: year(values), participant: id, signedOn: day(values, 'date') ?? today(), comment: typeof values.comment === 'string' ? values.comment : '' }) as SignOff;
        printResult(values, s, `Sign-off ${s.id} recorded for participant ${id}, dated ${s.signedOn}; in the audit log under your name.\n`);
        return EXIT.ok;
      }
      case 'statement': {
        const statement = await callDaemon(socket, 'annual.statement', {}) as DataStatement;
        printResult(values, statement, formatStatement(statement));
        return EXIT.ok;
      }
      case 'pack': {
        if (typeof values.out !== 'string' || values.out === '') throw new UsageError('pack needs --out FILE: where to write the HTML document');
        const pack = await callDaemon(socket, 'annual.pack', { year: year(values) }, 120_000) as PackResult;
        writeFileSync(values.out, pack.html, { mode: 0o640 });
        process.stdout.write(values.json ? `${JSON.stringify({ year: pack.year, out: values.out, bytes: Buffer.byteLength(pack.html), ms: pack.ms })}\n`
          : `The ${pack.year} annual review pack is in ${values.out} (${Math.round(Buffer.byteLength(pack.html) / 1024)} KB, rendered in ${pack.ms} ms): open it in a browser to read or print it.\n`);
        return EXIT.ok;
      }
      default: throw new UsageError(`unknown annual action "${action}" (open, participant, sign-off, statement, pack)`);
    }
  },
};
