import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { affectedNodes } from './affected.ts';
import { desiredFlows } from './flows.ts';
import { patchRemotePorts } from './incremental.ts';
import { PipelineMemo } from './memo.ts';
import { flowKey, instructionsKey } from './normalize.ts';
import { installed, reconcile } from './reconcile.ts';
import { expectedPorts } from './routers.ts';
import { distributedLab, smallLab } from './test-fixtures.ts';
import { desiredTunnels, tunnelName } from './tunnels.ts';
import type { FlowModMsg, GroupModMsg, NodeFacts } from './types.ts';
import type { LogicalState, StatePort } from '../../model/index.ts';

const NODES = ['hv1', 'hv2', 'hv3', 'hv4'];
const NAMES = ['p1', 'p2', 'p3', 'p4', 'p5', 'web-a', 'web-b', 'web-c', 'db-d', 'db-e'];

// Every node reports every port and tunnel it could have: the facts do not change between the
// two states, so any difference in a node's output comes from the logical change alone.
const facts: NodeFacts = {
  vmPorts: new Map(NAMES.map((n, i) => [n, i + 1])),
  tunnelPorts: new Map(NODES.flatMap((n, i) => (['geneve', 'vxlan'] as const).map((e, k) => [tunnelName(n, e), 100 + 2 * i + k] as const))),
};

const withPorts = (base: LogicalState, ports: StatePort[]): LogicalState => ({ ...base, ports });

describe('affectedNodes', () => {
  const lab = smallLab();
  const port = (name: string, node: string | undefined, extra: Partial<StatePort> = {}): StatePort => ({
    name,
    switch: 'web',
    mac: `02:00:00:00:01:${(NAMES.indexOf(name) + 16).toString(16)}`,
    ...(node ? { node } : {}),
    ...extra,
  });

  test('a port not plugged in yet reaches its own node only', () => {
    expect(affectedNodes(lab, withPorts(lab, [...lab.ports, port('p1', 'hv2', { up: false })]))).toEqual(new Set(['hv2']));
  });

  test('plugging it in reaches every node of its switch', () => {
    const before = withPorts(lab, [...lab.ports, port('p1', 'hv2', { up: false })]);
    expect(affectedNodes(before, withPorts(lab, [...lab.ports, port('p1', 'hv2')]))).toEqual(new Set(['hv1', 'hv2']));
  });

  test('a switch that gains a node reaches the nodes of that switch only', () => {
    expect(affectedNodes(lab, withPorts(lab, [...lab.ports, port('p1', 'hv4', { up: false })]))).toEqual(new Set(['hv1', 'hv2', 'hv4']));
  });

  test('any change beyond ports reaches all', () => {
    expect(affectedNodes(lab, { ...lab, switches: lab.switches.map((s) => ({ ...s, encap: 'gre' as const })) })).toBe('all');
    expect(affectedNodes(lab, { ...lab, nodes: lab.nodes.map((n) => ({ ...n, underlayMac: '02:00:00:00:09:09' })) })).toBe('all');
  });

  test('a security group changed, or a port joining, leaving or entering one, reaches all: rules anywhere may name the group', () => {
    const rule = { index: 1, direction: 'ingress', protocol: 'icmp', remote: { group: 'ops' }, action: 'allow' } as const;
    const grouped = {
      ...lab,
      securityGroups: [
        { name: 'db', rules: [rule] },
        { name: 'ops', rules: [] },
      ],
    };
    expect(
      affectedNodes(grouped, {
        ...grouped,
        securityGroups: [
          { name: 'db', rules: [] },
          { name: 'ops', rules: [] },
        ],
      }),
    ).toBe('all');
    const before = withPorts(grouped, [...lab.ports, port('p1', 'hv2', { ip: '10.0.1.22' })]);
    const joined = withPorts(grouped, [...lab.ports, port('p1', 'hv2', { ip: '10.0.1.22', securityGroups: ['ops'] })]);
    expect(affectedNodes(before, joined)).toBe('all');
    expect(affectedNodes(joined, before)).toBe('all');
    expect(affectedNodes(grouped, joined)).toBe('all');
    expect(affectedNodes(joined, grouped)).toBe('all');
    expect(affectedNodes(before, withPorts(grouped, [...lab.ports, port('p1', 'hv2', { ip: '10.0.1.22', portSecurity: true })]))).toBe(
      'all',
    );
    // Outside any group, a port plugged elsewhere is still a change of ports only.
    expect(affectedNodes(grouped, before)).toEqual(new Set(['hv1', 'hv2']));
  });

  test('equal states reach nothing', () => {
    expect(affectedNodes(lab, { ...lab, ports: [...lab.ports] })).toEqual(new Set());
  });

  // The promise the programmer relies on when it skips a node: whatever a change of ports does,
  // a node left out has the same tunnels, flows, groups and expected ports before and after; with
  // distributed routers too, whose routes follow the ports of every switch they join.
  test.each([
    ['the small lab', smallLab()],
    ['the small lab with distributed routers', distributedLab()],
  ])('a node left out computes the same br-int before and after: %s', (_name, base) => {
    const portArb = fc.record({
      name: fc.constantFrom(...NAMES),
      switch: fc.constantFrom('web', 'db'),
      mac: fc.constantFrom('02:00:00:00:00:0a', '02:00:00:00:00:0b', '02:00:00:00:00:1a', '02:00:00:00:00:1b'),
      node: fc.option(fc.constantFrom(...NODES), { nil: undefined }),
      up: fc.option(fc.boolean(), { nil: undefined }),
      ip: fc.option(fc.constantFrom('10.0.0.20', '10.1.0.20', '10.1.0.11'), { nil: undefined }),
    });
    const portsArb = fc.uniqueArray(portArb, { selector: (p) => p.name, maxLength: 8 }).map((ps) =>
      ps.map(({ node, up, ip, ...p }) => ({
        ...p,
        ...(node ? { node } : {}),
        ...(up === undefined ? {} : { up }),
        ...(ip ? { ip } : {}),
      })),
    );
    // The second state is the first with one port added, removed or changed, as a change through
    // the API or a VM plugged in gives it; a port's node among hv1..hv3 keeps most switches'
    // hosts as they were, so that most cases are not 'all'.
    const changeArb = fc.tuple(portsArb, portArb, fc.nat()).map(([a, p, k]): [StatePort[], StatePort[]] => {
      const { node, up, ip, ...rest } = p;
      const q: StatePort = { ...rest, ...(node ? { node } : {}), ...(up === undefined ? {} : { up }), ...(ip ? { ip } : {}) };
      const i = a.length ? k % a.length : 0;
      const kind = k % 3;
      if (kind === 0 || a.length === 0) return [a, [...a.filter((x) => x.name !== q.name), q]];
      if (kind === 1) return [a, a.filter((_, j) => j !== i)];
      return [a, a.map((x, j) => (j === i ? { ...q, name: x.name } : x))];
    });
    let partial = 0;
    fc.assert(
      fc.property(changeArb, ([a, b]) => {
        const before = withPorts(base, a);
        const after = withPorts(base, b);
        const reached = affectedNodes(before, after);
        if (reached === 'all') return;
        partial++;
        for (const node of base.nodes.map((n) => n.name).filter((n) => !reached.has(n))) {
          expect(desiredTunnels(after, node)).toEqual(desiredTunnels(before, node));
          expect(desiredFlows(after, node, facts)).toEqual(desiredFlows(before, node, facts));
          expect(expectedPorts(after, node)).toEqual(expectedPorts(before, node));
        }
      }),
      { numRuns: 400 },
    );
    expect(partial).toBeGreaterThan(100); // the property was exercised, not skipped as 'all'
  });
});

describe('patchRemotePorts', () => {
  const lab = smallLab();
  const canonical = (d: { flows: FlowModMsg[] }) =>
    d.flows.map((f) => `${flowKey(f)} ${f.cookie} ${instructionsKey(f.instructions ?? [])} ${f.idleTimeout ?? 0}`).sort();

  // A master patches each of its nodes change after change; after every step the node must hold
  // exactly what computing it in full gives.
  test('patching change after change gives what computing in full gives', () => {
    const portArb = fc
      .record({
        name: fc.constantFrom(...NAMES),
        switch: fc.constantFrom('web', 'db'),
        mac: fc.constantFrom('02:00:00:00:00:0a', '02:00:00:00:00:0b', '02:00:00:00:00:1a', '02:00:00:00:00:1c'),
        node: fc.option(fc.constantFrom('hv1', 'hv2', 'hv3'), { nil: undefined }),
        up: fc.option(fc.boolean(), { nil: undefined }),
      })
      .map(({ node, up, ...p }): StatePort => ({ ...p, ...(node ? { node } : {}), ...(up === undefined ? {} : { up }) }));
    const stepArb = fc.tuple(fc.constantFrom('put', 'remove'), portArb);
    let patched = 0;
    fc.assert(
      fc.property(
        fc.uniqueArray(portArb, { selector: (p) => p.name, maxLength: 6 }),
        fc.array(stepArb, { minLength: 1, maxLength: 5 }),
        (start, steps) => {
          for (const node of NODES) {
            const memo = new PipelineMemo();
            let state = withPorts(lab, start);
            let desired = desiredFlows(state, node, facts, memo);
            for (const [kind, p] of steps) {
              const next = withPorts(
                lab,
                kind === 'put' ? [...state.ports.filter((q) => q.name !== p.name), p] : state.ports.filter((q) => q.name !== p.name),
              );
              const patch = patchRemotePorts(desired, state, next, node, facts, memo);
              const full = desiredFlows(next, node, facts);
              if (patch) {
                patched++;
                expect(canonical(patch.desired)).toEqual(canonical(full));
                expect(patch.desired.groups).toEqual(full.groups);
                // What came and went is the difference: reconciling only it gives the full answer.
                const msg = (m: FlowModMsg | GroupModMsg) =>
                  'match' in m
                    ? `${m.command} ${flowKey(m)} ${m.cookie} ${instructionsKey(m.instructions ?? [])}`
                    : `group ${m.command} ${m.groupId}`;
                expect(reconcile({ flows: patch.added, groups: [] }, { flows: patch.removed, groups: [] }).map(msg)).toEqual(
                  reconcile(patch.desired, installed(desired)).map(msg),
                );
                expect(canonical(reconcileApply(desired, patch))).toEqual(canonical(full));
              }
              desired = patch?.desired ?? desiredFlows(next, node, facts, memo);
              state = next;
            }
          }
        },
      ),
      { numRuns: 200 },
    );
    expect(patched).toBeGreaterThan(200);
  });
});

/** The flows a switch holding `before` holds once a patch's difference is applied. */
function reconcileApply(before: { flows: FlowModMsg[] }, patch: { added: FlowModMsg[]; removed: FlowModMsg[] }): { flows: FlowModMsg[] } {
  return { flows: [...before.flows.filter((f) => !patch.removed.includes(f)), ...patch.added] };
}
