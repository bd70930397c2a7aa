// An investigation's evidence as a CSV file (pure): every question the device asked in the window,
// oldest first, as the query log holds it. A name on a restricted (illegal-content) list is
// already withheld by the log itself ("(restricted)"), as everywhere; cells a spreadsheet would
// run as formulas are made inert (csvCell).
import { createHash } from 'node:crypto';
import { csvCell } from '../../cli/format-data.ts';
import type { QueryEvent } from '../../dns/events/event-buffer.ts';

const COLUMNS = ['time (UTC)', 'network', 'address', 'name', 'qtype', 'verdict', 'category', 'list', 'watched'] as const;

export interface EvidenceFile {
  data: Buffer;
  sha256: string;
  lookups: number;
}

export function evidenceCsv(events: readonly QueryEvent[]): EvidenceFile {
  const rows = events.map((e) => [
    new Date(e.at).toISOString(), e.network, e.client, e.name, e.qtype, e.verdict, e.category, e.list, e.watch ? 'yes' : '',
  ].map(csvCell).join(','));
  const data = Buffer.from(`${[COLUMNS.join(','), ...rows].join('\r\n')}\r\n`, 'utf8');
  return { data, sha256: createHash('sha256').update(data).digest('hex'), lookups: events.length };
}
