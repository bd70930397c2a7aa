// `schoolgate vouchers`: the office's and technicians' side of the visitor portal: issue a code
// (printed once: only its keyed hash is kept), list vouchers (never with codes), revoke one
// (every device signed in with it is off at once). Audited under the SSH user's name.
import { callDaemon } from '../../control/client.ts';
import { formatRate, parseRate } from '../../net/shaping/rates.ts';
import type { VoucherGroupIssued, VoucherGroupParams, VoucherGroupRevoked, VoucherGroupsView, VoucherIssued, VoucherIssueParams, VoucherRevoked, VouchersView } from '../../portal/vouchers/methods.ts';
import type { BandwidthTier, Voucher, VoucherKind } from '../../portal/vouchers/schema.ts';
import { parseDuration } from '../duration.ts';
import { dataDirHelp, dataDirOption, EXIT, printResult, socketOf, UsageError, type Command, type OptionValues } from '../command.ts';
import { table } from '../table.ts';

/** "5mbit/1mbit": download/upload; "-" on a side leaves that direction to the guest policy. */
export function parseTier(text: string): BandwidthTier {
  const [down, up, extra] = text.split('/');
  if (down === undefined || up === undefined || extra !== undefined) throw new UsageError(`--tier is DOWN/UP, e.g. 5mbit/1mbit or 2mbit/- (got "${text}")`);
  const one = (side: string): number | null => {
    if (side.trim() === '-') return null;
    try {
      return parseRate(side);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  };
  return { downKbit: one(down), upKbit: one(up) };
}

function tierText(tier: BandwidthTier): string {
  if (tier.downKbit === null && tier.upKbit === null) return 'guest policy';
  return `${tier.downKbit === null ? '-' : formatRate(tier.downKbit)}/${tier.upKbit === null ? '-' : formatRate(tier.upKbit)}`;
}

function stateOf(v: Pick<Voucher, 'revokedAt' | 'validFrom' | 'validUntil'>, now: number): string {
  if (v.revokedAt !== null) return 'revoked';
  if (Date.parse(v.validUntil) <= now) return 'ended';
  if (Date.parse(v.validFrom) > now) return 'not yet';
  return 'valid';
}

export function formatVouchers(view: VouchersView, now = Date.now()): string {
  if (view.vouchers.length === 0) return 'No vouchers in force (--all lists ended and revoked ones too).\n';
  const rows = [['ID', 'KIND', 'FOR', 'STATE', 'VALID FROM', 'VALID UNTIL', 'DEVICES', 'TIER', 'POLICY', 'ISSUED BY']];
  for (const v of view.vouchers) {
    rows.push([String(v.id), v.kind, v.label ?? '-', stateOf(v, now), v.validFrom.slice(0, 16).replace('T', ' '), v.validUntil.slice(0, 16).replace('T', ' '),
      `${v.devicesNow}/${v.maxDevices}`, tierText(v.tier), v.policyId ?? 'guest network\'s', v.issuedBy]);
  }
  return `${table(rows)}\nTimes are UTC. Codes are never shown again after issue.\n`;
}

function formatIssued(r: VoucherIssued): string {
  const v = r.voucher;
  return `Voucher ${v.id}${v.label ? ` for ${v.label}` : ''}:

    ${r.code}

Valid ${v.validFrom.slice(0, 16).replace('T', ' ')} to ${v.validUntil.slice(0, 16).replace('T', ' ')} UTC, up to ${v.maxDevices} device${v.maxDevices === 1 ? '' : 's'}, bandwidth: ${tierText(v.tier)}.
${v.policyId ? `Filtered under policy "${v.policyId}" while signed in (the firewall stays the guest network's: HTTP/HTTPS only).` : 'Filtered under the guest network\'s policy.'}
Give the code to the visitor now: it is not stored and cannot be shown again.
Recorded in the audit log under your name.
`;
}

export function formatGroupIssued(r: VoucherGroupIssued): string {
  const g = r.group;
  return `Voucher group ${g.id}, ${g.count} code${g.count === 1 ? '' : 's'} for ${g.name}:

${r.codes.map((c) => `    ${c.code}`).join('\n')}

Valid ${g.validFrom.slice(0, 16).replace('T', ' ')} to ${g.validUntil.slice(0, 16).replace('T', ' ')} UTC, up to ${g.maxDevices} device${g.maxDevices === 1 ? '' : 's'} each.
Hand the codes out now: they are not stored and cannot be shown again (the web UI's Event vouchers page prints them as slips).
Recorded in the audit log under your name.
`;
}

export function formatGroups(view: VoucherGroupsView, now = Date.now()): string {
  if (view.groups.length === 0) return 'No voucher groups.\n';
  const rows = [['ID', 'EVENT', 'STATE', 'VALID FROM', 'VALID UNTIL', 'CODES', 'DEVICES NOW', 'ISSUED BY']];
  for (const g of view.groups) {
    rows.push([String(g.id), g.name, stateOf(g, now), g.validFrom.slice(0, 16).replace('T', ' '), g.validUntil.slice(0, 16).replace('T', ' '),
      String(g.count), String(g.devicesNow), g.issuedBy]);
  }
  return `${table(rows)}\nTimes are UTC.\n`;
}

function formatRevoked(r: VoucherRevoked): string {
  const off = r.enforced ? '' : '\nNetwork enforcement is switched off (firewall.enabled): recorded, and nothing to remove.';
  return `Voucher ${r.voucher.id} revoked (${r.voucher.revokeReason ?? ''}): ${r.ended.length} device${r.ended.length === 1 ? '' : 's'} signed out at once${r.ended.length ? `: ${r.ended.map((d) => d.mac).join(', ')}` : ''}.${off}\nRecorded in the audit log under your name.\n`;
}

export const vouchers: Command = {
  positionals: true,
  summary: 'visitor vouchers: issue a code or a group of them, list them, revoke one or a group',
  usage: `schoolgate vouchers [--all] [--json]
schoolgate vouchers issue [--valid 8h] [--devices 2] [--tier 5mbit/1mbit] [--for "NAME"] [--kind single|group|regular] [--policy ID] [--json]
schoolgate vouchers issue --group "EVENT" --count N [--valid 3h] [--devices 1] [--json]
schoolgate vouchers groups [--json]
schoolgate vouchers revoke ID --reason "TEXT" [--json]
schoolgate vouchers revoke --group ID --reason "TEXT" [--json]

A visitor signs in on the guest Wi-Fi's portal with a voucher's code. Issue prints the code once:
only a keyed hash of it is stored, so write it down or hand it over now. A voucher works from now
(for --valid, default 8h) on up to --devices devices at once (default 1); a phone that changes its
random MAC signs in again within that number. --tier caps each device's download/upload ("-"
leaves a direction to the guest policy). Revoke signs every device out at once. Issue and revoke
are recorded in the audit log under your name.

${dataDirHelp}
      --all            list ended and revoked vouchers too
      --valid DURATION how long it works from now: 30m, 8h, 3d, 12w (at most 366d)
      --devices N      how many devices at once (1-500)
      --for NAME       who it is for, as the office records it
      --kind K         single (default), group (an event) or regular (a named visitor)
      --group EVENT    with issue: --count codes for an event, recorded as one group;
                       with revoke: the group's ID, every code of it revoked at once
      --count N        how many codes for the group (1-200)
      --policy ID      the policy its devices' DNS is filtered under instead of the guest
                       network's, while signed in (an existing policy; the firewall stays
                       the guest network's: HTTP/HTTPS only)
      --reason TEXT    why it is revoked (required)
      --json           print the result as JSON`,
  options: {
    ...dataDirOption, all: { type: 'boolean' }, json: { type: 'boolean' }, valid: { type: 'string' }, devices: { type: 'string' },
    tier: { type: 'string' }, for: { type: 'string' }, kind: { type: 'string' }, policy: { type: 'string' }, reason: { type: 'string' },
    group: { type: 'string' }, count: { type: 'string' },
  },
  async run(values, positionals) {
    const [action, ...rest] = positionals;
    const socket = socketOf(values);
    if (action === undefined || action === 'list') {
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
      const view = await callDaemon(socket, 'vouchers', values.all ? { all: true } : {}) as VouchersView;
      printResult(values, view, formatVouchers(view));
      return EXIT.ok;
    }
    if (action === 'issue') {
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}" (quote a name with spaces: --for "Ms A Patel")`);
      let validSeconds: number;
      try {
        validSeconds = parseDuration(typeof values.valid === 'string' ? values.valid : '8h');
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const devices = typeof values.devices === 'string' ? Number(values.devices) : 1;
      if (!Number.isInteger(devices) || devices < 1 || devices > 500) throw new UsageError(`--devices is a whole number from 1 to 500 (got "${String(values.devices)}")`);
      if (typeof values.group === 'string') {
        const count = Number(values.count);
        if (!Number.isInteger(count) || count < 1 || count > 200) throw new UsageError(`--group needs --count, a whole number from 1 to 200 (got "${String(values.count ?? '')}")`);
        const params: VoucherGroupParams = {
          name: values.group, count, validSeconds, maxDevices: devices, ...(typeof values.tier === 'string' ? { tier: parseTier(values.tier) } : {}),
          ...(typeof values.policy === 'string' ? { policyId: values.policy } : {}),
        };
        const issued = await callDaemon(socket, 'vouchers.issue-group', params) as VoucherGroupIssued;
        printResult(values, issued, formatGroupIssued(issued));
        return EXIT.ok;
      }
      const kind = typeof values.kind === 'string' ? values.kind : 'single';
      if (!['single', 'group', 'regular'].includes(kind)) throw new UsageError(`--kind is single, group or regular (got "${kind}")`);
      const params: VoucherIssueParams = {
        kind: kind as VoucherKind, validSeconds, maxDevices: devices,
        ...(typeof values.for === 'string' ? { label: values.for } : {}),
        ...(typeof values.tier === 'string' ? { tier: parseTier(values.tier) } : {}),
        ...(typeof values.policy === 'string' ? { policyId: values.policy } : {}),
      };
      const issued = await callDaemon(socket, 'vouchers.issue', params) as VoucherIssued;
      printResult(values, issued, formatIssued(issued));
      return EXIT.ok;
    }
    if (action === 'groups') {
      const view = await callDaemon(socket, 'vouchers.groups', {}) as VoucherGroupsView;
      printResult(values, view, formatGroups(view));
      return EXIT.ok;
    }
    if (action === 'revoke' && typeof values.group === 'string') {
      const id = Number(values.group);
      if (rest.length > 0 || !Number.isInteger(id) || id < 1) throw new UsageError('revoke --group needs the group\'s ID (schoolgate vouchers groups lists them)');
      if (typeof values.reason !== 'string' || values.reason.trim() === '') throw new UsageError('revoke needs --reason "TEXT" (it is kept with the vouchers and in the audit log)');
      const revoked = await callDaemon(socket, 'vouchers.revoke-group', { id, reason: values.reason }) as VoucherGroupRevoked;
      const off = revoked.enforced ? '' : '\nNetwork enforcement is switched off (firewall.enabled): recorded, and nothing to remove.';
      printResult(values, revoked, `Voucher group ${revoked.group.id} (${revoked.group.name}) revoked: ${revoked.ended.length} device${revoked.ended.length === 1 ? '' : 's'} signed out at once.${off}\nRecorded in the audit log under your name.\n`);
      return EXIT.ok;
    }
    if (action === 'revoke') {
      if (rest.length !== 1) throw new UsageError('revoke needs the voucher\'s ID (schoolgate vouchers lists them)');
      const id = Number(rest[0]);
      if (!Number.isInteger(id) || id < 1) throw new UsageError(`"${rest[0]}" is not a voucher ID`);
      if (typeof values.reason !== 'string' || values.reason.trim() === '') throw new UsageError('revoke needs --reason "TEXT" (it is kept with the voucher and in the audit log)');
      const revoked = await callDaemon(socket, 'vouchers.revoke', { id, reason: values.reason }) as VoucherRevoked;
      printResult(values, revoked, formatRevoked(revoked));
      return EXIT.ok;
    }
    throw new UsageError(`unknown action "${action}": issue, revoke, groups, or nothing to list`);
  },
};
