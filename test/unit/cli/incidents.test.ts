// `schoolgate incidents` on a terminal: an incident laid out like the paper log with its timeline,
// text anyone typed never able to move the cursor, and the IT provider's tasks.
import { describe, expect, it } from 'vitest';
import { formatIncident, formatIncidentList, formatTasks } from '../../../firmware/cli/format-incidents.ts';
import { StateDatabase } from '../../../firmware/state/database.ts';

describe('incidents on a terminal', () => {
  it('shows the paper log\'s fields, actions, the timeline with corrections, and no control codes', () => {
    const db = StateDatabase.open(':memory:');
    try {
      const at = new Date('2026-12-07T09:00:00Z');
      const { id } = db.incidents.open({ source: 'hand', opened: { occurredAt: '2026-12-07T08:55:00.000Z', what: 'Saw it\u001b[2J in class', people: 'Pupil ref 12', reportedBy: 'Mr Jones' } }, 'ssh:tess', at).incident;
      const action = db.incidents.append(id, 'action', { what: 'Refer to technical support', by: 'IT provider', at: at.toISOString(), itProvider: true }, 'ssh:tess', at).actions[0]!.entry;
      db.incidents.append(id, 'correction', { corrects: action, text: 'Refer to the filtering provider', reason: 'wrong party' }, 'ssh:tess', at);
      const out = formatIncident(db.incidents.get(id));
      expect(out).not.toContain('\u001b');
      expect(out).toContain('Incident 1 (open)');
      expect(out).toContain('Date and time:    2026-12-07 08:55 UTC');
      expect(out).toContain('People involved:  Pupil ref 12');
      expect(out).toMatch(/2 +2026-12-07 09:00 UTC +"IT provider" +OPEN +"Refer to technical support"/);
      expect(out).toMatch(/"Action for the IT provider: Refer to technical support \(by IT provider\)" \(corrected by 3\)/);
      expect(formatIncidentList(db.incidents.list())).toMatch(/1 +open +2026-12-07 08:55 UTC +hand +- +1 +"Mr Jones" +"Saw it\\u001b\[2J in class"/);
      expect(formatTasks(db.incidents.openTasks())).toMatch(/1 +2 +2026-12-07 09:00 UTC +"IT provider" +"Refer to technical support"/);
      expect(formatTasks([])).toBe('No open tasks for the IT provider.\n');
    } finally {
      db.close();
    }
  });
});
