import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { loadTopology, parseTopology } from './load.ts';
import { TopologyError, formatIssue, formatPath } from './issues.ts';
import { BASE, issuesOf, lines, pos } from './test-helpers.ts';

const FIXTURES = new URL('../../test/fixtures/topologies/', import.meta.url);

function only(source: string) {
  const issues = issuesOf(source);
  expect(issues.map(formatIssue)).toHaveLength(1);
  return issues[0]!;
}

describe('parseTopology: accepted files', () => {
  it('parses the complete example of the spec', async () => {
    const loaded = await loadTopology(new URL('nvp-basic.yaml', FIXTURES).pathname);
    expect(loaded.topology.name).toBe('nvp-basic');
    expect(loaded.topology['transport-nodes']?.hv1).toEqual({ role: 'hypervisor' });
    expect(loaded.topology['transport-nodes']?.hv3).toEqual({ role: 'hypervisor', encap: 'vxlan' });
    expect(loaded.topology.controllers).toEqual({ members: 3 });
    expect(loaded.topology.scenarios?.smoke).toHaveLength(2);
  });

  it('accepts every shorthand form', () => {
    const shapes = [
      'controllers: 1',
      'controllers: { members: 5 }',
      'controllers: { external: [tcp:192.0.2.10:6653, tcp:192.0.2.11:6633] }',
    ];
    for (const shape of shapes) expect(() => parseTopology(lines(...BASE, shape), 'lab.yaml')).not.toThrow();
    const loaded = parseTopology(lines('name: lab', 'controllers: { external: [tcp:192.0.2.10:6653] }'), 'lab.yaml');
    expect(loaded.topology.controllers).toEqual({ external: ['tcp:192.0.2.10:6653'] });
  });

  it('maps paths to positions, including scenario steps for the scenario module', async () => {
    const file = new URL('nvp-basic.yaml', FIXTURES).pathname;
    const source = await readFile(file, 'utf8');
    const loaded = parseTopology(source, file);
    expect(loaded.positionOf(['scenarios', 'smoke', 1, 'ping', 'from'])).toEqual(pos(source, 'web1, to: web2'));
    expect(loaded.positionOf(['logical-switches', 'web', 'ports', 'web3'], { atKey: true })).toEqual(pos(source, 'web3:'));
    const [placed] = loaded.toIssues([{ path: ['ping', 'to'], message: 'no such port' }], ['scenarios', 'smoke', 1]);
    expect(placed).toEqual({ file, ...pos(source, 'web2 }'), path: ['scenarios', 'smoke', 1, 'ping', 'to'], message: 'no such port' });
    // A missing key points at the mapping that lacks it.
    expect(loaded.positionOf(['underlay', 'nothing-here'])).toEqual(pos(source, 'subnet: 172.30.0.0/24'));
  });
});

describe('parseTopology: bad input', () => {
  it('reports an unknown top-level key at the key, listing the known ones', () => {
    const src = lines(...BASE, 'colour: red');
    const issue = only(src);
    expect(issue).toMatchObject({ file: 'lab.yaml', ...pos(src, 'colour'), path: ['colour'], message: 'unknown key "colour"' });
    expect(issue.expected).toContain('transport-nodes');
  });

  it('reports an unknown nested key at the key', () => {
    const src = lines(
      ...BASE,
      'logical-switches:',
      '  web:',
      '    subnet: 10.0.1.0/24',
      '    ports:',
      '      web1: { on: hv1, ip: 10.0.1.11, vlan: 3 }',
    );
    expect(only(src)).toMatchObject({
      ...pos(src, 'vlan'),
      path: ['logical-switches', 'web', 'ports', 'web1', 'vlan'],
      expected: 'one of on, ip, mac',
    });
  });

  it('reports a wrong type at the value', () => {
    const src = lines(...BASE, 'logical-switches:', '  web:', '    vni: "5001"', '    subnet: 10.0.1.0/24');
    expect(only(src)).toMatchObject({
      ...pos(src, '"5001"'),
      path: ['logical-switches', 'web', 'vni'],
      message: 'wrong type: got "5001"',
      expected: 'a VNI from 1 to 16777215',
    });
  });

  it('reports a missing key at the mapping that lacks it', () => {
    const src = lines(...BASE, 'logical-switches:', '  web:', '    subnet: 10.0.1.0/24', '    ports:', '      web1: { on: hv1 }');
    expect(only(src)).toMatchObject({
      ...pos(src, '{ on: hv1 }'),
      path: ['logical-switches', 'web', 'ports', 'web1', 'ip'],
      message: 'missing key "ip"',
    });
  });

  it('requires the lab name and checks its pattern', () => {
    const missing = lines('transport-nodes:', '  hv1: hypervisor');
    expect(only(missing)).toMatchObject({ line: 1, column: 1, path: ['name'], message: 'missing key "name"' });
    const bad = lines('name: My_Lab');
    expect(only(bad)).toMatchObject({ ...pos(bad, 'My_Lab'), path: ['name'], expected: 'a lab name matching [a-z][a-z0-9-]{0,19}' });
    const long = lines('name: a-name-that-is-far-too-long');
    expect(only(long).path).toEqual(['name']);
  });

  it('reports a bad name at the key', () => {
    const src = lines('name: lab', 'transport-nodes:', '  HV1: hypervisor');
    expect(only(src)).toMatchObject({ ...pos(src, 'HV1'), path: ['transport-nodes', 'HV1'], message: 'invalid name "HV1"' });
  });

  it('reports an unknown role of the shorthand form at the value', () => {
    const src = lines('name: lab', 'transport-nodes:', '  hv1: hypervsor', '  hv2: { role: hypervisor, encap: ipip }');
    const issues = issuesOf(src);
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatchObject({ ...pos(src, 'hypervsor'), path: ['transport-nodes', 'hv1'], message: 'invalid value "hypervsor"' });
    expect(issues[1]).toMatchObject({
      ...pos(src, 'ipip'),
      path: ['transport-nodes', 'hv2', 'encap'],
      expected: 'an encap: geneve, vxlan, gre',
    });
  });

  it('reports a port on a node that is not a hypervisor, or that does not exist', () => {
    const src = lines(
      ...BASE,
      'logical-switches:',
      '  web:',
      '    subnet: 10.0.1.0/24',
      '    ports:',
      '      web1: { on: sn1, ip: 10.0.1.11 }',
      '      web2: { on: hv9, ip: 10.0.1.12 }',
    );
    const [onService, onNothing] = issuesOf(src);
    expect(onService).toMatchObject({
      ...pos(src, 'sn1, ip'),
      path: ['logical-switches', 'web', 'ports', 'web1', 'on'],
      message: 'port web1 is on sn1, a service-node; a port must be on a hypervisor',
      expected: 'a hypervisor: hv1, hv2',
    });
    expect(onNothing).toMatchObject({ ...pos(src, 'hv9'), message: 'port web2 is on hv9, which is not a transport node' });
  });

  it('reports port addresses outside the switch subnet, and its network and broadcast addresses', () => {
    const src = lines(
      ...BASE,
      'logical-switches:',
      '  web:',
      '    subnet: 10.0.1.0/24',
      '    ports:',
      '      web1: { on: hv1, ip: 10.0.2.11 }',
      '      web2: { on: hv1, ip: 10.0.1.0 }',
      '      web3: { on: hv1, ip: 10.0.1.255 }',
    );
    const issues = issuesOf(src);
    expect(issues.map((i) => [i.line, i.column, i.path.at(-2)])).toEqual([
      [pos(src, '10.0.2.11').line, pos(src, '10.0.2.11').column, 'web1'],
      [pos(src, '10.0.1.0 ').line, pos(src, '10.0.1.0 ').column, 'web2'],
      [pos(src, '10.0.1.255').line, pos(src, '10.0.1.255').column, 'web3'],
    ]);
    expect(issues[0]!.message).toBe("port web1's address 10.0.2.11 is outside 10.0.1.0/24 (switch web)");
    expect(issues[0]!.expected).toBe('an address from 10.0.1.1 to 10.0.1.254');
    expect(issues[1]!.message).toContain('the network address');
    expect(issues[2]!.message).toContain('the broadcast address');
  });

  it('reports a duplicate IP inside one switch, and allows it across switches', () => {
    const src = lines(
      ...BASE,
      'logical-switches:',
      '  web:',
      '    subnet: 10.0.1.0/24',
      '    ports:',
      '      web1: { on: hv1, ip: 10.0.1.11 }',
      '      web2: { on: hv2, ip: 10.0.1.11 }',
      '  app:',
      '    subnet: 10.0.1.0/24',
      '    ports:',
      '      app1: { on: hv1, ip: 10.0.1.11 }',
    );
    expect(only(src)).toMatchObject({
      ...pos(src, '10.0.1.11', 2),
      path: ['logical-switches', 'web', 'ports', 'web2', 'ip'],
      message: "port web2's address 10.0.1.11 is already used by port web1 on switch web",
    });
  });

  it('reports a duplicate MAC inside one switch, also against a derived one', async () => {
    const { portMac } = await import('./derive.ts');
    const derived = portMac('web', 'web1');
    const src = lines(
      ...BASE,
      'logical-switches:',
      '  web:',
      '    subnet: 10.0.1.0/24',
      '    ports:',
      '      web1: { on: hv1, ip: 10.0.1.11 }',
      `      web2: { on: hv2, ip: 10.0.1.12, mac: "${derived.toUpperCase()}" }`,
      '      web3: { on: hv2, ip: 10.0.1.13, mac: "02:00:00:00:00:01" }',
      '      web4: { on: hv2, ip: 10.0.1.14, mac: "02:00:00:00:00:01" }',
    );
    const issues = issuesOf(src);
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatchObject({
      ...pos(src, `"${derived.toUpperCase()}`),
      path: ['logical-switches', 'web', 'ports', 'web2', 'mac'],
    });
    expect(issues[0]!.message).toContain('already used by port web1');
    expect(issues[1]).toMatchObject({
      ...pos(src, '"02:00:00:00:00:01', 2),
      message: "port web4's MAC 02:00:00:00:00:01 is already used by port web3 on switch web",
    });
  });

  it('reports a duplicate VNI at the second switch', () => {
    const src = lines(...BASE, 'logical-switches:', '  web: { vni: 7, subnet: 10.0.1.0/24 }', '  app: { vni: 7, subnet: 10.0.2.0/24 }');
    expect(only(src)).toMatchObject({
      ...pos(src, '7', 2),
      path: ['logical-switches', 'app', 'vni'],
      message: 'VNI 7 of switch app is already used by switch web',
    });
  });

  it('rejects VNIs and VLANs out of range', () => {
    const src = lines(
      'name: lab',
      'physical-networks:',
      '  office: { subnet: 192.168.10.0/24, vlan: 4095 }',
      '  lan: { vlan: 0 }',
      'logical-switches:',
      '  web: { vni: 0, subnet: 10.0.1.0/24 }',
      '  app: { vni: 16777216, subnet: 10.0.2.0/24 }',
    );
    const issues = issuesOf(src);
    expect(issues.map((i) => [i.line, i.column, i.path.at(-1), i.expected])).toEqual([
      [3, pos(src, '4095').column, 'vlan', 'a VLAN from 1 to 4094'],
      [4, pos(src, '0 }').column, 'vlan', 'a VLAN from 1 to 4094'],
      [6, pos(src, '0, subnet').column, 'vni', 'a VNI from 1 to 16777215'],
      [7, pos(src, '16777216').column, 'vni', 'a VNI from 1 to 16777215'],
    ]);
  });

  it('reports a name used twice at the second use, naming the first, across kinds', () => {
    const src = lines(
      ...BASE,
      'physical-networks:',
      '  web: { subnet: 192.168.10.0/24, hosts: { hv2: 192.168.10.5 } }',
      'logical-switches:',
      '  web:',
      '    subnet: 10.0.1.0/24',
    );
    const issues = issuesOf(src);
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatchObject({ ...pos(src, 'hv2: 192'), path: ['physical-networks', 'web', 'hosts', 'hv2'] });
    expect(issues[0]!.message).toBe('host hv2: the name is already used by transport node hv2 at transport-nodes.hv2 (line 4)');
    expect(issues[1]).toMatchObject({ ...pos(src, 'web:', 2), path: ['logical-switches', 'web'] });
    expect(issues[1]!.message).toContain('already used by physical network web');
  });

  it('reserves ctrl1 … ctrl5 for controller members', () => {
    const src = lines('name: lab', 'transport-nodes:', '  ctrl2: hypervisor', '  ctrl6: hypervisor');
    expect(only(src)).toMatchObject({ ...pos(src, 'ctrl2'), path: ['transport-nodes', 'ctrl2'] });
  });

  it('rejects an even controller count, in both forms, and bad external targets', () => {
    expect(only(lines('name: lab', 'controllers: 4'))).toMatchObject({
      line: 2,
      column: 14,
      path: ['controllers'],
      message: 'invalid value 4',
    });
    expect(only(lines('name: lab', 'controllers: { members: 2 }'))).toMatchObject({
      line: 2,
      column: 25,
      path: ['controllers', 'members'],
    });
    expect(only(lines('name: lab', 'controllers: { external: [tcp:192.0.2.10] }'))).toMatchObject({
      line: 2,
      column: 27,
      path: ['controllers', 'external', 0],
    });
    expect(only(lines('name: lab', 'controllers: { members: 3, external: [tcp:192.0.2.10:6653] }')).message).toBe(
      'invalid value a mapping',
    );
    expect(only(lines('name: lab', 'controllers: three')).expected).toContain('{ members: N }');
  });

  it('reports router interfaces on missing switches, outside the subnet, or on a port address', () => {
    const src = lines(
      ...BASE,
      'logical-switches:',
      '  web:',
      '    subnet: 10.0.1.0/24',
      '    ports:',
      '      web1: { on: hv1, ip: 10.0.1.11 }',
      'logical-routers:',
      '  edge:',
      '    switches:',
      '      nope: 10.0.9.1',
      '      web: 10.0.1.11',
      '  core:',
      '    switches: { web: 10.0.2.1 }',
    );
    const issues = issuesOf(src);
    expect(issues.map((i) => [i.line, i.column, i.path.join('.')])).toEqual([
      [pos(src, 'nope').line, pos(src, 'nope').column, 'logical-routers.edge.switches.nope'],
      [pos(src, '10.0.1.11', 2).line, pos(src, '10.0.1.11', 2).column, 'logical-routers.edge.switches.web'],
      [pos(src, '10.0.2.1').line, pos(src, '10.0.2.1').column, 'logical-routers.core.switches.web'],
    ]);
    expect(issues[0]!.message).toBe('router edge has an interface on nope, which is not a logical switch');
    expect(issues[0]!.expected).toBe('a logical switch: web');
    expect(issues[1]!.message).toContain('already used by port web1');
    expect(issues[2]!.message).toContain('outside 10.0.1.0/24');
  });

  it('reports an l2-gateway on a node that is not an l2-gateway, or onto a missing network', () => {
    const src = lines(
      ...BASE,
      'physical-networks:',
      '  office: { subnet: 192.168.10.0/24 }',
      'logical-switches:',
      '  web: { subnet: 10.0.1.0/24, l2-gateway: { on: hv1, network: office } }',
      '  app: { subnet: 10.0.2.0/24, l2-gateway: { on: gw1, network: lobby } }',
    );
    const [wrongNode, wrongNet] = issuesOf(src);
    expect(wrongNode).toMatchObject({
      ...pos(src, 'hv1, network'),
      path: ['logical-switches', 'web', 'l2-gateway', 'on'],
      message: 'the l2-gateway of switch web is on hv1, a hypervisor; a switch is bridged by an l2-gateway node',
      expected: 'an l2-gateway: gw1',
    });
    expect(wrongNet).toMatchObject({ ...pos(src, 'lobby'), path: ['logical-switches', 'app', 'l2-gateway', 'network'] });
  });

  it('reports uplink problems: missing network, address outside it, gateways that are not l3 gateways', () => {
    const src = lines(
      ...BASE,
      'physical-networks:',
      '  internet: { subnet: 203.0.113.0/24, hosts: { www: 203.0.113.80 } }',
      'logical-routers:',
      '  edge: { uplink: { network: moon, ip: 203.0.113.2, gateways: [gw2] } }',
      '  core: { uplink: { network: internet, ip: 198.51.100.2, gateways: [gw1, gw2, nope] } }',
      '  dmz: { uplink: { network: internet, ip: 203.0.113.80, gateways: [gw2] } }',
    );
    const issues = issuesOf(src);
    expect(issues.map((i) => formatPath(i.path))).toEqual([
      'logical-routers.edge.uplink.network',
      'logical-routers.core.uplink.ip',
      'logical-routers.core.uplink.gateways[0]',
      'logical-routers.core.uplink.gateways[2]',
      'logical-routers.dmz.uplink.ip',
    ]);
    expect(issues[2]).toMatchObject({
      ...pos(src, 'gw1, gw2'),
      message: "router core's uplink is on gw1, an l2-gateway; an uplink is hosted by l3-gateway nodes",
    });
    expect(issues[4]!.message).toContain('already used by host www');
  });

  it('reports a router joining overlapping subnets, an uplink overlapping its switches, an uplink on a VLAN', () => {
    const src = lines(
      ...BASE,
      'physical-networks:',
      '  office: { subnet: 192.168.10.0/24, vlan: 10 }',
      '  lan: { subnet: 10.0.0.0/16 }',
      'logical-switches:',
      '  web: { subnet: 10.0.1.0/24 }',
      '  app: { subnet: 10.0.1.0/25 }',
      '  db: { subnet: 10.1.2.0/24 }',
      'logical-routers:',
      '  edge: { switches: { web: 10.0.1.1, app: 10.0.1.2 } }',
      '  core: { switches: { web: 10.0.1.3 }, uplink: { network: lan, ip: 10.0.9.1, gateways: [gw2] } }',
      '  dmz: { switches: { db: 10.1.2.1 }, uplink: { network: office, ip: 192.168.10.2, gateways: [gw2] } }',
    );
    const issues = issuesOf(src);
    expect(issues.map((i) => [i.line, i.column, formatPath(i.path)])).toEqual([
      [pos(src, 'app: 10.0.1.2').line, pos(src, 'app: 10.0.1.2').column, 'logical-routers.edge.switches.app'],
      [pos(src, 'lan, ip').line, pos(src, 'lan, ip').column, 'logical-routers.core.uplink.network'],
      [pos(src, 'office, ip').line, pos(src, 'office, ip').column, 'logical-routers.dmz.uplink.network'],
    ]);
    expect(issues[0]!.message).toBe('router edge joins switches web and app, whose subnets 10.0.1.0/24 and 10.0.1.0/25 overlap');
    expect(issues[1]!.message).toBe("router core's uplink network lan (10.0.0.0/16) overlaps its switch web (10.0.1.0/24)");
    expect(issues[2]!.message).toBe("router dmz's uplink is on office, which is on VLAN 10; uplinks are untagged");
    expect(formatIssue(issues[2]!)).toMatch(/^lab\.yaml:\d+:\d+: .*\(expected a physical network without vlan\)$/);
  });

  it('reports a switch joined by more routers than the controller can number', () => {
    const routers = Array.from({ length: 17 }, (_, k) => `  r${k}: { switches: { web: 10.0.1.${k + 1} } }`);
    const src = lines(...BASE, 'logical-switches:', '  web: { subnet: 10.0.1.0/24 }', 'logical-routers:', ...routers);
    const issue = only(src);
    expect(issue).toMatchObject({ ...pos(src, 'web: 10.0.1.17'), path: ['logical-routers', 'r16', 'switches', 'web'] });
    expect(formatIssue(issue)).toMatch(/switch web is joined by more than 16 routers \(expected at most 16 routers per switch\)$/);
  });

  it('reports service-node replication in a lab without service nodes', () => {
    const noSn = ['name: lab', 'transport-nodes:', '  hv1: hypervisor'];
    const sw = lines(...noSn, 'logical-switches:', '  web: { subnet: 10.0.1.0/24, replication: service-node }');
    expect(only(sw)).toMatchObject({ ...pos(sw, 'service-node'), path: ['logical-switches', 'web', 'replication'] });
    const dflt = lines(
      ...noSn,
      'defaults: { replication: service-node }',
      'logical-switches:',
      '  web: { subnet: 10.0.1.0/24 }',
      '  app: { subnet: 10.0.2.0/24 }',
    );
    expect(only(dflt)).toMatchObject({ ...pos(dflt, 'service-node'), path: ['defaults', 'replication'] });
    expect(() =>
      parseTopology(lines(...BASE, 'defaults: { replication: service-node }', 'logical-switches:', '  web: { subnet: 10.0.1.0/24 }'), 'x'),
    ).not.toThrow();
  });

  it('reports host addresses outside their network, and hosts on a network without a subnet', () => {
    const src = lines(
      'name: lab',
      'physical-networks:',
      '  office:',
      '    subnet: 192.168.10.0/24',
      '    hosts:',
      '      printer: 192.168.11.50',
      '  lab:',
      '    hosts: { scope: 10.9.9.9 }',
    );
    const issues = issuesOf(src);
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatchObject({
      ...pos(src, '192.168.11.50'),
      path: ['physical-networks', 'office', 'hosts', 'printer'],
      message: "host printer's address 192.168.11.50 is outside 192.168.10.0/24 (network office)",
    });
    // `lab` is also the lab's name, which is not in the node namespace: only the subnet problem.
    expect(issues[1]).toMatchObject({
      ...pos(src, 'lab:'),
      path: ['physical-networks', 'lab'],
      message: 'physical network lab has hosts but no subnet',
    });
  });

  it('reports an empty file', () => {
    for (const src of ['', '\n', '# only a comment\n', '---\n']) {
      expect(only(src)).toMatchObject({ line: 1, column: 1, path: [], message: 'the file is empty', expected: 'a topology mapping' });
    }
  });

  it('reports a file that is not YAML with the position of the syntax error', () => {
    const src = lines('name: lab', 'transport-nodes:', '  hv1: [hypervisor', 'defaults: {}');
    const issues = issuesOf(src);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]!.message).toMatch(/^YAML syntax error: /);
    expect(issues[0]!.line).toBeGreaterThanOrEqual(3);
    const tab = issuesOf('name: lab\n\tcontrollers: 3\n');
    expect(tab[0]).toMatchObject({ line: 2, column: 1 });
  });

  it('reports a top level that is not a mapping', () => {
    expect(only('- hv1\n- hv2\n')).toMatchObject({
      line: 1,
      column: 1,
      message: 'the top level is a list',
      expected: 'a topology mapping',
    });
    expect(only('just text\n')).toMatchObject({ message: 'the top level is "just text"' });
  });

  it('reports duplicate YAML keys at the second one', () => {
    const src = lines(...BASE, '  hv1: service-node');
    expect(only(src)).toMatchObject({
      ...pos(src, 'hv1', 2),
      path: ['transport-nodes', 'hv1'],
      message: 'duplicate key "hv1"; the first one is at line 3',
    });
  });

  it('reports every problem of a file at once: YAML, schema and semantic ones', async () => {
    const file = new URL('many-problems.yaml', FIXTURES).pathname;
    const err = await loadTopology(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TopologyError);
    const { issues, exitCode, code } = err as TopologyError;
    expect(code).toBe('INVALID_TOPOLOGY');
    expect(exitCode).toBe(2);
    expect(issues.map((i) => `${i.line}:${i.column} ${i.path.join('.')}`)).toEqual([
      '1:7 name',
      '2:14 controllers',
      '5:3 transport-nodes.hv1',
      '6:8 transport-nodes.hv2',
      '11:5 logical-switches.web.colour',
      '14:19 logical-switches.web.ports.web4.on',
      '15:28 logical-switches.web.ports.web2.ip',
      '16:7 logical-switches.web.ports.sn1',
      '18:10 logical-switches.app.vni',
    ]);
    // Formatting is a separate step, with the file, position, path and expectation.
    expect(formatIssue(issues[6]!)).toBe(
      `${file}:15:28: logical-switches.web.ports.web2.ip: port web2's address 10.0.2.12 is outside 10.0.1.0/24 (switch web) (expected an address from 10.0.1.1 to 10.0.1.254)`,
    );
    expect((err as TopologyError).message.split('\n')[0]).toBe(`${file}: 9 problems`);
  });

  it('does not report references to entries the schema already rejected', () => {
    // hv1 has a bad role and is dropped before the semantic pass: web1 on hv1 is not "missing".
    const src = lines(
      'name: lab',
      'transport-nodes:',
      '  hv1: { role: hypervsor }',
      'logical-switches:',
      '  web: { subnet: 10.0.1.0/24, ports: { web1: { on: hv1, ip: 10.0.1.11 } } }',
    );
    expect(only(src).path).toEqual(['transport-nodes', 'hv1', 'role']);
  });

  it('does not claim there is no service node when one was dropped by the schema', () => {
    const src = lines(
      'name: lab',
      'transport-nodes: { sn1: servce-node }',
      'logical-switches: { web: { subnet: 10.0.1.0/24, replication: service-node } }',
    );
    expect(only(src).path).toEqual(['transport-nodes', 'sn1']);
  });

  it('reports a physical network bridged to two switches', () => {
    const src = lines(
      ...BASE,
      'physical-networks: { office: {} }',
      'logical-switches:',
      '  web: { subnet: 10.0.1.0/24, l2-gateway: { on: gw1, network: office } }',
      '  app: { subnet: 10.0.2.0/24, l2-gateway: { on: gw1, network: office } }',
    );
    expect(only(src)).toMatchObject({ ...pos(src, 'office', 3), message: 'physical network office is already bridged to switch web' });
  });

  it('requires each scenario to be a list of steps', () => {
    const src = lines('name: lab', 'scenarios:', '  smoke_test:', '    - expect: tunnels-up', '  bad: { ping: x }');
    expect(only(src)).toMatchObject({ ...pos(src, '{ ping'), path: ['scenarios', 'bad'], expected: 'a list of steps' });
  });

  it('resolves YAML aliases and rejects several documents in one file', () => {
    const aliased = lines('name: lab', 'transport-nodes:', '  hv1: &hv { role: hypervisor, encap: gre }', '  hv2: *hv');
    expect(parseTopology(aliased, 'x').topology['transport-nodes']?.hv2).toEqual({ role: 'hypervisor', encap: 'gre' });
    const two = lines('name: lab', '---', 'name: other');
    expect(only(two)).toMatchObject({ line: 2, column: 1 });
  });

  it('reports a file that cannot be read', async () => {
    await expect(loadTopology('/nonexistent/lab.yaml')).rejects.toMatchObject({
      code: 'INVALID_TOPOLOGY',
      issues: [{ message: 'cannot read the file: no such file' }],
    });
  });
});
