// The control-socket methods behind `schoolgate leases` and `schoolgate reserve`. A reservation
// is configuration (config.json "reservations"), so it is written through the config store:
// validated with every other rule (inside a DHCP network's subnet, not the gateway, no address
// or MAC reserved twice), atomic on disk, and in force on every network at once.
import { Type, type Static } from 'typebox';
import { ConfigError } from '../config/validate.ts';
import { Id, Reservation, type Config } from '../config/schema.ts';
import type { ConfigStore } from '../config/store.ts';
import type { AuditLog } from '../control/audit.ts';
import { actorOf } from '../control/protocol.ts';
import { ControlFailure, type ControlServer } from '../control/server.ts';
import type { LeaseRepository } from '../state/leases.ts';
import { MacAddressError, normaliseMac } from '../state/mac.ts';
import { Lease } from '../state/schemas.ts';
import { parseIPv4, parseIPv4Subnet, subnetContains } from './ipv4.ts';
import { refuseWidening } from './device-methods.ts';

export const LeasesParams = Type.Object({
  network: Type.Optional(Id),
  /** Every row (released, declined, expired), not just the leases in force. */
  all: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });
export type LeasesParams = Static<typeof LeasesParams>;

export const LeasesView = Type.Object({
  at: Type.String({ description: 'the instant "in force" was judged at' }),
  leases: Type.Array(Lease),
});
export type LeasesView = Static<typeof LeasesView>;

export const ReserveParams = Type.Object({
  mac: Type.String({ minLength: 1, maxLength: 64 }),
  address: Type.String({ minLength: 1, maxLength: 64 }),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  group: Type.Optional(Id),
}, { additionalProperties: false });
export type ReserveParams = Static<typeof ReserveParams>;

export const ReserveResult = Type.Object({
  reservation: Reservation,
  replaced: Type.Union([Reservation, Type.Null()], { description: 'the reservation this one replaced (the same MAC had another address), if any' }),
});
export type ReserveResult = Static<typeof ReserveResult>;

export interface LeaseMethodDeps {
  config: Pick<ConfigStore, 'current' | 'update'>;
  leases: Pick<LeaseRepository, 'list'>;
  audit: Pick<AuditLog, 'append'>;
  now?: () => Date;
}

export function registerLeaseMethods(control: Pick<ControlServer, 'register'>, deps: LeaseMethodDeps): void {
  const now = deps.now ?? (() => new Date());
  control.register<LeasesParams>('leases', {
    params: LeasesParams,
    handle: (params): LeasesView => {
      const config = deps.config.current;
      if (params.network !== undefined && !config.networks.some((n) => n.id === params.network)) {
        throw new ControlFailure('invalid-input', `there is no network "${params.network}" (networks: ${config.networks.map((n) => n.id).join(', ')})`);
      }
      const at = now();
      const leases = deps.leases.list({
        ...(params.network !== undefined ? { networkId: params.network } : {}),
        ...(params.all ? {} : { activeAt: at }),
      });
      return { at: at.toISOString(), leases };
    },
  });
  control.register<ReserveParams>('reserve', {
    params: ReserveParams,
    handle: async (params, caller): Promise<ReserveResult> => {
      let mac: string;
      try {
        mac = normaliseMac(params.mac);
      } catch (error) {
        if (error instanceof MacAddressError) throw new ControlFailure('invalid-input', error.message);
        throw error;
      }
      const address = parseIPv4(params.address);
      if (address === undefined) throw new ControlFailure('invalid-input', `"${params.address}" is not an IPv4 address`);
      // A reservation's group is given to a device without one at its next lease: a group that
      // lets it reach more than its network's default is a move that needs a change request.
      if (params.group !== undefined) {
        const config = deps.config.current;
        const network = config.networks.find((n) => n.subnets.some((cidr) => {
          const subnet = parseIPv4Subnet(cidr);
          return subnet !== undefined && subnetContains(subnet, address);
        }));
        if (network !== undefined) refuseWidening(config, mac, network.id, null, params.group, ' (reserve the address without the group, then ask to move the device)');
      }
      const reservation: Reservation = {
        mac, address: params.address,
        ...(params.name !== undefined ? { name: params.name } : {}),
        ...(params.group !== undefined ? { group: params.group } : {}),
      };
      let replaced: Reservation | null = null;
      try {
        await deps.config.update((draft: Config) => {
          const existing = draft.reservations ?? [];
          replaced = existing.find((r) => r.mac === mac) ?? null;
          draft.reservations = [...existing.filter((r) => r.mac !== mac), reservation];
        }, () => deps.audit.append({ actor: actorOf(caller), action: 'dhcp.reserve', subject: mac, details: { reservation, replaced } }));
      } catch (error) {
        if (error instanceof ConfigError) throw new ControlFailure('invalid-input', `the reservation was refused and nothing changed: ${error.message}`);
        throw error;
      }
      return { reservation, replaced };
    },
  });
}
