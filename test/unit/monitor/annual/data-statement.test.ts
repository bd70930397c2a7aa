// The data-processing statement names every store the gateway has, says for how long each is kept
// from the school's own retention settings, and derives who can see it from the roles table.
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../../firmware/config/defaults.ts';
import { Retention } from '../../../../firmware/config/schema.ts';
import { dataStatement } from '../../../../firmware/monitor/annual/data-statement.ts';
import { logMigrations } from '../../../../firmware/monitor/query-log/query-log-schema.ts';
import { migrate } from '../../../../firmware/state/migrate.ts';
import { StateDatabase } from '../../../../firmware/state/database.ts';
import { useTempDir } from '../../state/temp-dir.ts';

const tempDir = useTempDir();
const AT = new Date('2026-12-07T10:00:00Z');

function tablesOf(db: DatabaseSync): string[] {
  return db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'").all().map((r) => String(r.name));
}

describe('the data-processing statement', () => {
  it('names every table of state.db and logs.db in one of its items', () => {
    const file = join(tempDir(), 'state.db');
    StateDatabase.open(file).close();
    const state = new DatabaseSync(file);
    const logs = new DatabaseSync(':memory:');
    migrate(logs, logMigrations('Europe/London'), { databaseName: 'logs.db', now: () => AT });
    const tables = [...tablesOf(state), ...tablesOf(logs)];
    state.close();
    logs.close();
    expect(tables.length).toBeGreaterThan(20);
    const named = new Set(dataStatement(defaultConfig(), AT).items.flatMap((i) => i.tables));
    expect(tables.filter((t) => !named.has(t))).toEqual([]);
  });

  it('says how long each kind is kept from the retention settings, and names each setting', () => {
    const config = defaultConfig();
    config.retention = { queryEventsDays: 45, hourlyRollupsDays: 91, rollupsDays: 730, visitorRecordsDays: 14, networkEventsDays: 120, alertsDays: 365 };
    const items = new Map(dataStatement(config, AT).items.map((i) => [i.id, i]));
    expect(items.get('query-log')?.kept).toMatch(/^45 days/);
    expect(items.get('hourly-rollups')?.kept).toMatch(/^91 days/);
    expect(items.get('daily-rollups')?.kept).toMatch(/^2 years/);
    expect(items.get('visitors')?.kept).toMatch(/^2 weeks \(14 days\) after/);
    expect(items.get('network-events')?.kept).toMatch(/^4 months \(120 days\)/);
    expect(items.get('alerts')?.kept).toContain('acknowledged ones 1 year after');
    const settings = new Set([...items.values()].map((i) => i.setting));
    for (const key of Object.keys(Retention.properties)) expect(settings, key).toContain(`retention.${key}`);
  });

  it('takes the defaults for retention settings a file leaves out', () => {
    const config = defaultConfig();
    config.retention = { queryEventsDays: 30, rollupsDays: 400, visitorRecordsDays: 90 };
    const items = new Map(dataStatement(config, AT).items.map((i) => [i.id, i]));
    expect(items.get('hourly-rollups')?.kept).toMatch(/^3 months \(90 days\)/);
    expect(items.get('alerts')?.kept).toContain('400 days');
  });

  it('derives who can see each record from the roles table', () => {
    const items = new Map(dataStatement(defaultConfig(), AT).items.map((i) => [i.id, i]));
    expect(items.get('query-log')?.whoCanSee).toContain('Technician (IT provider)');
    expect(items.get('query-log')?.whoCanSee).not.toContain('Governor or trust reviewer');
    expect(items.get('alerts')?.whoCanSee).toEqual(['Headteacher', 'Designated safeguarding lead', 'Online-safety lead']);
    expect(items.get('annual-review')?.whoCanSee).toContain('Governor or trust reviewer');
    expect(items.get('audit')?.whoCanSee).toContain('the technician at the gateway (SSH)');
  });
});
