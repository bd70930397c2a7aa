// The DNS wire format's numbers (RFC 1035, 6891) that the readers and writers share. A leaf: it
// imports nothing, so the reader modules can all depend on it without depending on each other.

export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  /** Extended (RFC 6891): 4 low bits in the header, the rest in the OPT record. */
  BADVERS: 16,
} as const;

export const QType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  HINFO: 13,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  OPT: 41,
  IXFR: 251,
  AXFR: 252,
  MAILB: 253,
  MAILA: 254,
  ANY: 255,
} as const;

export const QClass = { IN: 1 } as const;

export const HEADER_LENGTH = 12;
export const FLAG_QR = 0x8000;
export const FLAG_AA = 0x0400;
export const FLAG_TC = 0x0200;
export const FLAG_RD = 0x0100;
export const FLAG_RA = 0x0080;
export const FLAG_AD = 0x0020;
export const FLAG_CD = 0x0010;
export const EDNS_DO = 0x8000;

/** Longest name on the wire, length bytes included (RFC 1035 3.1). */
export const MAX_NAME_WIRE = 255;
