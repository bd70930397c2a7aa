// The control method behind `schoolgate devices cap`: a device's own bandwidth caps, stored and
// audited in one transaction (ShapingService.setDeviceCap), then enforced.
import { Type, type Static } from 'typebox';
import type { AuditLog } from '../../control/audit.ts';
import { actorOf } from '../../control/protocol.ts';
import type { ControlServer } from '../../control/server.ts';
import { asControlFailure } from '../../dhcp/device-methods.ts';
import { normaliseMac } from '../../state/mac.ts';
import { CapKbit, Device } from '../../state/schemas.ts';
import type { ShapingService } from './service.ts';

export const DeviceCapParams = Type.Object({
  mac: Type.String({ minLength: 1, maxLength: 64 }),
  downKbit: Type.Optional(Type.Union([CapKbit, Type.Null()], { description: 'the download cap (kbit/s); null clears it; absent leaves it' })),
  upKbit: Type.Optional(Type.Union([CapKbit, Type.Null()], { description: 'the upload cap (kbit/s); null clears it; absent leaves it' })),
}, { additionalProperties: false });
export type DeviceCapParams = Static<typeof DeviceCapParams>;

export const CapResultView = Type.Object({
  device: Device,
  enforced: Type.Boolean({ description: 'tc was changed; false while network enforcement is off (the caps are kept)' }),
});
export type CapResultView = Static<typeof CapResultView>;

export function registerCapMethods(control: Pick<ControlServer, 'register'>, deps: {
  shaping: Pick<ShapingService, 'setDeviceCap'>;
  devices: { get(mac: string): Device | undefined };
  audit: Pick<AuditLog, 'append'>;
}): void {
  control.register<DeviceCapParams>('devices.cap', {
    params: DeviceCapParams,
    handle: async (params, caller): Promise<CapResultView> => {
      let mac: string;
      try {
        mac = normaliseMac(params.mac);
      } catch (error) {
        return asControlFailure(error);
      }
      const before = deps.devices.get(mac);
      const caps = {
        downKbit: params.downKbit === undefined ? before?.capDownKbit ?? null : params.downKbit,
        upKbit: params.upKbit === undefined ? before?.capUpKbit ?? null : params.upKbit,
      };
      try {
        return await deps.shaping.setDeviceCap(mac, caps, (device) => deps.audit.append({
          actor: actorOf(caller), action: 'device.cap', subject: mac,
          details: { from: { downKbit: before?.capDownKbit ?? null, upKbit: before?.capUpKbit ?? null }, to: { downKbit: device.capDownKbit, upKbit: device.capUpKbit } },
        }));
      } catch (error) {
        return asControlFailure(error);
      }
    },
  });
}
