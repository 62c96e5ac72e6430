import { describe, expect, it } from 'vitest';
import { pos } from '../topology/test-helpers.ts';
import { budgetOf, titleOf } from './steps.ts';
import { labWith, scenarioIssues, suiteOf } from './test-helpers.ts';

// Every step of the spec (scenario.md), as written there.
const SPEC_STEPS = [
  '  spec:',
  '    - expect: tunnels-up',
  '    - expect: { tunnels: { on: hv1, to: [hv2, sn1], encap: geneve } }',
  '    - ping: { from: web1, to: web2 }',
  '    - ping: { from: web1, to: app2, expect: fail }',
  '    - reach: all',
  '    - flood:',
  '        from: web1',
  '        frame: broadcast',
  '        receivers: [web2, web3, printer]',
  '        not: [app1, app2]',
  '        copies-from-source: 1',
  '    - expect: { master: { of: hv1, is-not: ctrl1 } }',
  '    - expect: { active-gateway: { router: edge, is: gw3 } }',
  '    - exec: { on: web1, cmd: "ip -o link", expect: { exit: 0, stdout-contains: "eth0" } }',
  '    - kill: ctrl1',
  '    - kill: master-of:hv1',
  '    - stop: sn1',
  '    - start: sn1',
  '    - restart: hv2',
  '    - partition: ctrl2',
  '    - heal: ctrl2',
  '    - link: { on: hv2, state: down }',
  '    - add-port: { switch: web, name: web4, on: hv3, ip: 10.0.1.14 }',
  '    - remove-port: web4',
  '    - migrate: { port: web1, to: hv3 }',
  '    - add-node: { name: hv4, role: hypervisor }',
  '    - remove-node: hv4',
  '    - sleep: 2s',
  '    - traffic:',
  '        from: web1',
  '        to: web2',
  '        interval: 10ms',
  '        max-loss: 0',
  '        during:',
  '          - kill: master-of:hv1',
  '          - expect: { master: { of: hv1, is-not: ctrl1 } }',
];

// The kind and the title each step of SPEC_STEPS parses to, in order.
const SPEC_KINDS_AND_TITLES = [
  ['expect-tunnels-up', 'tunnels up'],
  ['expect-tunnels', 'tunnels on hv1 → hv2, sn1 (geneve)'],
  ['ping', 'ping web1 → web2'],
  ['ping', 'ping web1 → app2 (expect fail)'],
  ['reach', 'reach all'],
  ['flood', 'flood broadcast from web1'],
  ['expect-master', 'master of hv1 is not ctrl1'],
  ['expect-active-gateway', 'active gateway of edge is gw3'],
  ['exec', 'exec on web1: ip -o link'],
  ['kill', 'kill ctrl1'],
  ['kill', 'kill master-of:hv1'],
  ['stop', 'stop sn1'],
  ['start', 'start sn1'],
  ['restart', 'restart hv2'],
  ['partition', 'partition ctrl2'],
  ['heal', 'heal ctrl2'],
  ['link', 'link hv2 down'],
  ['add-port', 'add port web4 to web on hv3'],
  ['remove-port', 'remove port web4'],
  ['migrate', 'migrate web1 to hv3'],
  ['add-node', 'add node hv4 (hypervisor)'],
  ['remove-node', 'remove node hv4'],
  ['sleep', 'sleep 2s'],
  ['traffic', 'traffic web1 → web2 every 10ms'],
];

describe('parseScenarios on the spec', () => {
  const suite = suiteOf(labWith(...SPEC_STEPS));
  const steps = suite.scenarios[0]!.steps;

  it('accepts every step of the spec, each as its kind', () => {
    expect(steps.map((s) => s.kind)).toEqual(SPEC_KINDS_AND_TITLES.map(([kind]) => kind));
    expect(steps[5]!.spec).toEqual({
      from: 'web1',
      frame: 'broadcast',
      receivers: ['web2', 'web3', 'printer'],
      not: ['app1', 'app2'],
      'copies-from-source': 1,
    });
    expect(steps[22]!.spec).toBe(2000);
    const traffic = steps[23]!;
    expect(traffic.kind === 'traffic' && traffic.spec.during.map((s) => s.kind)).toEqual(['kill', 'expect-master']);
  });

  it('gives each step a short title', () => {
    expect(steps.map(titleOf)).toEqual(SPEC_KINDS_AND_TITLES.map(([, title]) => title));
  });

  it('places each step at its line and column', () => {
    const src = labWith(...SPEC_STEPS);
    expect(steps[2]!.at).toEqual({ file: 'lab.yaml', ...pos(src, 'ping: { from: web1, to: web2 }') });
    const traffic = steps[23]!;
    expect(traffic.kind === 'traffic' && traffic.spec.during[1]!.at).toEqual({ file: 'lab.yaml', ...pos(src, 'expect: { master', 2) });
    expect(suite.scenarios[0]!.at).toEqual({ file: 'lab.yaml', ...pos(src, 'spec:') });
  });

  it('gives checks their default budget, actions none', () => {
    expect(steps.map(budgetOf).slice(0, 10)).toEqual([30_000, 30_000, 10_000, 10_000, 30_000, 10_000, 15_000, 15_000, 5_000, undefined]);
  });
});

describe('parseScenarios reports every problem at once, at file:line:column', () => {
  const src = labWith(
    '  smoke:',
    '    - expect: tunnels-up',
    '    - pign: { from: web1, to: web2 }',
    '    - ping: { from: web1, too: web2 }',
    '    - ping: { from: web1, to: web9, count: two }',
    '    - flood: { from: web1, receivers: [web2, hv1] }',
    '    - kill: master-of:hv7',
    '    - stop: web1',
    '    - expect: { master: { of: sn9, is: ctrl4 } }',
    '    - expect: tunnels-down',
    '    - sleep: 5 seconds',
    '  other:',
    '    - ping: { from: web1, to: web2 }',
    '      kill: ctrl1',
    '    - link: { on: web1, state: down }',
    '    - add-port: { switch: web, name: web2, on: sn1, ip: 10.0.2.5 }',
    '    - expect: { active-gateway: { router: edge, is: gw1 } }',
    '    - traffic:',
    '        from: web1',
    '        to: app9',
    '        during:',
    '          - remove-port: web3',
    '          - ping: { from: web3, to: web1 }',
    '    - 42',
  );
  const issues = scenarioIssues(src, 'topo.yaml');
  const at = (needle: string, nth = 1) => ({ file: 'topo.yaml', ...pos(src, needle, nth) });
  /** The position `skip` characters into `needle`. */
  const inside = (needle: string, skip: number) => {
    const p = at(needle);
    return { ...p, column: p.column + skip };
  };

  it('finds all of them, sorted by position', () => {
    expect(issues).toHaveLength(21);
    expect(issues.map((i) => [i.line, i.column])).toEqual(
      [...issues].map((i) => [i.line, i.column]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!),
    );
  });

  it('an unknown step, at its key, with a suggestion and the known steps', () => {
    expect(issues).toContainEqual({
      ...at('pign'),
      path: ['scenarios', 'smoke', 1, 'pign'],
      message: 'unknown step "pign"; did you mean ping?',
      expected: expect.stringMatching(/^one of expect, ping, reach, flood, exec, trace, connect, spoof, kill, .*, traffic$/),
    });
  });

  it('an unknown key inside a step, and the key the schema then misses', () => {
    expect(issues).toContainEqual({
      ...at('too'),
      path: ['scenarios', 'smoke', 2, 'ping', 'too'],
      message: 'unknown key "too"',
      expected: 'one of from, to, count, expect, within',
    });
    expect(issues).toContainEqual(
      expect.objectContaining({ ...at('{ from: web1, too'), path: ['scenarios', 'smoke', 2, 'ping', 'to'], message: 'missing key "to"' }),
    );
  });

  it('a wrong type, and the names in the step even so', () => {
    expect(issues).toContainEqual({
      ...inside('count: two', 7),
      path: ['scenarios', 'smoke', 3, 'ping', 'count'],
      message: 'wrong type: got "two"',
      expected: 'a packet count from 1 to 100',
    });
    expect(issues).toContainEqual({
      ...at('web9'),
      path: ['scenarios', 'smoke', 3, 'ping', 'to'],
      message: 'unknown name "web9"; did you mean web1?',
      expected: 'a port, host or IPv4 address: web1, web2, web3, app1, app2, printer, www',
    });
  });

  it('a name of the wrong kind, saying which kinds were expected', () => {
    expect(issues).toContainEqual({
      ...at('hv1] }'),
      path: ['scenarios', 'smoke', 4, 'flood', 'receivers', 1],
      message: '"hv1" is a hypervisor (a transport node)',
      expected: 'a port or host: web1, web2, web3, app1, app2, printer, www',
    });
    expect(issues).toContainEqual({
      ...inside('stop: web1', 6),
      path: ['scenarios', 'smoke', 6, 'stop'],
      message: '"web1" is a port',
      expected:
        'a controller member, transport node, host or master-of:NODE: ctrl1, ctrl2, ctrl3, hv1, hv2, hv3, sn1, gw1, gw2, gw3, printer, www',
    });
    expect(issues).toContainEqual(
      expect.objectContaining({
        ...inside('on: web1, state', 4),
        path: ['scenarios', 'other', 1, 'link', 'on'],
        message: '"web1" is a port',
      }),
    );
  });

  it('master-of a node that is not a transport node', () => {
    expect(issues).toContainEqual({
      ...at('master-of:hv7'),
      path: ['scenarios', 'smoke', 5, 'kill'],
      message: '"hv7" in master-of:hv7 is not a transport node; did you mean master-of:hv1?',
      expected: 'master-of:NODE with NODE a transport node: hv1, hv2, hv3, sn1, gw1, gw2, gw3',
    });
  });

  it('an expect form that does not exist, and names inside one that does', () => {
    expect(issues).toContainEqual({
      ...at('tunnels-down'),
      path: ['scenarios', 'smoke', 8, 'expect'],
      message: 'invalid value "tunnels-down"',
      expected: 'tunnels-up, or a mapping with tunnels, master or active-gateway',
    });
    expect(issues).toContainEqual(expect.objectContaining({ ...at('sn9'), message: 'unknown name "sn9"; did you mean sn1?' }));
    expect(issues).toContainEqual(expect.objectContaining({ ...at('ctrl4'), expected: 'a controller member: ctrl1, ctrl2, ctrl3' }));
  });

  it('a bad duration', () => {
    expect(issues).toContainEqual({
      ...at('5 seconds'),
      path: ['scenarios', 'smoke', 9, 'sleep'],
      message: 'invalid value "5 seconds"',
      expected: 'a duration like 500ms, 5s or 2m',
    });
  });

  it('two steps in one list item', () => {
    expect(issues).toContainEqual({
      ...at('kill: ctrl1'),
      path: ['scenarios', 'other', 0, 'kill'],
      message: 'a second step "kill" in one list item',
      expected: 'one step per list item; start the next with "- "',
    });
  });

  it('add-port: a taken name, a node that is no hypervisor, an address outside the switch', () => {
    const item = ['scenarios', 'other', 2, 'add-port'];
    expect(issues).toContainEqual({
      ...at('web2, on: sn1'),
      path: [...item, 'name'],
      message: '"web2" is already a port of the lab',
      expected: 'a new port name matching [a-z][a-z0-9-]{0,30}, unused in the lab',
    });
    expect(issues).toContainEqual({
      ...at('sn1, ip'),
      path: [...item, 'on'],
      message: '"sn1" is a service-node',
      expected: 'a hypervisor: hv1, hv2, hv3',
    });
    expect(issues).toContainEqual({
      ...at('10.0.2.5'),
      path: [...item, 'ip'],
      message: '10.0.2.5 is not a host address of 10.0.1.0/24',
      expected: 'an IPv4 address inside 10.0.1.0/24',
    });
  });

  it('an active gateway that is not one of the router', () => {
    expect(issues).toContainEqual({
      ...at('gw1 } }'),
      path: ['scenarios', 'other', 3, 'expect', 'active-gateway', 'is'],
      message: '"gw1" is not a gateway of edge',
      expected: 'one of gw2, gw3',
    });
  });

  it('inside traffic: its own keys and its nested steps, with the lab as they change it', () => {
    expect(issues).toContainEqual(
      expect.objectContaining({
        ...at('app9'),
        path: ['scenarios', 'other', 4, 'traffic', 'to'],
        message: 'unknown name "app9"; did you mean app1?',
      }),
    );
    expect(issues).toContainEqual({
      ...at('web3, to'),
      path: ['scenarios', 'other', 4, 'traffic', 'during', 1, 'ping', 'from'],
      message: `"web3" is no longer in the lab: remove-port at line ${at('remove-port: web3').line} removed it`,
      expected: 'a port or host: web1, web2, app1, app2, printer, www',
    });
  });

  it('a list item that is not a step', () => {
    expect(issues).toContainEqual({
      ...at('42'),
      path: ['scenarios', 'other', 5],
      message: 'a step written as 42',
      expected: 'a step: a mapping such as ping: { from: web1, to: web2 }',
    });
  });
});
