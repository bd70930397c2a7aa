// The Debian package list: its parser refuses a bad file with every problem's line, the real
// file parses, and "what is missing" is computed from a given set of present proofs.
import { describe, expect, it } from 'vitest';
import { loadPackageList, TEST_GROUPS } from '../../../scripts/prerequisites.ts';
import { missingRequirements, PackageListError, parsePackageList, requirementsOf } from '../../../scripts/prerequisites/package-list.ts';

const SAMPLE = `# a comment
[native] the addon
gcc        gcc                    the C compiler
libc6-dev  /usr/include/stdio.h   headers

[lab] the lab
iproute2   ip        namespaces
dnsmasq-base dnsmasq   the upstream   resolver
[bench:dns] the benchmark
dnsmasq-base dnsmasq   the reference server
dnsperf    dnsperf   load
`;

function problemsOf(text: string): string[] {
  try {
    parsePackageList(text, 'list.txt');
  } catch (e) {
    expect(e).toBeInstanceOf(PackageListError);
    return (e as PackageListError).problems;
  }
  throw new Error('parsed without complaint');
}

describe('parsePackageList', () => {
  it('reads groups, packages, proofs and reasons', () => {
    const list = parsePackageList(SAMPLE);
    expect(list.groups.map((g) => [g.name, g.purpose])).toEqual([['native', 'the addon'], ['lab', 'the lab'], ['bench:dns', 'the benchmark']]);
    expect(list.groups[0]!.requirements).toEqual([
      { package: 'gcc', proof: 'gcc', why: 'the C compiler' },
      { package: 'libc6-dev', proof: '/usr/include/stdio.h', why: 'headers' },
    ]);
    expect(list.groups[1]!.requirements[1]).toEqual({ package: 'dnsmasq-base', proof: 'dnsmasq', why: 'the upstream resolver' });
  });

  it('reports every problem at once, each with its line', () => {
    const problems = problemsOf([
      'gcc gcc before any group', //                          1
      '[native] the addon', //                                2
      'Bad_Name gcc a reason', //                             3
      'gcc', //                                               4
      'make ../make a relative path', //                      5
      'curl curl', //                                         6
      'gcc gcc compiler', //                                  7
      'gcc gcc again', //                                     8
      '[lab]', //                                             9
      'gcc /usr/bin/gcc another proof for gcc', //            10
      '[Lab] upper case', //                                  11
      '[empty] nothing under it', //                          12
      '[native] twice', //                                    13
      'x11-apps xeyes eyes', //                               14
    ].join('\n'));
    expect(problems).toEqual([
      'line 1: package gcc comes before any [group] line',
      'line 3: "Bad_Name" is not a Debian package name',
      'line 4: package gcc has no proof (a program name or an absolute path)',
      'line 5: "../make" is neither a program name nor an absolute path',
      'line 6: package curl does not say why it is needed',
      'line 8: package gcc appears twice in [native]',
      'line 9: group [lab] does not say what needs it',
      'line 10: package gcc is proved by /usr/bin/gcc here but by gcc on line 7',
      'line 11: "[Lab] upper case" is not a group line ([name] purpose; a name is lower case, digits, \':\' and \'-\')',
      'line 13: group [native] appears twice',
      'group [empty] lists no package',
    ]);
  });

  it('names the file in its error', () => {
    expect(() => parsePackageList('[x] y\n', 'scripts/prerequisites/debian-packages.txt'))
      .toThrow('scripts/prerequisites/debian-packages.txt: group [x] lists no package');
  });
});

describe('requirementsOf and missingRequirements', () => {
  const list = parsePackageList(SAMPLE);

  it('takes each package once, in the list\'s order, across groups', () => {
    expect(requirementsOf(list, ['bench:dns', 'lab']).map((r) => r.package)).toEqual(['iproute2', 'dnsmasq-base', 'dnsperf']);
  });

  it('refuses a group the list does not have', () => {
    expect(() => requirementsOf(list, ['lab', 'browser'])).toThrow('no group [browser] in the package list (it has [native] [lab] [bench:dns])');
  });

  it('is what the present proofs do not cover', () => {
    const present = new Set(['gcc', 'ip', 'dnsperf']);
    const missing = missingRequirements(requirementsOf(list, ['native', 'lab', 'bench:dns']), (proof) => present.has(proof));
    expect(missing.map((r) => `${r.package}:${r.proof}`)).toEqual(['libc6-dev:/usr/include/stdio.h', 'dnsmasq-base:dnsmasq']);
    expect(missingRequirements(requirementsOf(list, ['native']), () => true)).toEqual([]);
  });
});

describe('the project\'s list', () => {
  const list = loadPackageList();
  const packagesOf = (group: string): string[] => requirementsOf(list, [group]).map((r) => r.package);

  it('has a group for each thing npm test runs, and the benchmarks\' groups', () => {
    expect(list.groups.map((g) => g.name)).toEqual(expect.arrayContaining([...TEST_GROUPS, 'bench:dns', 'bench:dhcp']));
  });

  it('names what each project drives', () => {
    expect(packagesOf('native')).toEqual(['gcc', 'libc6-dev']);
    expect(packagesOf('unit')).toEqual(['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross', 'openssl', 'systemd', 'openssh-server', 'fdisk']);
    expect(packagesOf('lab')).toEqual(expect.arrayContaining([
      'iproute2', 'nftables', 'procps', 'dnsmasq-base', 'dnsutils', 'busybox', 'isc-dhcp-client', 'curl', 'ca-certificates',
      'nginx-light', 'openssl', 'dnsperf', 'iperf3', 'socat', 'util-linux', 'chromium', 'kea-admin',
    ]));
    expect(packagesOf('browser')).toEqual(['chromium']);
    expect(packagesOf('bench:dhcp')).toEqual(['kea-admin', 'dnsmasq-base', 'tcpdump']);
    expect(requirementsOf(list, ['bench:dhcp'])[0]!.proof).toBe('perfdhcp');
  });

  it('keeps benchmark-only packages out of npm test', () => {
    expect(requirementsOf(list, TEST_GROUPS).map((r) => r.package)).not.toContain('tcpdump');
  });
});
