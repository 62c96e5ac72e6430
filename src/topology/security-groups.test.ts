// Security groups, a port's groups, port security and QoS in a topology file: every problem at
// once at its line and column, what the plan carries, and an older file planned as before.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIssue } from './issues.ts';
import { parseTopology } from './load.ts';
import { planLab } from './plan.ts';
import { issuesOf, lines, pos } from './test-helpers.ts';

const GROUPS = [
  'name: lab',
  'transport-nodes:',
  '  hv1: hypervisor',
  '  hv2: hypervisor',
  'security-groups:',
  '  web:',
  '    - { direction: ingress, protocol: tcp, ports: 80 }',
  '    - { direction: ingress, protocol: tcp, ports: 8000-8080, remote: admin }',
  '    - { direction: ingress, protocol: icmp, remote: admin }',
  '    - { direction: egress, protocol: udp, ports: 53, remote: 10.0.0.0/8, action: drop }',
  '  admin: []',
  'logical-switches:',
  '  web:',
  '    subnet: 10.0.1.0/24',
  '    ports:',
];

describe('security groups in a topology file', () => {
  it("reports every problem at once, each at its place: rules, a port's groups, port security and QoS", () => {
    const src = lines(
      'name: lab',
      'transport-nodes:',
      '  hv1: hypervisor',
      'security-groups:',
      '  web:',
      '    - { direction: ingress, protocol: tcp, ports: 80, remote: admin }',
      '    - { direction: ingress, protocol: tcp, ports: 8000-8080, remote: ops }',
      '    - { direction: ingress, port: 22 }',
      '  admin:',
      '    - { direction: egress, remote: web }',
      '    - { direction: egress, protocol: udp, ports: 70000 }',
      '  bad:',
      '    - { direction: inbound, protocol: icmp, ports: 22 }',
      '  worse:',
      '    - { direction: ingress, protocol: any, ports: 22 }',
      'logical-switches:',
      '  web:',
      '    subnet: 10.0.1.0/24',
      '    ports:',
      '      web1: { on: hv1, ip: 10.0.1.11, security-groups: [web, db, web, bad], qos: { rate: 10 mbit } }',
      '      web2: { on: hv1, ip: 10.0.1.12, port-security: yes, qos: { rate: 1gbit, burst: lots }, security-groups: admin }',
    );
    // bad is dropped for its wrong direction, so web1 naming it is not reported again.
    expect(issuesOf(src).map(formatIssue)).toEqual([
      'lab.yaml:7:70: security-groups.web[1].remote: rule 2 of security group web has remote ops, which is neither a subnet nor a security group (expected a subnet like 10.0.0.0/8, or a security group: web, admin, worse)',
      'lab.yaml:8:29: security-groups.web[2].port: unknown key "port" (expected one of direction, protocol, ports, remote, action)',
      'lab.yaml:11:50: security-groups.admin[1].ports: invalid value 70000 (expected a port from 1 to 65535, or a range like 8000-8080)',
      'lab.yaml:13:20: security-groups.bad[0].direction: invalid value "inbound" (expected a direction: ingress, egress)',
      'lab.yaml:15:51: security-groups.worse[0].ports: invalid value 22 (expected ports apply to tcp and udp only, not any)',
      'lab.yaml:20:62: logical-switches.web.ports.web1.security-groups[1]: port web1 is in db, which is not a security group (expected a security group: web, admin, worse)',
      'lab.yaml:20:66: logical-switches.web.ports.web1.security-groups[2]: port web1 lists security group web twice (expected each group once)',
      'lab.yaml:20:90: logical-switches.web.ports.web1.qos.rate: invalid value "10 mbit" (expected a rate like 500kbit, 10mbit or 1gbit)',
      'lab.yaml:21:54: logical-switches.web.ports.web2.port-security: wrong type: got "yes" (expected true or false)',
      'lab.yaml:21:86: logical-switches.web.ports.web2.qos.burst: invalid value "lots" (expected a rate like 500kbit, 10mbit or 1gbit)',
      'lab.yaml:21:111: logical-switches.web.ports.web2.security-groups: wrong type: got "admin" (expected a list of security group names)',
    ]);
  });

  it('reports a port in a group when the file has no security-groups at all', () => {
    const src = lines(
      'name: lab',
      'transport-nodes:',
      '  hv1: hypervisor',
      'logical-switches:',
      '  web:',
      '    subnet: 10.0.1.0/24',
      '    ports:',
      '      web1: { on: hv1, ip: 10.0.1.11, security-groups: [web] }',
    );
    const { line, column } = pos(src, 'web] }');
    expect(issuesOf(src).map(formatIssue)).toEqual([
      `lab.yaml:${line}:${column}: logical-switches.web.ports.web1.security-groups[0]: port web1 is in web, which is not a security group (expected a security group: none in this lab)`,
    ]);
  });

  it('lets a group share its name with a switch, and a rule name its own group', () => {
    const src = lines(...GROUPS, '      web1: { on: hv1, ip: 10.0.1.11, security-groups: [web] }');
    expect(parseTopology(src.replace('remote: admin }', 'remote: web }'), 'lab.yaml').topology['security-groups']).toHaveProperty('web');
  });

  it('plans the groups with their rules complete, and each port with what the file gives it', () => {
    const src = lines(
      ...GROUPS,
      '      web1: { on: hv1, ip: 10.0.1.11, security-groups: [web, admin], qos: { rate: 10mbit, burst: 1mbit } }',
      '      web2: { on: hv2, ip: 10.0.1.12, security-groups: [web], port-security: false }',
      '      web3: { on: hv2, ip: 10.0.1.13, port-security: true, security-groups: [] }',
      '      web4: { on: hv1, ip: 10.0.1.14 }',
    );
    const plan = planLab(parseTopology(src, 'lab.yaml').topology);
    expect(plan.securityGroups).toEqual([
      {
        name: 'web',
        rules: [
          { direction: 'ingress', protocol: 'tcp', ports: 80, remote: '0.0.0.0/0', action: 'allow' },
          { direction: 'ingress', protocol: 'tcp', ports: '8000-8080', remote: 'admin', action: 'allow' },
          { direction: 'ingress', protocol: 'icmp', remote: 'admin', action: 'allow' },
          { direction: 'egress', protocol: 'udp', ports: 53, remote: '10.0.0.0/8', action: 'drop' },
        ],
      },
      { name: 'admin', rules: [] },
    ]);
    const fields = plan.switches[0]!.ports.map(({ name, securityGroups, portSecurity, qos }) => ({
      name,
      securityGroups,
      portSecurity,
      qos,
    }));
    expect(fields).toEqual([
      { name: 'web1', securityGroups: ['web', 'admin'], portSecurity: undefined, qos: { rate: '10mbit', burst: '1mbit' } },
      { name: 'web2', securityGroups: ['web'], portSecurity: false, qos: undefined },
      { name: 'web3', securityGroups: undefined, portSecurity: true, qos: undefined },
      { name: 'web4', securityGroups: undefined, portSecurity: undefined, qos: undefined },
    ]);
    expect(Object.keys(plan.switches[0]!.ports[3]!)).not.toContain('securityGroups');
  });

  it('plans an older file exactly as before: no groups, ports without the new keys', () => {
    const file = new URL('../../test/fixtures/topologies/nvp-basic.yaml', import.meta.url).pathname;
    const plan = planLab(parseTopology(readFileSync(file, 'utf8'), file).topology);
    expect(plan).not.toHaveProperty('securityGroups');
    for (const p of plan.switches.flatMap((s) => s.ports)) {
      expect(Object.keys(p).sort()).toEqual(['ifname', 'ip', 'mac', 'name', 'node', 'prefixLength', 'switch', 'vni']);
    }
  });
});
