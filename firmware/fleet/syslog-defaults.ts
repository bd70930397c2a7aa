// The ports a collector listens on when the configuration names none: 601 is syslog over TCP
// (RFC 6587 / IANA "syslog-conn"), 6514 syslog over TLS (RFC 5425).
export const DEFAULT_PORTS = { tcp: 601, tls: 6514 } as const;
