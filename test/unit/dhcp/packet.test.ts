import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MESSAGE_TYPE, OPT, readOptions } from '../../../firmware/dhcp/options.ts';
import { BROADCAST_FLAG, encodeReply, parseReply, parseRequest } from '../../../firmware/dhcp/packet.ts';
import { requestBytes } from './requests.ts';

describe('parseRequest', () => {
  it('reads the fields and options a client sends', () => {
    const parsed = parseRequest(requestBytes({
      type: MESSAGE_TYPE.REQUEST, mac: '3C:22:FB:01:A2:9E', xid: 0xdeadbeef, flags: BROADCAST_FLAG, requested: '10.20.0.100',
      serverId: '10.20.0.1', clientId: Uint8Array.of(1, 0x3c, 0x22, 0xfb, 1, 0xa2, 0x9e), hostname: 'ipad\u0007-7',
      vendorClass: 'android-dhcp-14', params: [1, 3, 6, 114], maxSize: 1500, relayInfo: Uint8Array.of(1, 3, 0x65, 0x74, 0x68),
    }));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const m = parsed.message;
    expect(m).toMatchObject({
      messageType: MESSAGE_TYPE.REQUEST, xid: 0xdeadbeef, flags: BROADCAST_FLAG, mac: '3c:22:fb:01:a2:9e',
      requestedAddress: 0x0a140064, serverId: 0x0a140001, clientKey: 'id:013c22fb01a29e', hostname: 'ipad?-7',
      vendorClass: 'android-dhcp-14', parameterList: [1, 3, 6, 114], maxReply: 1472,
    });
    expect([...m.relayInfo!]).toEqual([1, 3, 0x65, 0x74, 0x68]);
  });

  it('keys a client without option 61 by its MAC', () => {
    const parsed = parseRequest(requestBytes({ type: MESSAGE_TYPE.DISCOVER }));
    expect(parsed.ok && parsed.message.clientKey).toBe('mac:02:5c:00:20:00:10');
  });

  it('reads options overloaded into the file and sname fields (option 52), file first', () => {
    const bytes = requestBytes({ type: MESSAGE_TYPE.DISCOVER, extra: [[OPT.OVERLOAD, Uint8Array.of(3)]] });
    // file (108..235) holds the hostname, sname (44..107) the vendor class.
    bytes.set([OPT.HOSTNAME, 3, 0x61, 0x62, 0x63, OPT.END], 108);
    bytes.set([OPT.VENDOR_CLASS, 2, 0x78, 0x79, OPT.END], 44);
    const parsed = parseRequest(bytes);
    expect(parsed.ok && [parsed.message.hostname, parsed.message.vendorClass]).toEqual(['abc', 'xy']);
  });

  it('concatenates an option sent in pieces (RFC 3396)', () => {
    const parsed = parseRequest(requestBytes({ type: MESSAGE_TYPE.DISCOVER, extra: [[OPT.HOSTNAME, Uint8Array.of(0x61)], [OPT.HOSTNAME, Uint8Array.of(0x62)]] }));
    expect(parsed.ok && parsed.message.hostname).toBe('ab');
  });

  it.each([
    ['short', () => new Uint8Array(100)],
    ['not-a-request', () => { const b = requestBytes({ type: 1 }); b[0] = 2; return b; }],
    ['no-magic-cookie', () => { const b = requestBytes({ type: 1 }); b[236] = 0; return b; }],
    ['option-overrun', () => { const b = requestBytes({ type: 1 }).slice(0, 246); b[243] = OPT.HOSTNAME; b[244] = 200; return b; }],
    ['no-message-type', () => { const b = requestBytes({ type: 1 }); b[240] = OPT.PAD; b[241] = OPT.PAD; b[242] = OPT.PAD; return b; }],
    ['bad-message-type', () => requestBytes({ type: 9 })],
    ['bad-option-length', () => requestBytes({ type: 1, extra: [[OPT.REQUESTED_ADDRESS, Uint8Array.of(1, 2, 3)]] })],
    ['bad-option-length', () => requestBytes({ type: 1, clientId: Uint8Array.of(1) })],
    ['bad-option-length', () => requestBytes({ type: 1, extra: [[OPT.OVERLOAD, Uint8Array.of(4)]] })],
    ['bad-hardware-address', () => requestBytes({ type: 1, mac: '01:00:5e:00:00:01' })],
    ['bad-hardware-address', () => requestBytes({ type: 1, mac: '00:00:00:00:00:00' })],
    ['bad-hardware-address', () => { const b = requestBytes({ type: 1 }); b[2] = 16; return b; }],
  ])('refuses a packet that is %s', (reason, make) => {
    expect(parseRequest(make())).toEqual({ ok: false, reason });
  });
});

describe('encodeReply', () => {
  const optionArb = fc.tuple(
    fc.integer({ min: 1, max: 254 }).filter((c) => c !== OPT.MESSAGE_TYPE && c !== OPT.SERVER_ID && c !== OPT.OVERLOAD),
    fc.uint8Array({ minLength: 0, maxLength: 300 }),
  );

  it('round-trips every field and option through the reply reader (property)', () => {
    fc.assert(fc.property(
      fc.record({
        xid: fc.nat(0xffffffff), flags: fc.constantFrom(0, BROADCAST_FLAG), yiaddr: fc.nat(0xffffffff), giaddr: fc.nat(0xffffffff),
        chaddr: fc.uint8Array({ minLength: 16, maxLength: 16 }), server: fc.nat(0xffffffff),
        options: fc.uniqueArray(optionArb, { selector: (o) => o[0], maxLength: 6 }),
      }),
      (r) => {
        const serverId = Uint8Array.of(r.server >>> 24, (r.server >>> 16) & 255, (r.server >>> 8) & 255, r.server & 255);
        const bytes = encodeReply({
          xid: r.xid, flags: r.flags, ciaddr: 0, yiaddr: r.yiaddr, siaddr: 0, giaddr: r.giaddr, chaddr: r.chaddr,
          options: [[OPT.MESSAGE_TYPE, Uint8Array.of(MESSAGE_TYPE.ACK)], [OPT.SERVER_ID, serverId], ...r.options],
        });
        expect(bytes.length).toBeGreaterThanOrEqual(300);
        const reply = parseReply(bytes)!;
        expect(reply).toMatchObject({ messageType: MESSAGE_TYPE.ACK, xid: r.xid, yiaddr: r.yiaddr, giaddr: r.giaddr, serverId: r.server });
        expect([...reply.chaddr]).toEqual([...r.chaddr]);
        for (const [code, value] of r.options) expect([...reply.options.get(code)!]).toEqual([...value]);
      },
    ));
  });

  it('reads back exactly what readOptions was given, whatever the bytes (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      const into = new Map<number, Uint8Array>();
      const ok = readOptions(bytes, 0, bytes.length, into);
      expect(typeof ok).toBe('boolean');
      for (const [code, value] of into) {
        expect(code).not.toBe(OPT.PAD);
        expect(code).not.toBe(OPT.END);
        expect(value.length).toBeLessThanOrEqual(bytes.length);
      }
    }));
  });
});
