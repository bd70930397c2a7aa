// The soak's look at the data directory with the daemon down, after a SIGKILL: does every store
// open cleanly, and what does it hold (ledger.ts compares that with what was acknowledged).
// Opened as the daemon opens them at its next start: config.json through the configuration's own
// loader (parse, migrate, validate), state.db through StateDatabase (its migrations, the audit
// chain), logs.db with SQLite's WAL recovery, the compiled list cache through its reader.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { readConfigFile } from '../../firmware/config/store.ts';
import { CacheCorrupt, readCacheBin, readCacheMeta } from '../../firmware/rules/compiled-cache.ts';
import { StateDatabase } from '../../firmware/state/database.ts';
import { auditKey, type Observed } from './ledger.ts';

export interface StoreCheck {
  /** What each store that did not open cleanly said (empty: all clean). */
  corrupt: string[];
  /** What they hold, as far as they could be read. */
  observed: Observed;
}

function integrity(file: string): string | undefined {
  const db = new DatabaseSync(file);
  try {
    const rows = db.prepare('PRAGMA integrity_check').all().map((r) => String(Object.values(r)[0]));
    return rows.length === 1 && rows[0] === 'ok' ? undefined : rows.slice(0, 5).join('; ');
  } finally {
    db.close();
  }
}

/** Checks every store in `dataDir`; `network` is the DHCP network whose leases are the soak's. */
export async function checkStores(dataDir: string, configFile: string, network: string): Promise<StoreCheck> {
  const corrupt: string[] = [];
  const observed: Observed = { reservations: new Map(), leases: new Map(), vouchers: new Set(), alerts: new Map(), audit: new Set(), queryEvents: 0 };
  const attempt = async (store: string, read: () => void | Promise<void>): Promise<void> => {
    try {
      await read();
    } catch (error) {
      corrupt.push(`${store}: ${(error as Error).message}`);
    }
  };

  await attempt('config.json', async () => {
    const config = await readConfigFile(configFile);
    observed.reservations = new Map((config.reservations ?? []).map((r) => [r.mac, r.address]));
  });

  // A daemon killed before it made a database leaves none: nothing of it was acknowledged.
  const stateFile = join(dataDir, 'state.db');
  if (existsSync(stateFile)) await attempt('state.db', () => {
    const file = stateFile;
    const problem = integrity(file);
    if (problem) throw new Error(`integrity_check: ${problem}`);
    const state = StateDatabase.open(file);
    try {
      const chain = state.audit.verify();
      if (!chain.ok) throw new Error(`the audit chain breaks at entry ${chain.brokenAt}: ${chain.reason}`);
      observed.leases = new Map(state.leases.list({ networkId: network }).map((l) => [l.mac, l.address]));
      observed.vouchers = new Set(state.vouchers.list(new Date()).map((v) => v.id));
      observed.alerts = new Map(state.alerts.list({ all: true, limit: 10_000 }).map((a) => [a.id, { count: a.count, acknowledged: a.status === 'acknowledged' }]));
      observed.audit = new Set([...state.audit.export()].map((e) => auditKey(e.action, e.subject ?? '')));
    } finally {
      state.close();
    }
  });

  const logsFile = join(dataDir, 'logs.db');
  if (existsSync(logsFile)) await attempt('logs.db', () => {
    const file = logsFile;
    const problem = integrity(file);
    if (problem) throw new Error(`integrity_check: ${problem}`);
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      // Killed before its first migration committed: an empty database, which the next start migrates.
      const made = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'query_events'").get() !== undefined;
      const version = Number(db.prepare('PRAGMA user_version').get()!.user_version);
      if (!made && version !== 0) throw new Error(`schema version ${version} but no query_events table`);
      observed.queryEvents = made ? Number(db.prepare('SELECT count(*) AS n FROM query_events').get()!.n) : 0;
    } finally {
      db.close();
    }
  });

  // No cache at all is fine (the next start compiles and writes one); a cache that is there but
  // unreadable means a write of it was not atomic.
  await attempt('compiled list cache', async () => {
    const dir = join(dataDir, 'compiled');
    try {
      const meta = await readCacheMeta(dir);
      if (meta) await readCacheBin(dir, meta);
    } catch (error) {
      if (error instanceof CacheCorrupt) throw error;
      throw new Error(`cannot be read: ${(error as Error).message}`);
    }
  });
  return { corrupt, observed };
}
