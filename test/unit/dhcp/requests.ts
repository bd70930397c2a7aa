// Client messages for the DHCP tests, written byte by byte (not with the server's encoder), and a
// resolved test network like the lab's pupil and guest ones.
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import type { Config } from '../../../firmware/config/schema.ts';
import { parseIPv4 } from '../../../firmware/dhcp/ipv4.ts';
import { OPT, writeOptions } from '../../../firmware/dhcp/options.ts';
import { parseRequest, type DhcpMessage } from '../../../firmware/dhcp/packet.ts';
import { dhcpNetworks, type DhcpNetwork } from '../../../firmware/dhcp/settings.ts';

export interface RequestSpec {
  type: number;
  mac?: string;
  xid?: number;
  flags?: number;
  ciaddr?: string;
  giaddr?: string;
  requested?: string;
  serverId?: string;
  clientId?: Uint8Array;
  hostname?: string;
  vendorClass?: string;
  params?: number[];
  relayInfo?: Uint8Array;
  maxSize?: number;
  extra?: [number, Uint8Array][];
}

const ip = (text: string): Uint8Array => {
  const v = parseIPv4(text)!;
  return Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
};

export function requestBytes(spec: RequestSpec): Uint8Array {
  const out = new Uint8Array(576);
  out[0] = 1; out[1] = 1; out[2] = 6;
  const view = new DataView(out.buffer);
  view.setUint32(4, spec.xid ?? 0x1234abcd);
  view.setUint16(10, spec.flags ?? 0);
  if (spec.ciaddr) out.set(ip(spec.ciaddr), 12);
  if (spec.giaddr) out.set(ip(spec.giaddr), 24);
  const mac = (spec.mac ?? '02:5c:00:20:00:10').split(':').map((h) => parseInt(h, 16));
  out.set(mac, 28);
  view.setUint32(236, 0x63825363);
  const options: [number, Uint8Array][] = [[OPT.MESSAGE_TYPE, Uint8Array.of(spec.type)]];
  if (spec.clientId) options.push([OPT.CLIENT_ID, spec.clientId]);
  if (spec.requested) options.push([OPT.REQUESTED_ADDRESS, ip(spec.requested)]);
  if (spec.serverId) options.push([OPT.SERVER_ID, ip(spec.serverId)]);
  if (spec.hostname) options.push([OPT.HOSTNAME, new TextEncoder().encode(spec.hostname)]);
  if (spec.vendorClass) options.push([OPT.VENDOR_CLASS, new TextEncoder().encode(spec.vendorClass)]);
  if (spec.params) options.push([OPT.PARAMETER_LIST, Uint8Array.from(spec.params)]);
  if (spec.maxSize) options.push([OPT.MAX_MESSAGE_SIZE, Uint8Array.of(spec.maxSize >> 8, spec.maxSize & 255)]);
  if (spec.relayInfo) options.push([OPT.RELAY_AGENT_INFO, spec.relayInfo]);
  options.push(...(spec.extra ?? []));
  const end = writeOptions(out, 240, options);
  return out.subarray(0, Math.max(300, end));
}

export function request(spec: RequestSpec): DhcpMessage {
  const parsed = parseRequest(requestBytes(spec));
  if (!parsed.ok) throw new Error(`test request did not parse: ${parsed.reason}`);
  return parsed.message;
}

/** The lab's addressing: staff 10.10.0.0/24, pupil 10.20.0.0/24, guest 10.30.0.0/24, pools .100-.199. */
export function labConfig(edit?: (config: Config) => void): Config {
  const config = defaultConfig();
  config.networks.forEach((n, i) => {
    const third = (i + 1) * 10;
    n.interface = `veth-${n.id}`;
    n.subnets = [`10.${third}.0.0/24`];
    n.gateway = { ipv4: `10.${third}.0.1` };
    n.dhcp = { enabled: true, pools: [{ first: `10.${third}.0.100`, last: `10.${third}.0.199` }], leaseSeconds: 3600 };
  });
  config.web.portal = { address: '0.0.0.0', port: 8081 };
  edit?.(config);
  return config;
}

export function labNetwork(id: string, edit?: (config: Config) => void): DhcpNetwork {
  const network = dhcpNetworks(labConfig(edit)).find((n) => n.id === id);
  if (!network) throw new Error(`no network ${id}`);
  return network;
}
