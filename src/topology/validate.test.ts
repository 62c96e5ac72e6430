// The semantic rules of a topology (validate.ts) as a user meets them: through parseTopology,
// each issue at the position of the key or value it is about.
import { describe, expect, it } from 'vitest';
import { formatIssue, formatPath } from './issues.ts';
import { parseTopology } from './load.ts';
import { BASE, WEB_PORTS, at, issuesOf, lines, onlyIssue, pos } from './test-helpers.ts';

describe('parseTopology: references, addresses and uniqueness across sections', () => {
  it('reports a port on a node that is not a hypervisor, or that does not exist', () => {
    const src = lines(...WEB_PORTS, '      web1: { on: sn1, ip: 10.0.1.11 }', '      web2: { on: hv9, ip: 10.0.1.12 }');
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
      ...WEB_PORTS,
      '      web1: { on: hv1, ip: 10.0.2.11 }',
      '      web2: { on: hv1, ip: 10.0.1.0 }',
      '      web3: { on: hv1, ip: 10.0.1.255 }',
    );
    const issues = issuesOf(src);
    expect(issues.map((i) => [i.line, i.column, i.path.at(-2)])).toEqual([
      [...at(src, '10.0.2.11'), 'web1'],
      [...at(src, '10.0.1.0 '), 'web2'],
      [...at(src, '10.0.1.255'), 'web3'],
    ]);
    expect(issues[0]!.message).toBe("port web1's address 10.0.2.11 is outside 10.0.1.0/24 (switch web)");
    expect(issues[0]!.expected).toBe('an address from 10.0.1.1 to 10.0.1.254');
    expect(issues[1]!.message).toContain('the network address');
    expect(issues[2]!.message).toContain('the broadcast address');
  });

  it('reports a duplicate IP inside one switch, and allows it across switches', () => {
    const src = lines(
      ...WEB_PORTS,
      '      web1: { on: hv1, ip: 10.0.1.11 }',
      '      web2: { on: hv2, ip: 10.0.1.11 }',
      '  app:',
      '    subnet: 10.0.1.0/24',
      '    ports:',
      '      app1: { on: hv1, ip: 10.0.1.11 }',
    );
    expect(onlyIssue(src)).toMatchObject({
      ...pos(src, '10.0.1.11', 2),
      path: ['logical-switches', 'web', 'ports', 'web2', 'ip'],
      message: "port web2's address 10.0.1.11 is already used by port web1 on switch web",
    });
  });

  it('reports a duplicate MAC inside one switch, also against a derived one', async () => {
    const { portMac } = await import('./derive.ts');
    const derived = portMac('web', 'web1');
    const src = lines(
      ...WEB_PORTS,
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
    expect(onlyIssue(src)).toMatchObject({
      ...pos(src, '7', 2),
      path: ['logical-switches', 'app', 'vni'],
      message: 'VNI 7 of switch app is already used by switch web',
    });
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
    expect(onlyIssue(src)).toMatchObject({ ...pos(src, 'ctrl2'), path: ['transport-nodes', 'ctrl2'] });
  });

  it('reports router interfaces on missing switches, outside the subnet, or on a port address', () => {
    const src = lines(
      ...WEB_PORTS,
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
      [...at(src, 'nope'), 'logical-routers.edge.switches.nope'],
      [...at(src, '10.0.1.11', 2), 'logical-routers.edge.switches.web'],
      [...at(src, '10.0.2.1'), 'logical-routers.core.switches.web'],
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
      [...at(src, 'app: 10.0.1.2'), 'logical-routers.edge.switches.app'],
      [...at(src, 'lan, ip'), 'logical-routers.core.uplink.network'],
      [...at(src, 'office, ip'), 'logical-routers.dmz.uplink.network'],
    ]);
    expect(issues[0]!.message).toBe('router edge joins switches web and app, whose subnets 10.0.1.0/24 and 10.0.1.0/25 overlap');
    expect(issues[1]!.message).toBe("router core's uplink network lan (10.0.0.0/16) overlaps its switch web (10.0.1.0/24)");
    expect(issues[2]!.message).toBe("router dmz's uplink is on office, which is on VLAN 10; uplinks are untagged");
    expect(formatIssue(issues[2]!)).toMatch(/^lab\.yaml:\d+:\d+: .*\(expected a physical network without vlan\)$/);
  });

  it('reports a switch joined by more routers than the controller can number', () => {
    const routers = Array.from({ length: 17 }, (_, k) => `  r${k}: { switches: { web: 10.0.1.${k + 1} } }`);
    const src = lines(...BASE, 'logical-switches:', '  web: { subnet: 10.0.1.0/24 }', 'logical-routers:', ...routers);
    const issue = onlyIssue(src);
    expect(issue).toMatchObject({ ...pos(src, 'web: 10.0.1.17'), path: ['logical-routers', 'r16', 'switches', 'web'] });
    expect(formatIssue(issue)).toMatch(/switch web is joined by more than 16 routers \(expected at most 16 routers per switch\)$/);
  });

  it('reports service-node replication in a lab without service nodes', () => {
    const noSn = ['name: lab', 'transport-nodes:', '  hv1: hypervisor'];
    const sw = lines(...noSn, 'logical-switches:', '  web: { subnet: 10.0.1.0/24, replication: service-node }');
    expect(onlyIssue(sw)).toMatchObject({ ...pos(sw, 'service-node'), path: ['logical-switches', 'web', 'replication'] });
    const dflt = lines(
      ...noSn,
      'defaults: { replication: service-node }',
      'logical-switches:',
      '  web: { subnet: 10.0.1.0/24 }',
      '  app: { subnet: 10.0.2.0/24 }',
    );
    expect(onlyIssue(dflt)).toMatchObject({ ...pos(dflt, 'service-node'), path: ['defaults', 'replication'] });
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

  it('does not report references to entries the schema already rejected', () => {
    // hv1 has a bad role and is dropped before the semantic pass: web1 on hv1 is not "missing".
    const src = lines(
      'name: lab',
      'transport-nodes:',
      '  hv1: { role: hypervsor }',
      'logical-switches:',
      '  web: { subnet: 10.0.1.0/24, ports: { web1: { on: hv1, ip: 10.0.1.11 } } }',
    );
    expect(onlyIssue(src).path).toEqual(['transport-nodes', 'hv1', 'role']);
  });

  it('does not claim there is no service node when one was dropped by the schema', () => {
    const src = lines(
      'name: lab',
      'transport-nodes: { sn1: servce-node }',
      'logical-switches: { web: { subnet: 10.0.1.0/24, replication: service-node } }',
    );
    expect(onlyIssue(src).path).toEqual(['transport-nodes', 'sn1']);
  });

  it('reports a physical network bridged to two switches', () => {
    const src = lines(
      ...BASE,
      'physical-networks: { office: {} }',
      'logical-switches:',
      '  web: { subnet: 10.0.1.0/24, l2-gateway: { on: gw1, network: office } }',
      '  app: { subnet: 10.0.2.0/24, l2-gateway: { on: gw1, network: office } }',
    );
    expect(onlyIssue(src)).toMatchObject({ ...pos(src, 'office', 3), message: 'physical network office is already bridged to switch web' });
  });
});
