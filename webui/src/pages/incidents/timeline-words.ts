// A timeline entry in words, as the paper log would have it written (the UI's twin of the
// export's wording; the UI imports only types from the firmware).
import type { IncidentEntry } from '../../../../firmware/admin/api/incidents-schema.ts';
import { OUTCOMES } from './words.ts';

export function entryWords(entry: IncidentEntry): string {
  const b = entry.body as Record<string, unknown>;
  const s = (k: string) => String(b[k] ?? '');
  switch (entry.kind) {
    case 'opened': return `Opened: ${s('what')}${s('people') ? ` (people involved: ${s('people')})` : ''}`;
    case 'note': return `Investigation note: ${s('text')}`;
    case 'action': return `Action${b.itProvider ? ' for the IT provider' : ''}: ${s('what')} (by ${s('by')})`;
    case 'task-done': return `The IT provider's task (entry ${s('action')}) was marked done${s('note') ? `: ${s('note')}` : ''}`;
    case 'outcome': return `Outcome: ${OUTCOMES[b.outcome as keyof typeof OUTCOMES] ?? s('outcome')}${s('note') ? `: ${s('note')}` : ''}`;
    case 'attachment': return `Attached ${s('fileName')}: ${s('description')}`;
    case 'sign-off': return `Signed off and closed${s('note') ? `: ${s('note')}` : ''}`;
    case 'correction': return `Correction of entry ${s('corrects')}: ${s('text')} (why: ${s('reason')})`;
  }
}
