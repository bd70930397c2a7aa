// TypeBox shapes of the AUP acceptances: state.db's rows, the `aup.acceptances` control method
// (schoolgate aup acceptances) and the web UI's list share them.
import { Type, type Static } from 'typebox';
import { IsoTimestamp, MacAddress } from '../../state/schemas.ts';

const Version = Type.String({ pattern: '^[A-Za-z0-9._-]{1,32}$' });
const NetworkId = Type.String({ pattern: '^[a-z][a-z0-9-]{0,31}$' });

export const NewAupAcceptance = Type.Object({
  mac: MacAddress,
  networkId: NetworkId,
  version: Version,
  /** ISO-8601 UTC. */
  at: IsoTimestamp,
  /** The address the device accepted from (its lease then). */
  address: Type.String({ minLength: 2, maxLength: 45 }),
}, { additionalProperties: false });
export type NewAupAcceptance = Static<typeof NewAupAcceptance>;

export const AupAcceptance = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  ...NewAupAcceptance.properties,
  /** The device's friendly name in state.db, or the hostname it gave, if either. */
  deviceName: Type.Union([Type.String(), Type.Null()]),
}, { additionalProperties: false });
export type AupAcceptance = Static<typeof AupAcceptance>;

export const AupAcceptancesParams = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
}, { additionalProperties: false });
export type AupAcceptancesParams = Static<typeof AupAcceptancesParams>;

export const AupAcceptancesView = Type.Object({
  /** The version in force and the networks showing the splash; null when the `aup` section is absent. */
  current: Type.Union([Type.Object({ version: Version, splashOn: Type.Array(NetworkId) }, { additionalProperties: false }), Type.Null()]),
  acceptances: Type.Array(AupAcceptance),
}, { additionalProperties: false });
export type AupAcceptancesView = Static<typeof AupAcceptancesView>;
