// Building a reply: its options (what the parameter request list asks for, within the size the
// client accepts) and where it must go (RFC 2131 4.1). Pure.
import type { DhcpDestination } from './transport-types.ts';
import { formatIPv4 } from './ipv4.ts';
import { MESSAGE_TYPE, OPT, optionsLength, text, u32 } from './options.ts';
import { BROADCAST_FLAG, encodeReply, optionsRoom, type DhcpMessage } from './packet.ts';
import type { DhcpNetwork } from './settings.ts';

export const CLIENT_PORT = 68;
export const SERVER_PORT = 67;

export interface DhcpReply {
  bytes: Uint8Array;
  destination: DhcpDestination;
  messageType: number;
  /** The address given (OFFER, ACK), 0 for NAK and INFORM's ACK. */
  yiaddr: number;
}

type Option = readonly [number, Uint8Array];

/** RFC 2131 4.1: relay first, then a client with an address, then the broadcast flag, else its MAC. */
export function destinationFor(request: DhcpMessage, messageType: number, yiaddr: number): DhcpDestination {
  if (request.giaddr !== 0) return { kind: 'unicast', address: formatIPv4(request.giaddr), port: SERVER_PORT };
  if (messageType === MESSAGE_TYPE.NAK) return { kind: 'broadcast' };
  if (request.ciaddr !== 0) return { kind: 'unicast', address: formatIPv4(request.ciaddr), port: CLIENT_PORT };
  if ((request.flags & BROADCAST_FLAG) !== 0 || yiaddr === 0) return { kind: 'broadcast' };
  return { kind: 'hardware', address: formatIPv4(yiaddr), mac: request.mac };
}

/** OFFER or ACK for an address (withLease), or INFORM's ACK (no lease times, RFC 2131 4.3.5). */
export function configurationReply(request: DhcpMessage, network: DhcpNetwork, messageType: number, yiaddr: number, withLease: boolean): DhcpReply {
  const head: Option[] = [[OPT.MESSAGE_TYPE, Uint8Array.of(messageType)], [OPT.SERVER_ID, u32(network.serverAddress)]];
  if (withLease) {
    head.push([OPT.LEASE_TIME, u32(network.leaseSeconds)], [OPT.RENEWAL_TIME, u32(network.renewSeconds)], [OPT.REBINDING_TIME, u32(network.rebindSeconds)]);
  }
  head.push([OPT.SUBNET_MASK, u32(network.subnet.mask)], [OPT.ROUTER, u32(network.serverAddress)], [OPT.DNS, u32(network.serverAddress)]);
  // Without a parameter request list the client gets everything we have; with one, what it asked for.
  const asked = request.parameterList;
  const wants = (code: number): boolean => asked.length === 0 || asked.includes(code);
  // In the order they are dropped when the client's maximum message size leaves no room.
  const optional: Option[] = [];
  if (wants(OPT.BROADCAST)) optional.push([OPT.BROADCAST, u32(network.subnet.broadcast)]);
  if (wants(OPT.DOMAIN_NAME) && network.domain !== '') optional.push([OPT.DOMAIN_NAME, text(network.domain)]);
  if (wants(OPT.CAPTIVE_PORTAL) && network.captivePortal !== null) optional.push([OPT.CAPTIVE_PORTAL, text(network.captivePortal)]);
  const tail = echoed(request);
  const room = optionsRoom(request.maxReply);
  while (optional.length > 0 && optionsLength([...head, ...optional, ...tail]) > room) optional.pop();
  const options = [...head, ...optional, ...tail];
  return {
    bytes: encodeReply({
      xid: request.xid, flags: request.flags, ciaddr: messageType === MESSAGE_TYPE.ACK ? request.ciaddr : 0,
      yiaddr, siaddr: 0, giaddr: request.giaddr, chaddr: request.chaddr, options,
    }),
    destination: destinationFor(request, messageType, yiaddr),
    messageType,
    yiaddr,
  };
}

export function nakReply(request: DhcpMessage, network: DhcpNetwork, reason: string): DhcpReply {
  const options: Option[] = [
    [OPT.MESSAGE_TYPE, Uint8Array.of(MESSAGE_TYPE.NAK)],
    [OPT.SERVER_ID, u32(network.serverAddress)],
    [OPT.MESSAGE, text(reason.slice(0, 200))],
  ];
  options.push(...echoed(request));
  return {
    // Through a relay the broadcast bit asks it to broadcast the NAK on the client's segment (RFC 2131 4.3.2).
    bytes: encodeReply({
      xid: request.xid, flags: request.giaddr !== 0 ? BROADCAST_FLAG : request.flags, ciaddr: 0, yiaddr: 0, siaddr: 0,
      giaddr: request.giaddr, chaddr: request.chaddr, options,
    }),
    destination: destinationFor(request, MESSAGE_TYPE.NAK, 0),
    messageType: MESSAGE_TYPE.NAK,
    yiaddr: 0,
  };
}

/** What a reply repeats from the request: the client identifier (RFC 6842) and the relay's option 82 (RFC 3046 2.2), last. */
function echoed(request: DhcpMessage): Option[] {
  const out: Option[] = [];
  if (request.clientId !== null) out.push([OPT.CLIENT_ID, request.clientId]);
  if (request.relayInfo !== null) out.push([OPT.RELAY_AGENT_INFO, request.relayInfo]);
  return out;
}
