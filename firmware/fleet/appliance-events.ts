// Upgrades and backups as messages of their own (MSGID "upgrade" and "backup"), made from the
// audit entries that record them, so a trust's collector can follow every school's releases and
// backups by one stable MSGID and the `event` param, without parsing audit text. Pure. The audit
// entry itself still goes out as an "audit" message when audit forwarding is on; these go out
// whenever syslog is (docs/fleet.md).
import { basename } from 'node:path';
import type { AuditEntry } from '../control/audit-chain.ts';
import { inertLine } from '../monitor/alerts/delivery/inert-text.ts';
import type { GatewayEvent } from './gateway-events.ts';
import type { SyslogSeverity } from './syslog-message.ts';

/** The `event` param of an "upgrade" message. */
export type UpgradeEventName = 'requested' | 'switched' | 'rolled-back' | 'refused' | 'failed';
/** The `event` param of a "backup" message. */
export type BackupEventName = 'created' | 'failed' | 'restored';

type Details = Record<string, unknown>;
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');

function event(entry: AuditEntry, type: 'upgrade' | 'backup', name: string, severity: SyslogSeverity,
  params: (readonly [string, string])[], line: string): GatewayEvent {
  return {
    at: new Date(entry.at),
    type,
    severity,
    params: [['event', name], ...params, ['actor', entry.actor], ['seq', String(entry.seq)]],
    // The whole line inert, as the audit messages' are: a file or a reason must not become a link.
    text: inertLine(`${line} (${entry.actor})`, 2000),
  };
}

function upgradeEvent(entry: AuditEntry, d: Details): GatewayEvent | undefined {
  const reason = text(d.reason);
  const why = reason === '' ? '' : `: ${reason}`;
  switch (entry.action) {
    case 'upgrade.request': {
      const to = entry.subject ?? '';
      return event(entry, 'upgrade', 'requested', 'notice', [['from', text(d.from)], ['to', to], ['force', d.force === true ? 'true' : '']],
        `upgrade from ${text(d.from)} to ${to} requested${d.force === true ? ' (forced)' : ''}`);
    }
    case 'upgrade.refused': {
      // Refused by the daemon: a release that fails its checks (subject: why), or no backup could be made first.
      const to = text(d.version);
      return event(entry, 'upgrade', 'refused', 'warning', [['to', to], ['code', entry.subject ?? ''], ['reason', reason]],
        `upgrade${to === '' ? '' : ` to ${to}`} refused${why}`);
    }
    case 'upgrade.result': {
      const from = text(d.from);
      const to = text(d.to);
      const restored = d.restored === undefined ? '' : String(d.restored === true);
      const params: (readonly [string, string])[] = [['from', from], ['to', to], ['id', entry.subject ?? ''], ['reason', reason], ['restored', restored]];
      if (d.outcome === 'installed') return event(entry, 'upgrade', 'switched', 'notice', params, `upgraded from ${from} to ${to}: switched, and it answers`);
      if (d.outcome === 'rolled-back') {
        const back = d.restored === false ? `; ${from} did NOT answer again` : `; ${from} answers again`;
        return event(entry, 'upgrade', 'rolled-back', d.restored === false ? 'crit' : 'err', params, `upgrade from ${from} to ${to} ROLLED BACK${why}${back}`);
      }
      const name: UpgradeEventName = d.outcome === 'refused' ? 'refused' : 'failed';
      return event(entry, 'upgrade', name, 'warning', params, `upgrade from ${from} to ${to} ${name}${why}`);
    }
    default:
      return undefined;
  }
}

function backupEvent(entry: AuditEntry, d: Details): GatewayEvent | undefined {
  const before = text(d.beforeUpgradeTo);
  const forUpgrade = before === '' ? '' : ` before upgrading to ${before}`;
  switch (entry.action) {
    case 'backup.create':
      return event(entry, 'backup', 'created', 'notice', [['file', entry.subject ?? ''], ['size', text(d.size)], ['beforeUpgradeTo', before]],
        `backup ${entry.subject ?? ''} made${forUpgrade}, ${text(d.size)} bytes`);
    case 'backup.failed':
      return event(entry, 'backup', 'failed', 'err', [['reason', text(d.reason)], ['beforeUpgradeTo', before]],
        `backup${forUpgrade} FAILED: ${text(d.reason)}`);
    case 'backup.restore': {
      // The subject is the path the technician gave; the collector needs the backup's name, not the box's folders.
      const file = basename(entry.subject ?? '');
      return event(entry, 'backup', 'restored', 'warning', [['file', file], ['createdAt', text(d.createdAt)], ['firmwareVersion', text(d.firmwareVersion)]],
        `backup ${file} (made ${text(d.createdAt)} by Schoolgate ${text(d.firmwareVersion)}) RESTORED`);
    }
    default:
      return undefined;
  }
}

/** The "upgrade" or "backup" message an audit entry stands for; undefined for any other entry. */
export function applianceEvent(entry: AuditEntry): GatewayEvent | undefined {
  const details = entry.details !== null && typeof entry.details === 'object' && !Array.isArray(entry.details) ? entry.details as Details : {};
  if (entry.action.startsWith('upgrade.')) return upgradeEvent(entry, details);
  if (entry.action.startsWith('backup.')) return backupEvent(entry, details);
  return undefined;
}

/**
 * Entries written while the daemon was stopped, which its audit cursor (starting at the log's end)
 * would never see: a restore (done with the service stopped) and a backup made without the daemon.
 * They are the tail after the last daemon.start or daemon.stop; in a restored state.db that tail
 * also holds the backed-up daemon's own entries, which were forwarded at the time, so only these
 * kinds count.
 */
export function madeWhileStopped(tail: readonly AuditEntry[]): AuditEntry[] {
  let from = 0;
  tail.forEach((e, i) => {
    if (e.action === 'daemon.start' || e.action === 'daemon.stop') from = i + 1;
  });
  return tail.slice(from).filter((e) => e.action === 'backup.restore'
    || (e.action === 'backup.create' && (e.details as Details | null)?.offline === true));
}
