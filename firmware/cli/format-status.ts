// `schoolgate status` for a person on an SSH session: short, aligned, no colour codes to garble logs.
import type { DaemonStatus } from '../status.ts';
import { formatEntry } from './commands/upgrade.ts';
import { backupStatusLine } from './format-backup.ts';
import { table } from './table.ts';

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return [d ? `${d}d` : '', h ? `${h}h` : '', `${m}m`, d ? '' : `${Math.floor(seconds % 60)}s`].filter(Boolean).join(' ');
}

export function formatStatus(s: DaemonStatus): string {
  const networks = table([
    ['NETWORK', 'KIND', 'SUBNETS', 'INTERFACE', 'POLICY', 'DNS QUESTIONS'],
    ...s.networks.map((n) => [
      n.enabled ? n.id : `${n.id} (off)`, n.kind, n.subnets.join(' '), n.interface, n.policy, String(s.dns.counters.byNetwork[n.id] ?? 0),
    ]),
  ]);
  const verdicts = Object.entries(s.dns.counters.byVerdict).map(([v, c]) => `${v} ${c}`).join(', ') || 'none yet';
  return `Schoolgate ${s.version} at ${s.site}: running for ${duration(s.uptimeSeconds)} (pid ${s.pid}, Node ${s.node})
${attentionBlock(s.attention)}  data      ${s.dataDir}
  config    ${s.configFile}
  admin     ${adminLine(s.admin)}
  dns       ${s.dns.listening.map((l) => `${l.transport} ${l.address}:${l.port}`).join(', ')}; UDP ${s.dns.udpIo.mode === 'batched' ? 'batched (netio)' : `through dgram${s.dns.udpIo.reason ? ` (${s.dns.udpIo.reason})` : ''}`}
  upstream  ${upstreams(s.dns)}
  answers   ${verdicts}
  state     schema ${s.state.schemaVersion}, ${s.state.devices} devices, ${s.state.auditEntries} audit entries
  memory    ${memory(s.memory, s.dns.matcher.bytes)}
  log       ${queryLog(s.queryLog)}
  loop      event-loop delay p99 ${s.eventLoopDelayMs.p99.toFixed(1)} ms, max ${s.eventLoopDelayMs.max.toFixed(1)} ms
  dhcp      ${dhcpLine(s.dhcp)}
  firewall  ${firewallLine(s.firewall)}
  shaping   ${shapingLine(s.shaping)}
  alerts    ${alertsLine(s.alerts)}${syslogLines(s.fleet)}${vouchersLine(s.vouchers)}${releaseLines(s.release)}${s.backups ? `\n  backup    ${backupStatusLine(s.backups)}` : ''}

${networks}
${dhcpPools(s.dhcp)}`;
}

/** First, so an SSH session sees what to do before the figures; nothing when all is well. */
export function attentionBlock(items: DaemonStatus['attention']): string {
  if (!items || items.length === 0) return '';
  const each = items.map((a) => {
    const where = [a.command, a.page === null ? null : `web UI ${a.page}`].filter((w) => w !== null).join('; ');
    return `  * ${a.problem}
    ${a.todo}${where === '' ? '' : ` (${where})`}
`;
  });
  return `\nNEEDS ATTENTION\n${each.join('')}\n`;
}

function releaseLines(r: DaemonStatus['release']): string {
  if (!r) return '';
  const running = r.installed
    ? `${r.version} ${r.arch}, installed ${r.installedAt === null ? '?' : `${r.installedAt.replace('T', ' ').slice(0, 19)} UTC`} in ${r.path}`
    : `${r.version} ${r.arch}, a development checkout (${r.path}), not an installed release`;
  return `\n  release   ${running}\n  upgrade   ${r.lastUpgrade === null ? 'none yet' : formatEntry(r.lastUpgrade)}`;
}

function adminLine(a: DaemonStatus['admin']): string {
  const parts = [a.url, ...(a.https?.urls ?? [])];
  let line = parts.join(', ');
  if (a.https) line += `\n            certificate SHA-256 ${a.https.fingerprint}`;
  if (a.setupCode) line += `\n            first-run setup code ${a.setupCode} (no account yet: open the admin page to set up)`;
  return line;
}

function shapingLine(s: DaemonStatus['shaping']): string {
  if (!s?.enabled) return 'off (with the firewall)';
  if (s.error) return `LAST CHANGE FAILED (the next one rebuilds it): ${s.error}`;
  const what = s.engine === null ? 'not applied yet' : `${s.engine.toUpperCase()}: ${s.why ?? ''}`;
  return `${what}; ${s.devices.length} capped device${s.devices.length === 1 ? '' : 's'} (schoolgate net show)`;
}

/** Only when a voucher names a policy: the line is about guests filtered other than their network says. */
function vouchersLine(v: DaemonStatus['vouchers']): string {
  if (!v || (v.devices === 0 && v.missing.length === 0)) return '';
  const gone = v.missing.map((m) => `voucher ${m.voucherId} names policy "${m.policyId}", which no longer exists: its ${m.devices} device${m.devices === 1 ? ' gets' : 's get'} the guest network's policy`);
  return `\n  vouchers  ${v.devices} guest device${v.devices === 1 ? '' : 's'} filtered under their voucher's policy${gone.map((g) => `\n            ${g}`).join('')}`;
}

function alertsLine(a: DaemonStatus['alerts']): string {
  if (!a) return '-';
  const open = `${a.open.critical} critical, ${a.open.high} high, ${a.open.medium} medium, ${a.open.low} low open (schoolgate alerts)`;
  const sent = a.delivery ? `; ${a.deliveries} sent${a.deliveryFailures ? `, ${a.deliveryFailures} FAILED` : ''}` : '; stored only: no e-mail or webhook delivery';
  return `${open}${sent}`;
}

/** Only when syslog is configured: each collector's state, queue and losses. */
function syslogLines(f: DaemonStatus['fleet']): string {
  if (!f || f.collectors.length === 0) return '';
  const each = f.collectors.map((c) => {
    const state = c.state === 'connected' ? `connected since ${c.connectedSince ?? '?'}` : c.state.toUpperCase();
    const error = c.lastError !== null && c.state !== 'connected' ? `: ${c.lastError}` : '';
    return `${c.collector} ${state}${error}; ${c.sent} sent, ${c.queued} queued${c.dropped > 0 ? `, ${c.dropped} DROPPED (queue full)` : ''}${c.failures > 0 ? `, ${c.failures} connection failures` : ''}`;
  });
  return `\n  syslog    school ${f.school ?? '-'}: ${each.join('\n            ')}`;
}

function firewallLine(f: DaemonStatus['firewall']): string {
  if (!f?.enabled) return 'off (firewall.enabled): only DNS filters';
  if (f.error) return `LAST APPLY FAILED, the previous ruleset stays in force: ${f.error}`;
  return f.appliedAt ? `nftables table inet schoolgate applied ${f.appliedAt} in ${f.applyMs} ms (schoolgate net show)` : 'not applied yet';
}

function dhcpLine(d: DaemonStatus['dhcp']): string {
  if (!d.enabled) return 'off (no network has dhcp.enabled)';
  const malformed = Object.values(d.malformed).reduce((a, b) => a + b, 0);
  const parts = [`${d.networks.length} network${d.networks.length === 1 ? '' : 's'}`, `${malformed} malformed packets ignored`];
  if (d.rogue.sightings > 0) parts.push(`ANOTHER DHCP SERVER SEEN ${d.rogue.sightings} times (see the network events)`);
  if (d.storeFailures > 0) parts.push(`${d.storeFailures} leases could not be stored`);
  if (d.sendErrors > 0) parts.push(`${d.sendErrors} replies could not be sent`);
  const inUse = d.networks.reduce((sum, n) => sum + n.arpProbe.inUse, 0);
  if (inUse > 0) parts.push(`${inUse} pool addresses found in use by devices without a lease (see the network events)`);
  for (const n of d.networks) if (!n.arpProbe.on) parts.push(`no ARP probe on ${n.id} (${n.arpProbe.reason ?? 'off'})`);
  return parts.join(', ');
}

function dhcpPools(d: DaemonStatus['dhcp']): string {
  if (d.networks.length === 0) return '';
  const rows = d.networks.map((n) => [
    n.id, n.interface, String(n.poolSize), String(n.used), String(n.free), String(n.reservations),
    String(n.outcomes.ack ?? 0), String((n.outcomes['rate-limited'] ?? 0) + (n.outcomes['pool-exhausted'] ?? 0)),
  ]);
  return `\n${table([['DHCP POOL', 'INTERFACE', 'SIZE', 'USED', 'FREE', 'RESERVED', 'ACKS', 'REFUSED'], ...rows])}\n`;
}

function upstreams(dns: DaemonStatus['dns']): string {
  if (dns.upstreams.length === 0) return 'none: every forwarded question is answered SERVFAIL';
  const each = dns.upstreams.map((u) => {
    const endpoint = `${u.address.includes(':') ? `[${u.address}]` : u.address}:${u.port}`;
    // The system resolvers are named after their address: say it once.
    const named = dns.upstreamSource === 'system' ? endpoint : `${u.name} ${endpoint}`;
    return `${named}${u.failing ? ' FAILING' : ''}`;
  });
  return `${each.join(', ')}${dns.upstreamSource === 'system' ? ' (from /etc/resolv.conf)' : ''}`;
}

const mb = (bytes: number): string => `${Math.round(bytes / 1048576)} MB`;

function memory(m: DaemonStatus['memory'], listBytes: number): string {
  return `${mb(m.rssBytes)} resident (V8 heap ${mb(m.heapUsedBytes)} of ${mb(m.heapTotalBytes)}, compiled lists ${mb(listBytes)}; ${m.form === 'built' ? 'built JavaScript' : 'TypeScript sources'})`;
}

const WRITER: Record<DaemonStatus['queryLog']['writer'], string> = {
  idle: 'writer on spare CPU only (idle class)',
  'catching-up': 'writer catching up (normal class until it has)',
  normal: 'writer in the normal class',
};

function queryLog(q: DaemonStatus['queryLog']): string {
  const behind = q.writerFellBehind > 0 ? `, fell behind ${q.writerFellBehind} times` : '';
  return `${q.written} events written, ${q.writeErrors} write errors; ${WRITER[q.writer]}${q.writerReason ? `: ${q.writerReason}` : ''}${behind}`;
}
