// What needs a technician's or the head's attention, each with what to do and where: the rules
// behind `schoolgate status`'s "needs attention" block, the health page's problems and the
// dashboard's health summary, so the three never disagree. Pure: the status, the lists'
// freshness, the time and the school's time zone come in as arguments.
import type { ListFreshness } from '../admin/api/dashboard-schema.ts';
import type { DaemonStatus } from '../status.ts';
import type { Attention } from './attention-schema.ts';

/** A newest backup older than this is stale: the nightly one has been missing for a night or more. */
export const STALE_BACKUP_MS = 2 * 24 * 3600_000;

export interface AttentionSource {
  status: Omit<DaemonStatus, 'attention'>;
  lists: readonly ListFreshness[];
  now: Date;
  timezone: string;
}

const PASSPHRASE_COMMAND = 'schoolgate backup passphrase --passphrase-file FILE';

function at(iso: string, timezone: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(d);
}

function age(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  return days >= 1 ? `${days} day${days === 1 ? '' : 's'}` : `${Math.floor(ms / 3600_000)} hours`;
}

function backupProblems(b: NonNullable<DaemonStatus['backups']>, now: Date, timezone: string): Attention[] {
  const out: Attention[] = [];
  if (!b.passphraseSet) {
    out.push({
      id: 'backup.no-passphrase',
      problem: 'No backup passphrase is stored: no nightly backup is made, and an upgrade is refused (a backup is made before every one).',
      todo: 'Store a backup passphrase, and keep a copy of it away from the gateway: without it no backup can be restored.',
      page: '/backups', command: PASSPHRASE_COMMAND,
    });
  }
  if (b.lastScheduled !== null && b.lastScheduled.outcome === 'failed') {
    out.push({
      id: 'backup.nightly-failed',
      problem: `The last nightly backup (${at(b.lastScheduled.at, timezone)}) failed: ${b.lastScheduled.message.replace(/^failed: /, '')}`,
      todo: 'Put right what it names, then make a backup now to see that it works.',
      page: '/backups', command: 'schoolgate backup create',
    });
  }
  // Without a passphrase nothing is made: the passphrase's problem says so, not a second one.
  if (b.passphraseSet && b.latest === null) {
    out.push({
      id: 'backup.none',
      problem: 'No backup has been made yet.',
      todo: `Make one now rather than wait for the schedule (${b.schedule}).`,
      page: '/backups', command: 'schoolgate backup create',
    });
  } else if (b.passphraseSet && b.latest !== null) {
    const made = Date.parse(b.latest.createdAt);
    if (Number.isFinite(made) && now.getTime() - made > STALE_BACKUP_MS) {
      out.push({
        id: 'backup.stale',
        problem: `The newest backup is ${age(now.getTime() - made)} old (${at(b.latest.createdAt, timezone)}): the nightly ones are not being made.`,
        todo: 'Make a backup now and see whether it works; the Backups page says why the last nightly one was not made.',
        page: '/backups', command: 'schoolgate backup create',
      });
    }
  }
  if (b.latest !== null && !b.latest.ok) {
    out.push({
      id: 'backup.unreadable',
      problem: `The newest backup, ${b.latest.file}, failed its check: ${b.latest.check}`,
      todo: 'Make a new backup: this one may not restore.',
      page: '/backups', command: 'schoolgate backup create',
    });
  }
  return out;
}

function upgradeProblems(r: NonNullable<DaemonStatus['release']>, timezone: string): Attention[] {
  const last = r.lastUpgrade;
  if (last === null) return [];
  const from = last.from ?? 'the previous release';
  const why = last.reason ? `: ${last.reason}` : '';
  if (last.outcome === 'rolled-back') {
    const back = last.restored === false
      ? ` ${from} did not answer again either.`
      : ` ${from} runs again.`;
    return [{
      id: 'upgrade.rolled-back',
      problem: `The upgrade to ${last.to} (${at(last.at, timezone)}) was rolled back to ${from}${why}.${back}`,
      todo: last.restored === false
        ? 'Check the gateway now: DNS, the control socket or the web UI did not come back.'
        : `Find out why before trying ${last.to} again: the upgrade history has its checks.`,
      page: '/upgrade', command: 'schoolgate upgrade status',
    }];
  }
  if (last.outcome === 'failed') {
    return [{
      id: 'upgrade.failed',
      problem: `The upgrade to ${last.to} (${at(last.at, timezone)}) failed${why}.`,
      todo: 'See which release runs now, and put right what it names before trying again.',
      page: '/upgrade', command: 'schoolgate upgrade status',
    }];
  }
  return [];
}

function serviceProblems(s: AttentionSource['status'], lists: readonly ListFreshness[]): Attention[] {
  const out: Attention[] = [];
  const failing = s.dns.upstreams.filter((u) => u.failing).map((u) => u.name);
  if (s.dns.upstreams.length > 0 && failing.length === s.dns.upstreams.length) {
    out.push({
      id: 'dns.upstreams-failing', problem: 'Every upstream resolver is failing: devices get no answers from the internet.',
      todo: "Check the gateway's uplink, and the resolvers chosen on the Networks page.", page: '/networks', command: null,
    });
  } else if (failing.length > 0) {
    out.push({
      id: 'dns.upstream-failing', problem: `Upstream resolver failing: ${failing.join(', ')}.`,
      todo: 'The others answer meanwhile; check that resolver, or choose another on the Networks page.', page: '/networks', command: null,
    });
  }
  if (s.queryLog.writeErrors > 0) {
    out.push({
      id: 'query-log.write-errors', problem: `The query log lost ${s.queryLog.writeErrors} batches to write errors.`,
      todo: "Check the data directory's disk has room.", page: null, command: `df -h ${s.dataDir}`,
    });
  }
  if (s.firewall?.error) {
    out.push({
      id: 'firewall.refused', problem: `The firewall's last change was refused: ${s.firewall.error}`,
      todo: 'The previous ruleset stays in force; put right the network settings it names.', page: '/networks', command: 'schoolgate net show',
    });
  }
  if (s.shaping?.error) {
    out.push({
      id: 'shaping.failed', problem: `Bandwidth shaping failed: ${s.shaping.error}`,
      todo: 'The next change rebuilds it; if it fails again, see what is applied.', page: null, command: 'schoolgate net show',
    });
  }
  if (s.dhcp.storeFailures > 0) {
    out.push({
      id: 'dhcp.store-failures', problem: `${s.dhcp.storeFailures} DHCP leases could not be stored.`,
      todo: "Check the data directory's disk has room.", page: null, command: `df -h ${s.dataDir}`,
    });
  }
  const failed = lists.filter((l) => l.failed);
  if (failed.length > 0) {
    out.push({
      id: 'lists.failed', problem: `${failed.length === 1 ? 'A list has' : `${failed.length} lists have`} a problem: ${failed.map((l) => l.name).join(', ')}.`,
      todo: 'The last good copy of each stays in service; see why on the Lists page.', page: '/lists', command: 'schoolgate lists',
    });
  }
  return out;
}

/** Everything that needs attention now, what stops the school's internet first, then the appliance's care. */
export function needsAttention(source: AttentionSource): Attention[] {
  const { status, now, timezone } = source;
  return [
    ...serviceProblems(status, source.lists),
    ...(status.release ? upgradeProblems(status.release, timezone) : []),
    ...(status.backups ? backupProblems(status.backups, now, timezone) : []),
  ];
}
