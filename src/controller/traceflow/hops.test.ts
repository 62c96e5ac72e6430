import { describe, expect, it } from 'vitest';
import { expectDropped } from '../../../test/support/trace-hops.ts';
import { cookie } from '../pipeline/ids.ts';
import { CookieKind, Table } from '../pipeline/layout.ts';
import { securityLab, smallLab } from '../pipeline/test-fixtures.ts';
import { ruleMark } from '../pipeline/stages/acl.ts';
import { tunnelName } from '../pipeline/tunnels.ts';
import { assemblePath } from './hops.ts';
import type { NodePass } from './passes.ts';

const lab = smallLab();
const web = lab.switches.find((s) => s.name === 'web')!;
const vni = web.vni;
const rule = (table: number, kind: number, subject: string | number = 0) => ({ table, cookie: cookie(kind as never, vni, subject) });

const sent: NodePass = {
  node: 'hv1',
  entry: { kind: 'port', port: 'web-a' },
  rules: [rule(Table.CLASSIFY, CookieKind.CLASSIFY_VM, 'web-a'), rule(Table.L2, CookieKind.L2_REMOTE, 'web-c')],
  exits: [{ kind: 'tunnel', remote: 'hv2', encap: web.encap, vni }],
};
const arrived: NodePass = {
  node: 'hv2',
  entry: { kind: 'tunnel', remote: 'hv1', encap: web.encap, vni },
  rules: [rule(Table.CLASSIFY, CookieKind.CLASSIFY_TUNNEL, tunnelName('hv1', web.encap)), rule(Table.L2, CookieKind.L2_LOCAL, 'web-c')],
  exits: [{ kind: 'port', port: 'web-c' }],
};
const start = { node: 'hv1', entry: { kind: 'port', port: 'web-a' } as const };

describe('assemblePath', () => {
  it('strings a unicast across two nodes: received, the switch, the tunnel, received again, delivered', () => {
    const path = assemblePath([arrived, sent], lab, { start, target: 'web-c', observed: false });
    expect(path.delivered).toBe(true);
    expect(path.hops.map((h) => [h.node, h.component, h.observation, h.logical ?? h.tunnel?.remote])).toEqual([
      ['hv1', 'port', 'received', 'web-a'],
      ['hv1', 'logical-switch', 'forwarded', 'web'],
      ['hv1', 'tunnel', 'forwarded', 'hv2'],
      ['hv2', 'tunnel', 'received', 'hv1'],
      ['hv2', 'logical-switch', 'forwarded', 'web'],
      ['hv2', 'port', 'delivered', 'web-c'],
    ]);
    expect(path.hops[0]!.rule).toMatchObject({ table: 0, meaning: 'classify what port web-a sends on switch web' });
  });

  it('an injected copy never seen at the far end was lost in the tunnel; a table miss says no flow', () => {
    const lost = assemblePath([sent], lab, { start, target: 'web-c', observed: true });
    expectDropped(lost, 'tunnel-down', { node: 'hv2', observation: 'dropped', detail: 'sent by hv1, never seen at hv2' });
    const missed: NodePass = {
      ...arrived,
      rules: [arrived.rules[0]!, { table: Table.L2, cookie: cookie(CookieKind.TABLE_MISS, 0, Table.L2) }],
      exits: [],
    };
    const path = assemblePath([sent, missed], lab, { start, target: 'web-c', observed: false });
    expectDropped(path, 'no-flow', {
      node: 'hv2',
      observation: 'dropped',
      rule: { table: 10, meaning: 'drop: nothing else matches in table 10 (l2)' },
    });
  });

  it('counts the copies of a flood, and says when the source port is not there', () => {
    const flood: NodePass = { ...sent, exits: [{ kind: 'port', port: 'web-b' }, ...sent.exits] };
    const path = assemblePath([flood, arrived], lab, { start, target: 'web-c', observed: false });
    expect(path.hops.find((h) => h.observation === 'replicated')).toMatchObject({ node: 'hv1', copies: 2 });
    expect(path.delivered).toBe(true);
    expect(assemblePath([], lab, { start, target: 'web-c', observed: false })).toMatchObject({
      delivered: false,
      reason: 'port-not-bound',
    });
  });

  it('a copy lost at its sender says why there; a group that sent a copy nowhere adds a dropped hop', () => {
    const exit = sent.exits[0]!;
    const down: NodePass = { ...sent, losses: [{ reason: 'tunnel-down', detail: 'the BFD session is down', exit }] };
    const path = assemblePath([down], lab, { start, target: 'web-c', observed: false });
    expectDropped(path, 'tunnel-down', {
      node: 'hv1',
      component: 'tunnel',
      observation: 'dropped',
      detail: 'the BFD session is down',
      tunnel: { remote: 'hv2' },
    });
    const nowhere: NodePass = {
      ...sent,
      exits: [{ kind: 'port', port: 'web-b' }],
      losses: [{ reason: 'tunnel-down', detail: 'no live bucket' }],
    };
    expect(assemblePath([nowhere], lab, { start, target: 'web-c', observed: false }).hops.at(-1)).toMatchObject({
      observation: 'dropped',
      reason: 'tunnel-down',
      detail: 'no live bucket',
    });
  });

  it("goes through a router's step to the gateway's pass from the router's egress port; a router as target is delivered there", () => {
    const into: NodePass = {
      node: 'hv1',
      entry: { kind: 'port', port: 'web-a' },
      rules: [],
      exits: [{ kind: 'router-port', router: 'edge', switch: 'web' }],
    };
    const step: NodePass = {
      node: 'hv1',
      entry: { kind: 'router-port', router: 'edge', switch: 'web' },
      rules: [],
      exits: [{ kind: 'router-port', router: 'edge', switch: 'db' }],
      route: { router: 'edge', destination: '10.1.0.10', ttl: 63 },
    };
    const out: NodePass = {
      node: 'hv1',
      entry: { kind: 'router-port', router: 'edge', switch: 'db' },
      rules: [],
      exits: [{ kind: 'port', port: 'db-d' }],
    };
    const path = assemblePath([into, step, out], lab, { start, target: 'db-d', observed: false });
    expect(path.delivered).toBe(true);
    expect(path.hops.map((h) => [h.component, h.observation, h.detail])).toEqual([
      ['port', 'received', 'sent by port web-a'],
      ['logical-router', 'forwarded', "into router edge's interface on switch web"],
      ['logical-router', 'received', 'router edge takes it in on its interface on switch web'],
      ['logical-router', 'forwarded', 'routed towards 10.1.0.10 out of its interface on switch db, TTL 63'],
      ['logical-router', 'received', "from router edge's interface on switch db"],
      ['port', 'delivered', 'to port db-d'],
    ]);
    const toRouter = assemblePath([into], lab, { start, target: 'edge', observed: false });
    expect(toRouter.delivered).toBe(true);
    expect(toRouter.hops.at(-1)).toMatchObject({ component: 'logical-router', observation: 'delivered', logical: 'edge' });
  });

  it('names the security group rule that dropped a packet, and keeps no-flow for a plain miss', () => {
    const secured = securityLab();
    const udp53 = secured.securityGroups!.find((g) => g.name === 'web')!.rules[2]!;
    const dropped: NodePass = {
      node: 'hv1',
      entry: { kind: 'port', port: 'web-a' },
      rules: [
        rule(Table.CLASSIFY, CookieKind.CLASSIFY_VM, 'web-a'),
        rule(Table.ACL_OUT, CookieKind.ACL_TRACK, 'web-a'),
        rule(Table.ACL_OUT_DECIDE, CookieKind.ACL_RULE, ruleMark('web', udp53)),
      ],
      exits: [],
    };
    const path = assemblePath([dropped], secured, { start, target: 'web-c', observed: false });
    expect(path).toMatchObject({ delivered: false, reason: 'security-group' });
    expect(path.hops.at(-1)!.detail).toBe('dropped by rule 3 of group web (drop egress udp 53 to 10.0.0.0/8)');
    const missed = assemblePath([{ ...dropped, rules: dropped.rules.slice(0, 1) }], secured, { start, target: 'web-c', observed: false });
    expect(missed.reason).toBe('no-flow');
  });

  it("says a reject rule rejected the packet, and names a port's default and port security", () => {
    const secured = securityLab();
    const web = secured.securityGroups!.find((g) => g.name === 'web')!;
    const reject = { ...web.rules[0]!, index: 3, ports: { min: 443, max: 443 }, action: 'reject' as const };
    const withReject = { ...secured, securityGroups: [{ ...web, rules: [...web.rules, reject] }] };
    const last = (kind: number, table: number, subject: string | number) =>
      assemblePath(
        [
          {
            node: 'hv1',
            entry: start.entry,
            rules: [rule(Table.CLASSIFY, CookieKind.CLASSIFY_VM, 'web-a'), rule(table, kind, subject)],
            exits: [],
          },
        ],
        withReject,
        { start, target: 'web-c', observed: true },
      );
    const rejected = last(CookieKind.ACL_RULE, Table.ACL_IN_DECIDE, ruleMark('web', reject));
    expect(rejected.reason).toBe('security-group');
    expect(rejected.hops.at(-1)!.detail).toBe(
      'rejected by rule 4 of group web (reject ingress tcp 443 from 0.0.0.0/0): its sender gets a TCP reset or an ICMP port unreachable',
    );
    expect(last(CookieKind.ACL_DEFAULT, Table.ACL_IN_DECIDE, 'web-c').hops.at(-1)!.detail).toBe(
      "dropped by the default of port web-c's groups: no rule lets it in",
    );
    expect(last(CookieKind.PORT_SECURITY_DROP, Table.PORT_SECURITY, 'web-a').hops.at(-1)).toMatchObject({
      reason: 'security-group',
      detail: 'dropped by port security of port web-a: a frame from an address not its own',
    });
  });
});
