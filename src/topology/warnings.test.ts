import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { formatIssue } from './issues.ts';
import { loadTopology, parseTopology } from './load.ts';
import { BASE, issuesOf, lines, pos } from './test-helpers.ts';
import { planLab } from './plan.ts';
import { validateTopology } from './validate.ts';
import { topologyWarnings } from './warnings.ts';

const ROOT = new URL('../../', import.meta.url);

const bridged = (switchSubnet: string, networkSubnet: string): string =>
  lines(
    ...BASE,
    'physical-networks:',
    '  office:',
    `    subnet: ${networkSubnet}`,
    '    hosts: { printer: 192.168.10.50 }',
    'logical-switches:',
    '  web:',
    `    subnet: ${switchSubnet}`,
    '    l2-gateway: { on: gw1, network: office }',
  );

describe('topology warnings: a switch bridged onto a physical network of another subnet', () => {
  it('warns at the bridge, naming both subnets and where each is given, and the file stays valid', () => {
    const src = bridged('10.0.1.0/24', '192.168.10.0/24');
    const loaded = parseTopology(src, 'lab.yaml');
    expect(loaded.warnings).toEqual([
      {
        file: 'lab.yaml',
        ...pos(src, 'office }'),
        path: ['logical-switches', 'web', 'l2-gateway', 'network'],
        message:
          'switch web (subnet 10.0.1.0/24, line 14) is bridged onto physical network office (subnet 192.168.10.0/24, line 10): ' +
          "the switch's VMs can never reach the hosts there",
        expected: 'the same subnet on the switch and on the physical network it is bridged onto',
      },
    ]);
    expect(pos(src, '10.0.1.0/24').line).toBe(14);
    expect(pos(src, '192.168.10.0/24').line).toBe(10);
    expect(formatIssue(loaded.warnings[0]!)).toMatch(
      /^lab\.yaml:15:37: logical-switches\.web\.l2-gateway\.network: switch web \(subnet 10\.0\.1\.0\/24, line 14\)/,
    );
  });

  it('says only some pairs reach when the subnets overlap without being equal', () => {
    const [warning] = parseTopology(bridged('192.168.10.0/25', '192.168.10.0/24'), 'lab.yaml').warnings;
    expect(warning?.message).toBe(
      'switch web (subnet 192.168.10.0/25, line 14) is bridged onto physical network office (subnet 192.168.10.0/24, line 10): ' +
        'a VM and a host there reach each other only when both addresses are inside both subnets',
    );
  });

  it('is silent for the same subnet, for a network without a subnet, and for switches not bridged', () => {
    expect(parseTopology(bridged('192.168.10.0/24', '192.168.10.0/24'), 'lab.yaml').warnings).toEqual([]);
    const noSubnet = lines(
      ...BASE,
      'physical-networks: { office: {} }',
      'logical-switches:',
      '  web: { subnet: 10.0.1.0/24, l2-gateway: { on: gw1, network: office } }',
      '  app: { subnet: 10.0.2.0/24 }',
    );
    expect(parseTopology(noSubnet, 'lab.yaml').warnings).toEqual([]);
  });

  it('leaves the lines out when positions are unknown, and is no error: validation and planning accept the file', () => {
    const loaded = parseTopology(bridged('10.0.1.0/24', '192.168.10.0/24'), 'lab.yaml');
    expect(validateTopology(loaded.topology)).toEqual([]);
    expect(() => planLab(loaded.topology)).not.toThrow();
    expect(topologyWarnings(loaded.topology)[0]?.message).toBe(
      "switch web (subnet 10.0.1.0/24) is bridged onto physical network office (subnet 192.168.10.0/24): the switch's VMs can never reach the hosts there",
    );
  });

  it('is not mixed into the problems of an invalid file', () => {
    const src = bridged('10.0.1.0/24', '192.168.10.0/24').replace('gw1: l2-gateway', 'gw1: l2-gatewy');
    expect(issuesOf(src).map((i) => i.message)).not.toContainEqual(expect.stringContaining('never reach'));
  });

  it('leaves the built-in topologies without warnings; the spec example bridges across subnets and only warns', async () => {
    const dir = new URL('topologies/', ROOT);
    for (const name of (await readdir(dir)).filter((f) => f.endsWith('.yaml'))) {
      expect((await loadTopology(new URL(name, dir).pathname)).warnings, name).toEqual([]);
    }
    const example = await loadTopology(new URL('test/fixtures/topologies/nvp-basic.yaml', ROOT).pathname);
    expect(example.warnings.map((w) => w.path.join('.'))).toEqual(['logical-switches.web.l2-gateway.network']);
  });
});
