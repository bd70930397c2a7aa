// The seam between the DHCP server's pure logic (what to answer, where it must go) and the
// sockets that carry it (transport.ts, on the netio addon). Plain types only: the logic never
// touches a socket, and the transport never reads a DHCP field.

/** Where a reply must go, as RFC 2131 4.1 decides it from giaddr, ciaddr and the broadcast flag. */
export type DhcpDestination =
  /**
   * 255.255.255.255, out of the interface the request arrived on, to DHCP's other side: port 68
   * (clients) from a server's socket, port 67 (servers) from the port-68 watch socket, whose probe
   * is a DISCOVER.
   */
  | { readonly kind: 'broadcast' }
  /** An ordinary routed unicast: a client that already has an address (ciaddr), or a relay agent (giaddr, port 67). */
  | { readonly kind: 'unicast'; readonly address: string; readonly port: number }
  /** A client that has no address yet: yiaddr, delivered to its MAC on the arrival interface, port 68. */
  | { readonly kind: 'hardware'; readonly address: string; readonly mac: string };

/** What the kernel says about one arriving datagram (IP_PKTINFO and the source). */
export interface DhcpArrival {
  /** The interface it arrived on. */
  readonly ifindex: number;
  readonly sourceAddress: string;
  readonly sourcePort: number;
  /** The address it was sent to: 255.255.255.255 for a broadcast, ours for a unicast or a relay. */
  readonly destinationAddress: string;
  /** The sender's MAC (aa:bb:cc:dd:ee:ff), on a socket opened with `frames` (the rogue watch); absent otherwise. */
  readonly sourceMac?: string;
}

/** Called once per datagram; `bytes` is only valid during the call (the buffer is reused). */
export type DhcpReceive = (bytes: Uint8Array, arrival: DhcpArrival) => void;

export interface DhcpSocket {
  /** The interface it is bound to; null for the relay socket, which listens on every interface. */
  readonly interfaceName: string | null;
  readonly ifindex: number;
  /** Sends one datagram; `ifindex` picks the way out for a broadcast or hardware reply on the relay socket. Throws an Error with the errno's code on failure. */
  send(bytes: Uint8Array, destination: DhcpDestination, ifindex?: number): void;
  close(): void;
}
