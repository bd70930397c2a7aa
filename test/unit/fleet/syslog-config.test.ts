// The syslog section through the configuration's one validator: the schema's field rules and the
// checks it cannot express, each refused with the path to fix.
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import type { SyslogSettings } from '../../../firmware/config/syslog-schema.ts';
import { validateConfig } from '../../../firmware/config/validate.ts';

function issuesOf(syslog: unknown): { path: string; message: string }[] {
  const result = validateConfig({ ...defaultConfig(), syslog });
  return result.ok ? [] : result.issues;
}

const base: SyslogSettings = { school: 'urn-123456', collectors: [{ host: 'logs.trust.example', transport: 'tls', caFile: '/etc/schoolgate/trust-ca.pem' }] };

describe('the syslog section', () => {
  it('takes a school with TLS and TCP collectors', () => {
    expect(issuesOf(base)).toEqual([]);
    expect(issuesOf({ ...base, facility: 'local5', appName: 'schoolgate', hostname: 'gw-oakfield', events: { alerts: true, audit: false },
      collectors: [...base.collectors, { host: '10.0.0.9', port: 514, transport: 'tcp', queueSize: 500 }] })).toEqual([]);
    expect(issuesOf({ school: 'urn-1', collectors: [] })).toEqual([]);
  });

  it('refuses header fields that are not one word of visible ASCII, and unknown facilities', () => {
    const bad: [Partial<SyslogSettings> | Record<string, unknown>, string][] = [
      [{ school: 'Oak field' }, '/syslog/school'], [{ school: '../etc' }, '/syslog/school'], [{ appName: 'a'.repeat(49) }, '/syslog/appName'], [{ hostname: 'gw\n' }, '/syslog/hostname'], [{ facility: 'local9' }, '/syslog/facility'],
    ];
    for (const [over, path] of bad) expect(issuesOf({ ...base, ...over }).map((i) => i.path), path).toContain(path);
  });

  it('refuses certificate files over plain TCP, half a client certificate, and the same collector twice', () => {
    expect(issuesOf({ school: 'urn-1', collectors: [{ host: 'logs.example', transport: 'tcp', caFile: 'ca.pem' }] })).toEqual([
      { path: '/syslog/collectors/0/caFile', message: expect.stringMatching(/for transport "tls"/) },
    ]);
    expect(issuesOf({ school: 'urn-1', collectors: [{ host: 'logs.example', transport: 'tls', certFile: 'gw.pem' }] })).toEqual([
      { path: '/syslog/collectors/0/keyFile', message: expect.stringMatching(/needs its private key/) },
    ]);
    expect(issuesOf({ school: 'urn-1', collectors: [{ host: 'logs.example', transport: 'tls', keyFile: 'gw.key' }] })).toEqual([
      { path: '/syslog/collectors/0/certFile', message: expect.stringMatching(/needs the client certificate/) },
    ]);
    expect(issuesOf({ school: 'urn-1', collectors: [{ host: 'logs.example', transport: 'tls' }, { host: 'logs.example', port: 6514, transport: 'tls' }] })).toEqual([
      { path: '/syslog/collectors/1/host', message: expect.stringMatching(/logs\.example:6514 is already collector 0/) },
    ]);
  });
});
