// `schoolgate devices`: every device the leases have shown the gateway, and the two things a
// technician sets on one (a friendly name, a device group). Changes go through the running
// daemon, so DNS applies a new group at once and the audit log records who made it.
import { callDaemon, ControlCallError } from '../../control/client.ts';
import { CHANGE_REQUEST_NEEDED } from '../../control/changes/device-move.ts';
import type { DevicesView, SuspensionResult } from '../../dhcp/device-methods.ts';
import { parseDuration } from '../duration.ts';
import type { CapResultView, DeviceCapParams } from '../../net/shaping/cap-methods.ts';
import { formatRate, parseRate } from '../../net/shaping/rates.ts';
import { deviceOwner } from '../../state/devices.ts';
import type { Device } from '../../state/schemas.ts';
import { dataDirHelp, dataDirOption, EXIT, printResult, socketOf, UsageError, type Command, type OptionValues } from '../command.ts';
import { formatDeviceChange, formatDevices, formatSuspension } from '../format-devices.ts';

function twoArguments(args: string[], usage: string): [string, string] {
  if (args.length < 2) throw new UsageError(`missing arguments: ${usage}`);
  if (args.length > 2) throw new UsageError(`unexpected argument "${args[2]}" (quote a name with spaces: "Year 3 iPad 12")`);
  return [args[0]!, args[1]!];
}

function formatCap(result: CapResultView): string {
  const d = result.device;
  const one = (kbit: number | null): string => (kbit === null ? 'its policy\'s' : formatRate(kbit));
  const off = result.enforced ? '' : '\nNetwork enforcement is switched off (firewall.enabled): stored, and enforced once it is on.';
  return `${d.mac}: download ${one(d.capDownKbit)}, upload ${one(d.capUpKbit)}.${off}\nRecorded in the audit log under your name.\n`;
}

export const devices: Command = {
  positionals: true,
  summary: 'the devices the gateway has given addresses to; name one or put it in a group',
  usage: `schoolgate devices [--json]
schoolgate devices add MAC "Mrs Patel's laptop" --network staff [--group G] [--personal]
schoolgate devices name MAC "Year 3 iPad 12"
schoolgate devices group MAC GROUP
schoolgate devices owner MAC school|personal
schoolgate devices owned-by MAC "Mrs Patel"
schoolgate devices suspend MAC --for 1d|3h|30m --reason "TEXT"
schoolgate devices resume MAC
schoolgate devices cap MAC [--down 5mbit] [--up 1mbit] | --clear

  (no action)  each device: MAC (random: a randomised private address), name, group, the
               network it was last seen on, school-owned or not, first and last seen
  add          adds a device that has not joined yet (a laptop enrolled in advance) with its
               name, the network it will join and, with --group, its device group: its first
               lease keeps them. School-owned unless --personal
  name         gives a device the name staff know it by (shown in the query log and reviews)
  group        puts a device in a device group from the configuration (its policy applies to
               the device's DNS at once); GROUP "none" takes it out of every group. A group
               that lets the device reach more than it does now is refused: ask for it with
               schoolgate changes move-device (two approvers agree). add --group likewise
  owner        marks a device as the school's (a school device asking for an address on a
               guest network is then a network event) or as personal
  owned-by     who the device belongs to, as free text: a person's name, "school", a class
               (one line, at most 80 characters); "" clears it
  suspend      cuts a device off the internet (it keeps DNS and the gateway, so it sees the
               block page) until the time runs out: 1d, 3h, 30m, 45s or 1d12h. Stored, so it
               survives restarts; the kernel lifts it on time even if the daemon is down
  resume       lifts a suspension early
  cap          the device's own bandwidth caps (kbit, mbit or gbit), over its policy's
               device caps, at once and at every new address; --clear goes back to the
               policy's. Stored, so they survive restarts
  MAC may be written 3c:22:fb:01:a2:9e, 3C-22-FB-01-A2-9E or 3c22.fb01.a29e.
  Changes are recorded in the audit log under your name.

${dataDirHelp}
      --for DURATION   (suspend) how long: 1d, 3h, 30m, 45s or 1d12h
      --reason TEXT    (suspend) why, recorded with the suspension and in the audit log
      --down RATE      (cap) download cap, e.g. 5mbit, 512kbit
      --up RATE        (cap) upload cap, e.g. 1mbit
      --clear          (cap) remove both of the device's own caps
      --network ID     (add) the network the device will join
      --group ID       (add) its device group (default: the network's policy)
      --personal       (add) not the school's own device
      --json           print the result as JSON`,
  options: { ...dataDirOption, json: { type: 'boolean' }, for: { type: 'string' }, reason: { type: 'string' }, down: { type: 'string' }, up: { type: 'string' }, clear: { type: 'boolean' }, network: { type: 'string' }, group: { type: 'string' }, personal: { type: 'boolean' } },
  async run(values, positionals) {
    const [action, ...args] = positionals;
    const socket = socketOf(values);
    switch (action) {
      case undefined: {
        const view = await callDaemon(socket, 'devices') as DevicesView;
        printResult(values, view, formatDevices(view));
        return EXIT.ok;
      }
      case 'add': {
        const [mac, name] = twoArguments(args, 'schoolgate devices add MAC "NAME" --network ID [--group ID]');
        if (typeof values.network !== 'string') throw new UsageError('missing --network: the network the device will join (schoolgate status lists them)');
        const device = await callDaemon(socket, 'devices.add', {
          mac, name, network: values.network, group: typeof values.group === 'string' && values.group !== 'none' ? values.group : null, schoolOwned: values.personal !== true,
        }) as Device;
        printResult(values, device, `${device.mac}: added as "${device.name}" on ${device.networkId}${device.groupId === null ? '' : `, group ${device.groupId}`}, ${device.schoolOwned ? 'school-owned' : 'personal'}; its first lease keeps these. Recorded in the audit log under your name.\n`);
        return EXIT.ok;
      }
      case 'name': {
        const [mac, name] = twoArguments(args, 'schoolgate devices name MAC "NAME"');
        const device = await callDaemon(socket, 'devices.name', { mac, name }) as Device;
        printResult(values, device, formatDeviceChange(device, 'name'));
        return EXIT.ok;
      }
      case 'group': {
        const [mac, group] = twoArguments(args, 'schoolgate devices group MAC GROUP');
        let device: Device;
        try {
          device = await callDaemon(socket, 'devices.group', { mac, group: group === 'none' ? null : group }) as Device;
        } catch (error) {
          if (!(error instanceof ControlCallError) || error.code !== CHANGE_REQUEST_NEEDED) throw error;
          throw new ControlCallError(error.code, `${error.message}:\n  schoolgate changes move-device ${mac} ${group} --why "…" --risk "…"`);
        }
        printResult(values, device, formatDeviceChange(device, 'group'));
        return EXIT.ok;
      }
      case 'owner': {
        const [mac, owner] = twoArguments(args, 'schoolgate devices owner MAC school|personal');
        if (owner !== 'school' && owner !== 'personal') throw new UsageError(`owner must be "school" or "personal", not "${owner}"`);
        const device = await callDaemon(socket, 'devices.owner', { mac, schoolOwned: owner === 'school' }) as Device;
        printResult(values, device, `${device.mac}: ${device.schoolOwned ? 'school-owned (never expected on a guest network)' : 'personal'}. Recorded in the audit log under your name.\n`);
        return EXIT.ok;
      }
      case 'owned-by': {
        const [mac, owner] = twoArguments(args, 'schoolgate devices owned-by MAC "OWNER"');
        // Checked here too, so the technician reads the rule rather than the schema's wording.
        let text: string;
        try {
          text = deviceOwner(owner, mac);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
        const device = await callDaemon(socket, 'devices.owned-by', { mac, owner: text }) as Device;
        printResult(values, device, formatDeviceChange(device, 'owner'));
        return EXIT.ok;
      }
      case 'suspend': {
        if (args.length !== 1) throw new UsageError('usage: schoolgate devices suspend MAC --for 1d --reason "TEXT"');
        if (typeof values.for !== 'string') throw new UsageError('missing --for: how long the suspension lasts (1d, 3h, 30m)');
        if (typeof values.reason !== 'string' || values.reason.trim() === '') throw new UsageError('missing --reason: why the device is suspended');
        let seconds: number;
        try {
          seconds = parseDuration(values.for);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
        const result = await callDaemon(socket, 'devices.suspend', { mac: args[0], seconds, reason: values.reason.trim() }) as SuspensionResult;
        printResult(values, result, formatSuspension(result));
        return EXIT.ok;
      }
      case 'resume': {
        if (args.length !== 1) throw new UsageError('usage: schoolgate devices resume MAC');
        const result = await callDaemon(socket, 'devices.resume', { mac: args[0] }) as SuspensionResult;
        printResult(values, result, formatSuspension(result));
        return EXIT.ok;
      }
      case 'cap': {
        if (args.length !== 1) throw new UsageError('usage: schoolgate devices cap MAC [--down 5mbit] [--up 1mbit] | --clear');
        const params: DeviceCapParams = { mac: args[0]! };
        if (values.clear === true) {
          if (values.down !== undefined || values.up !== undefined) throw new UsageError('--clear removes both caps: give it alone, or --down/--up');
          params.downKbit = null;
          params.upKbit = null;
        } else {
          if (typeof values.down !== 'string' && typeof values.up !== 'string') throw new UsageError('missing --down RATE and/or --up RATE (e.g. 5mbit), or --clear');
          try {
            if (typeof values.down === 'string') params.downKbit = parseRate(values.down);
            if (typeof values.up === 'string') params.upKbit = parseRate(values.up);
          } catch (err) {
            throw new UsageError((err as Error).message);
          }
        }
        const result = await callDaemon(socket, 'devices.cap', params) as CapResultView;
        printResult(values, result, formatCap(result));
        return EXIT.ok;
      }
      default:
        throw new UsageError(`unknown devices action "${action}" (actions: add, name, group, owner, owned-by, suspend, resume, cap)`);
    }
  },
};
