// `schoolgate leases` and `schoolgate reserve`: the addresses the DHCP servers have given out,
// and a fixed address for a device (a printer, a whiteboard), kept in the configuration.
import { callDaemon } from '../../control/client.ts';
import type { LeasesView, ReserveResult } from '../../dhcp/lease-methods.ts';
import { dataDirHelp, dataDirOption, EXIT, printResult, socketOf, UsageError, type Command, type OptionValues } from '../command.ts';
import { formatLeases, formatReserve } from '../format-devices.ts';

export const leases: Command = {
  summary: 'the addresses the DHCP servers have given out',
  usage: `schoolgate leases [--network N] [--all] [--json]

The leases in force now: network, address, MAC, the hostname the device gave, state, expiry,
and the relay agent a relayed request came through.

${dataDirHelp}
  -n, --network N      only this network's leases
      --all            every lease row kept (released, declined, expired ones too)
      --json           print the result as JSON`,
  options: { ...dataDirOption, network: { type: 'string', short: 'n' }, all: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(values) {
    const params = { ...(typeof values.network === 'string' ? { network: values.network } : {}), ...(values.all ? { all: true } : {}) };
    const view = await callDaemon(socketOf(values), 'leases', params) as LeasesView;
    printResult(values, view, formatLeases(view, values.all === true));
    return EXIT.ok;
  },
};

export const reserve: Command = {
  positionals: true,
  summary: 'give a device a fixed address (saved in the configuration)',
  usage: `schoolgate reserve MAC IP [--name TEXT] [--group GROUP] [--json]

Reserves IP for the device with this MAC on the DHCP network whose subnet holds IP, and writes
it to the configuration (config.json "reservations"), so it survives restarts. The address must
be inside that subnet, not the gateway's own, and not reserved for another device; a MAC that
already had a reservation moves to the new address. The device gets it at its next request.
The change is recorded in the audit log under your name.

${dataDirHelp}
      --name TEXT      the device's friendly name (shown in devices, logs and reviews)
      --group GROUP    the device group it belongs to (from the configuration)
      --json           print the result as JSON`,
  options: { ...dataDirOption, name: { type: 'string' }, group: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, positionals) {
    if (positionals.length < 2) throw new UsageError('reserve needs a MAC and an IP, e.g. schoolgate reserve 3c:22:fb:01:a2:9e 10.20.0.50');
    if (positionals.length > 2) throw new UsageError(`unexpected argument "${positionals[2]}"`);
    const [mac, address] = positionals as [string, string];
    const params = {
      mac, address,
      ...(typeof values.name === 'string' ? { name: values.name } : {}),
      ...(typeof values.group === 'string' ? { group: values.group } : {}),
    };
    const result = await callDaemon(socketOf(values), 'reserve', params) as ReserveResult;
    printResult(values, result, formatReserve(result));
    return EXIT.ok;
  },
};
