// Safeguarding records are append-only in the database itself, not only in this build's code: the
// triggers refuse every UPDATE and DELETE, whoever the writer is, so a correction can only be a
// new row. Each table says in its own words what to do instead, since the message reaches a person.

export interface AppendOnlyWords {
  /** The reason an UPDATE is refused, and what to do instead. */
  readonly update: string;
  /** The reason a DELETE is refused. */
  readonly delete: string;
}

/** The pair of triggers that makes `table` append-only (SQL for a migration's `up`). */
export function appendOnlyTriggers(table: string, words: AppendOnlyWords): string {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`appendOnlyTriggers: not a table name: ${table}`);
  const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`;
  return `
    CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
    BEGIN SELECT RAISE(ABORT, ${quote(words.update)}); END;
    CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
    BEGIN SELECT RAISE(ABORT, ${quote(words.delete)}); END;`;
}
