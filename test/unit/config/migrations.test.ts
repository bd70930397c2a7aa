import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../firmware/config/defaults.ts';
import { ConfigError } from '../../../firmware/config/issues.ts';
import { MIGRATIONS, migrateConfig } from '../../../firmware/config/migrations.ts';
import { CONFIG_VERSION } from '../../../firmware/config/schema.ts';
import { validateConfig } from '../../../firmware/config/validate.ts';

const v0 = (): Record<string, any> => JSON.parse(readFileSync(new URL('./fixtures/v0-config.json', import.meta.url), 'utf8'));

function thrown(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('migrateConfig', () => {
  it('has one step per version, in order, up to CONFIG_VERSION', () => {
    expect(MIGRATIONS.map((m) => m.from)).toEqual([...Array(CONFIG_VERSION).keys()]);
  });

  it('brings the v0 fixture to a valid current document', () => {
    const result = migrateConfig(v0());
    expect(result.from).toBe(0);
    expect(result.to).toBe(CONFIG_VERSION);
    expect(result.applied).toHaveLength(CONFIG_VERSION);
    const validation = validateConfig(result.doc);
    expect(validation.ok ? [] : validation.issues).toEqual([]);
    const doc = result.doc as any;
    expect(doc.version).toBe(CONFIG_VERSION);
    expect(Object.keys(doc)[0]).toBe('version');
    expect(doc.networks.map((n: any) => n.subnets)).toEqual([['10.10.0.0/16'], ['10.20.0.0/16']]);
    expect(doc.networks.every((n: any) => !('subnet' in n))).toBe(true);
    // The new key takes the old one's place.
    expect(Object.keys(doc.networks[0]).indexOf('subnets')).toBe(Object.keys(v0().networks[0]).indexOf('subnet'));
    expect(doc.dns.upstreams).toEqual([{ name: '192.0.2.53', address: '192.0.2.53', port: 53 }]);
    expect('upstream' in doc.dns).toBe(false);
  });

  it('brings a v1 document to v2 with filtering present but empty, keeping everything else', () => {
    const v1 = defaultConfig() as any;
    v1.version = 1;
    delete v1.lists;
    delete v1.exceptions;
    for (const key of ['blockTtl', 'localDomain', 'cache', 'rebindingProtection']) delete v1.dns[key];
    const result = migrateConfig(v1);
    expect(result.from).toBe(1);
    expect(result.applied).toHaveLength(CONFIG_VERSION - 1);
    const doc = result.doc as any;
    expect(Object.keys(doc)[0]).toBe('version');
    expect(doc.lists).toEqual([]);
    expect(doc.exceptions).toEqual([]);
    expect(doc.dns.listen).toEqual(v1.dns.listen);
    // The defaults subscribe the shipped starter lists; a migrated v1 document starts with none.
    expect(doc).toEqual({ ...defaultConfig(), lists: [], version: CONFIG_VERSION });
    const validation = validateConfig(doc);
    expect(validation.ok ? [] : validation.issues).toEqual([]);
  });

  it('treats an explicit version 0 like a missing one', () => {
    expect(migrateConfig({ ...v0(), version: 0 }).doc).toEqual(migrateConfig(v0()).doc);
  });

  it('turns a v0 document without an upstream into the system-resolver form', () => {
    const doc = v0();
    delete doc.dns.upstream;
    expect((migrateConfig(doc).doc as any).dns.upstreams).toEqual([]);
  });

  it('leaves a v0 field of an unexpected shape for validation to name', () => {
    const doc = v0();
    doc.networks[1].subnet = 42;
    doc.dns.upstream = ['192.0.2.53'];
    const result = validateConfig(migrateConfig(doc).doc);
    expect(result.ok ? [] : result.issues.map((i) => i.path).sort()).toEqual([
      '/dns/upstream', '/dns/upstreams', '/networks/1/subnet', '/networks/1/subnets',
    ]);
  });

  it('does not modify its input', () => {
    const doc = v0();
    const before = structuredClone(doc);
    migrateConfig(doc);
    expect(doc).toEqual(before);
  });

  it('applies nothing to a current document', () => {
    const doc = defaultConfig();
    const result = migrateConfig(doc);
    expect(result).toEqual({ doc, from: CONFIG_VERSION, to: CONFIG_VERSION, applied: [] });
  });

  it('refuses a document written by a newer Schoolgate', () => {
    const error = thrown(() => migrateConfig({ ...defaultConfig(), version: CONFIG_VERSION + 1 }, 'config.json'));
    expect(error.issues.map((i) => i.path)).toEqual(['/version']);
    expect(error.message).toContain(`config.json: /version: version ${CONFIG_VERSION + 1} was written by a newer Schoolgate`);
  });

  it.each([['"1"'], ['-1'], ['1.5'], ['null']])('refuses version %s', (version) => {
    const error = thrown(() => migrateConfig({ ...defaultConfig(), version: JSON.parse(version) }));
    expect(error.issues).toEqual([{ path: '/version', message: expect.stringMatching(/whole number/) }]);
  });

  it('passes a non-object through for validation to reject', () => {
    expect(migrateConfig('text').doc).toBe('text');
  });
});
