// Devices (devices.view to look, devices.manage to change): the device table beside the leases in
// force, and each change through the control method `schoolgate devices …` uses, audited as the
// signed-in account.
import type { Static } from 'typebox';
import {
  CapBody, CapResultView, DeviceAddBody, DeviceEditBody, DevicesPage, MacParams, ReserveBody, ReserveResult, SuspendBody, SuspensionResult,
  type Device,
} from '../api/devices-schema.ts';
import { ApiError } from '../api/session-schema.ts';
import { AuthError } from '../auth/errors.ts';
import { callControl } from '../control-call.ts';
import type { DevicesView } from '../../dhcp/device-methods.ts';
import type { LeasesView } from '../../dhcp/lease-methods.ts';
import type { AdminRoutes } from '../route-deps.ts';

const Errors = { 400: ApiError, 401: ApiError, 403: ApiError, 404: ApiError, 409: ApiError, 503: ApiError };
type Mac = Static<typeof MacParams>;

export const deviceRoutes: AdminRoutes = async (app, deps) => {
  const { control, config } = deps.options;

  app.get('/api/devices', {
    schema: { response: { 200: DevicesPage, ...Errors } },
    config: { permission: 'devices.view' },
  }, async (request): Promise<DevicesPage> => {
    const { devices } = await callControl<DevicesView>(control, request.signed, 'devices', {});
    const { at, leases } = await callControl<LeasesView>(control, request.signed, 'leases', {});
    const current = config?.current();
    return {
      at, devices, leases,
      reservations: current?.reservations ?? [],
      groups: (current?.deviceGroups ?? []).map((g) => ({ id: g.id, name: g.name ?? g.id })),
      networks: (current?.networks ?? []).map((n) => ({ id: n.id, name: n.name })),
    };
  });

  // A device added before it joins: the message goes beside the field it is about.
  app.post<{ Body: DeviceAddBody }>('/api/devices', {
    schema: { body: DeviceAddBody, response: { 200: DevicesPage.properties.devices.items, ...Errors } },
    config: { permission: 'devices.manage' },
  }, async (request) => {
    try {
      return await callControl<Device>(control, request.signed, 'devices.add', request.body);
    } catch (error) {
      if (!(error instanceof AuthError) || error.status !== 400) throw error;
      const field = /already in the device table/.test(error.message) ? 'mac' : /device group/.test(error.message) ? 'group'
        : /no network/.test(error.message) ? 'network' : /a name|name is/.test(error.message) ? 'name' : 'mac';
      throw new AuthError(error.status, error.code, error.message, { [field]: error.message });
    }
  });

  // One method per field, as the CLI does: each is its own audit entry with its "from" and "to".
  app.patch<{ Params: Mac; Body: DeviceEditBody }>('/api/devices/:mac', {
    schema: { params: MacParams, body: DeviceEditBody, response: { 200: DevicesPage.properties.devices.items, ...Errors } },
    config: { permission: 'devices.manage' },
  }, async (request) => {
    const { mac } = request.params;
    const body = request.body;
    let device: Device | undefined;
    // The group first: a move refused as a filtering change (change-request-needed) saves nothing.
    if (body.group !== undefined) device = await callControl<Device>(control, request.signed, 'devices.group', { mac, group: body.group }, 'group');
    if (body.name !== undefined) device = await callControl<Device>(control, request.signed, 'devices.name', { mac, name: body.name }, 'name');
    if (body.schoolOwned !== undefined) device = await callControl<Device>(control, request.signed, 'devices.owner', { mac, schoolOwned: body.schoolOwned }, 'schoolOwned');
    if (body.owner !== undefined) device = await callControl<Device>(control, request.signed, 'devices.owned-by', { mac, owner: body.owner }, 'owner');
    if (!device) throw Object.assign(new Error('nothing to change: give a name, group, schoolOwned or owner'), { statusCode: 400 });
    return device;
  });

  app.post<{ Params: Mac; Body: SuspendBody }>('/api/devices/:mac/suspend', {
    schema: { params: MacParams, body: SuspendBody, response: { 200: SuspensionResult, ...Errors } },
    config: { permission: 'devices.manage' },
  }, async (request) => callControl(control, request.signed, 'devices.suspend', { mac: request.params.mac, ...request.body }, 'reason'));

  app.post<{ Params: Mac }>('/api/devices/:mac/resume', {
    schema: { params: MacParams, response: { 200: SuspensionResult, ...Errors } },
    config: { permission: 'devices.manage' },
  }, async (request) => callControl(control, request.signed, 'devices.resume', { mac: request.params.mac }));

  app.put<{ Params: Mac; Body: CapBody }>('/api/devices/:mac/cap', {
    schema: { params: MacParams, body: CapBody, response: { 200: CapResultView, ...Errors } },
    config: { permission: 'devices.manage' },
  }, async (request) => callControl(control, request.signed, 'devices.cap', { mac: request.params.mac, ...request.body }, 'downKbit'));

  app.post<{ Params: Mac; Body: ReserveBody }>('/api/devices/:mac/reserve', {
    schema: { params: MacParams, body: ReserveBody, response: { 200: ReserveResult, ...Errors } },
    config: { permission: 'devices.manage' },
  }, async (request) => callControl(control, request.signed, 'reserve', { mac: request.params.mac, ...withoutUndefined(request.body) }, 'address'));
};

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
