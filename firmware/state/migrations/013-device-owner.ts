import type { DatabaseSync } from 'node:sqlite';
import type { Migration } from '../migrate.ts';

export const m013: Migration = {
  version: 13,
  name: 'device owner as one line of at most 80 characters',
  // The owner column (migration 3) was free text of up to 120 characters that nothing wrote but
  // tests; staff now type it in the Devices page and the CLI, and it is shown in tables and printed
  // reviews. Values already stored are made to fit the new rule (control characters become spaces,
  // trimmed, cut to 80) rather than refused at every later read, and triggers keep any writer to it.
  up: (db: DatabaseSync) => {
    const rows = db.prepare("SELECT mac, owner FROM devices WHERE owner <> ''").all();
    const write = db.prepare('UPDATE devices SET owner = ? WHERE mac = ?');
    for (const row of rows) {
      const before = String(row.owner);
      // eslint-disable-next-line no-control-regex
      const after = before.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 80).trim();
      if (after !== before) write.run(after, String(row.mac));
    }
    db.exec(`
      CREATE TRIGGER devices_owner_insert BEFORE INSERT ON devices WHEN length(NEW.owner) > 80 OR NEW.owner GLOB '*[' || char(1) || '-' || char(31) || char(127) || ']*' OR instr(NEW.owner, char(0)) > 0
      BEGIN SELECT RAISE(ABORT, 'a device owner is one line of at most 80 characters'); END;
      CREATE TRIGGER devices_owner_update BEFORE UPDATE OF owner ON devices WHEN length(NEW.owner) > 80 OR NEW.owner GLOB '*[' || char(1) || '-' || char(31) || char(127) || ']*' OR instr(NEW.owner, char(0)) > 0
      BEGIN SELECT RAISE(ABORT, 'a device owner is one line of at most 80 characters'); END;
    `);
  },
};
