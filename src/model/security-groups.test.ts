// Security groups, a port's groups, port security and QoS: what the schemas accept and refuse,
// and what the pipeline is given of them (the logical state).
import { describe, expect, it } from 'vitest';
import { formatPortRange } from './fields.ts';
import { logicalState } from './logical-state.ts';
import { LogicalPortSchema, LogicalPortUpdateSchema, SecurityGroupSchema, SecurityRuleSchema } from './resources.ts';

const issues = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (r.error?.issues ?? []).map((i) => [i.path.join('.'), i.message]);

describe('security group schemas', () => {
  it('fills a rule in: any protocol, from anywhere, allowed', () => {
    expect(SecurityGroupSchema.parse({ name: 'web', rules: [{ direction: 'ingress' }] })).toEqual({
      name: 'web',
      rules: [{ direction: 'ingress', protocol: 'any', remote: '0.0.0.0/0', action: 'allow' }],
    });
    expect(SecurityGroupSchema.parse({ name: 'admin' })).toEqual({ name: 'admin', rules: [] });
  });

  it('refuses every wrong field of a rule, each with what it expected', () => {
    const r = SecurityGroupSchema.safeParse({
      name: 'web',
      rules: [
        { direction: 'in', protocol: 'sctp', ports: '90-80', remote: '10.0.0.1/8', action: 'permit' },
        { direction: 'ingress', protocol: 'icmp', ports: 80 },
        { direction: 'egress', protocol: 'tcp', ports: 70000, remote: 'Web' },
      ],
    });
    expect(issues(r)).toEqual([
      ['rules.0.direction', 'a direction: ingress, egress'],
      ['rules.0.protocol', 'a protocol: icmp, tcp, udp, any'],
      ['rules.0.ports', 'a port from 1 to 65535, or a range like 8000-8080'],
      ['rules.0.remote', "a subnet like 10.0.0.0/8 (0.0.0.0/0: anywhere) or a security group's name"],
      ['rules.0.action', 'an action: allow, allow-stateless, drop, reject'],
      ['rules.1.ports', 'ports apply to tcp and udp only, not icmp'],
      ['rules.2.ports', 'a port from 1 to 65535, or a range like 8000-8080'],
      ['rules.2.remote', "a subnet like 10.0.0.0/8 (0.0.0.0/0: anywhere) or a security group's name"],
    ]);
  });

  it("checks a port's groups, port security and QoS", () => {
    const port = { name: 'web1', switch: 'web', mac: '02:00:00:00:01:11' };
    expect(issues(LogicalPortSchema.safeParse({ ...port, portSecurity: 'yes', qos: { rate: '10 Mb' } }))).toEqual([
      ['portSecurity', 'true or false'],
      ['qos.rate', 'a rate like 500kbit, 10mbit or 1gbit'],
    ]);
    expect(issues(LogicalPortSchema.safeParse({ ...port, securityGroups: ['web', 'web'] }))).toEqual([
      ['securityGroups.1', 'web is listed twice'],
    ]);
  });
});

describe('one spelling of what the store keeps', () => {
  it("sorts a port's groups and drops an empty list, as the store reads them back; duplicates keep their place", () => {
    const port = { name: 'web1', switch: 'web', mac: '02:00:00:00:01:11' };
    expect(LogicalPortSchema.parse({ ...port, securityGroups: ['web', 'admin'] }).securityGroups).toEqual(['admin', 'web']);
    expect(LogicalPortSchema.parse({ ...port, securityGroups: [] })).toEqual(port);
    expect(LogicalPortUpdateSchema.parse({ switch: 'web', mac: port.mac, securityGroups: ['z', 'a'] }).securityGroups).toEqual(['a', 'z']);
    expect(issues(LogicalPortSchema.safeParse({ ...port, securityGroups: ['b', 'a', 'a'] }))).toEqual([
      ['securityGroups.2', 'a is listed twice'],
    ]);
  });

  it("writes a rule's ports as a number for one port and A-B for a range", () => {
    const rule = (ports: number | string) => SecurityRuleSchema.parse({ direction: 'ingress', protocol: 'tcp', ports }).ports;
    expect([rule(80), rule('80'), rule('80-80'), rule('8000-8080')]).toEqual([80, 80, 80, '8000-8080']);
    expect(formatPortRange({ min: 1, max: 65535 })).toBe('1-65535');
  });
});

describe('the logical state of security groups', () => {
  const port = (name: string, extra: object) => LogicalPortSchema.parse({ name, switch: 'web', mac: '02:00:00:00:01:11', ...extra });

  it('resolves rules (index, port range, remote), port security by default in a group, and QoS in kbit', () => {
    const state = logicalState(
      [],
      [],
      [
        port('a', { securityGroups: ['web', 'admin'] }),
        port('b', { securityGroups: ['web'], portSecurity: false, qos: { rate: '10mbit' } }),
        port('c', { portSecurity: true, qos: { rate: '1.5mbit', burst: '500kbit' } }),
        port('d', {}),
      ],
      [],
      [
        SecurityGroupSchema.parse({
          name: 'web',
          rules: [
            { direction: 'ingress', protocol: 'tcp', ports: 80 },
            { direction: 'ingress', protocol: 'tcp', ports: '8000-8080', remote: 'admin', action: 'reject' },
          ],
        }),
        SecurityGroupSchema.parse({ name: 'admin' }),
      ],
    );
    expect(state.ports.map(({ name, securityGroups, portSecurity, qos }) => ({ name, securityGroups, portSecurity, qos }))).toEqual([
      { name: 'a', securityGroups: ['admin', 'web'], portSecurity: true, qos: undefined },
      { name: 'b', securityGroups: ['web'], portSecurity: undefined, qos: { rateKbps: 10_000, burstKbits: 4000 } },
      { name: 'c', securityGroups: undefined, portSecurity: true, qos: { rateKbps: 1500, burstKbits: 500 } },
      { name: 'd', securityGroups: undefined, portSecurity: undefined, qos: undefined },
    ]);
    expect(state.securityGroups).toEqual([
      { name: 'admin', rules: [] },
      {
        name: 'web',
        rules: [
          { index: 0, direction: 'ingress', protocol: 'tcp', ports: { min: 80, max: 80 }, remote: { cidr: '0.0.0.0/0' }, action: 'allow' },
          {
            index: 1,
            direction: 'ingress',
            protocol: 'tcp',
            ports: { min: 8000, max: 8080 },
            remote: { group: 'admin' },
            action: 'reject',
          },
        ],
      },
    ]);
    expect(logicalState([], [], [port('d', {})]).securityGroups).toBeUndefined();
  });
});
