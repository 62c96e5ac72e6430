import { describe, expect, it } from 'vitest';
import { cookie } from '../pipeline/ids.ts';
import { CookieKind, Table } from '../pipeline/layout.ts';
import { smallLab } from '../pipeline/test-fixtures.ts';
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
    expect(lost).toMatchObject({ delivered: false, reason: 'tunnel-down' });
    expect(lost.hops.at(-1)).toMatchObject({ node: 'hv2', observation: 'dropped', detail: 'sent by hv1, never seen at hv2' });
    const missed: NodePass = {
      ...arrived,
      rules: [arrived.rules[0]!, { table: Table.L2, cookie: cookie(CookieKind.TABLE_MISS, 0, Table.L2) }],
      exits: [],
    };
    const path = assemblePath([sent, missed], lab, { start, target: 'web-c', observed: false });
    expect(path).toMatchObject({ delivered: false, reason: 'no-flow' });
    expect(path.hops.at(-1)).toMatchObject({
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
});
