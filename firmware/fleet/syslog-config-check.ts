// The syslog rules the schema cannot express. Pure: semantic.ts calls it with the section once it
// passed the schema.
import type { SyslogSettings } from '../config/syslog-schema.ts';
import { pointer, type ConfigIssue } from '../config/issues.ts';
import { DEFAULT_PORTS } from './syslog-defaults.ts';

export function syslogConfigIssues(syslog: SyslogSettings | undefined): ConfigIssue[] {
  if (!syslog) return [];
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, number>();
  syslog.collectors.forEach((c, i) => {
    const at = (field: string): string => pointer('syslog', 'collectors', i, field);
    if (c.transport === 'tcp') {
      for (const field of ['caFile', 'certFile', 'keyFile'] as const) {
        if (c[field] !== undefined) issues.push({ path: at(field), message: `${field} is for transport "tls"; over "tcp" nothing is encrypted or verified` });
      }
    }
    if (c.certFile !== undefined && c.keyFile === undefined) issues.push({ path: at('keyFile'), message: 'a client certificate (certFile) needs its private key (keyFile)' });
    if (c.keyFile !== undefined && c.certFile === undefined) issues.push({ path: at('certFile'), message: 'a private key (keyFile) needs the client certificate it belongs to (certFile)' });
    const endpoint = `${c.host}:${c.port ?? DEFAULT_PORTS[c.transport]}`;
    const first = seen.get(endpoint);
    if (first !== undefined) issues.push({ path: at('host'), message: `${endpoint} is already collector ${first}: each message would be sent there twice` });
    else seen.set(endpoint, i);
  });
  return issues;
}
