// Scenario parsing beyond the spec's steps: budgets given with within:, names a scenario adds,
// master checks, and choosing scenarios by name.
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../topology/issues.ts';
import { at, lines, pos } from '../topology/test-helpers.ts';
import { UsageError } from '../util/errors.ts';
import { budgetOf } from './steps.ts';
import { selectScenarios } from './suite.ts';
import { labWith, scenarioIssues, suiteOf } from './test-helpers.ts';

describe('within:', () => {
  it('sets the budget next to the step, next to an expect form, or inside the check', () => {
    const suite = suiteOf(
      labWith(
        '  s:',
        '    - expect: tunnels-up',
        '      within: 2m',
        '    - expect: { master: { of: hv1, is: ctrl2 }, within: 500ms }',
        '    - expect: { master: { of: hv1, is: ctrl2, within: 1.5s } }',
        '    - ping: { from: web1, to: web2, within: 3s }',
        '    - reach: all',
        '      within: 45s',
      ),
    );
    expect(suite.scenarios[0]!.steps.map(budgetOf)).toEqual([120_000, 500, 1500, 3000, 45_000]);
  });

  it('is reported when given twice, on an action, or not a duration', () => {
    const src = labWith(
      '  s:',
      '    - ping: { from: web1, to: web2, within: 3s }',
      '      within: 4s',
      '    - kill: ctrl1',
      '      within: 4s',
      '    - ping: { from: web1, to: web2, within: 3 }',
      '    - reach: all',
      '      within: soon',
    );
    expect(scenarioIssues(src).map(formatIssue)).toEqual([
      `lab.yaml:${at(src, 'within: 3s').join(':')}: scenarios.s[0].ping.within: a second within for the same check (expected one within per check)`,
      `lab.yaml:${pos(src, 'within: 4s', 2).line}:7: scenarios.s[1].within: within applies to checks; kill is an action (expected no within on an action; to wait, add a sleep step)`,
      `lab.yaml:${pos(src, 'within: 3 }').line}:${pos(src, 'within: 3 }').column + 8}: scenarios.s[2].ping.within: wrong type: got 3 (expected a duration like 500ms, 5s or 2m)`,
      `lab.yaml:${pos(src, 'soon').line}:15: scenarios.s[3].within: invalid value "soon" (expected a duration like 500ms, 5s or 2m)`,
    ]);
  });
});

describe('parseScenarios, more rules', () => {
  it('lets a scenario use a port it added and a node it added', () => {
    const suite = suiteOf(
      labWith(
        '  grow:',
        '    - add-node: { name: hv4, role: hypervisor }',
        '    - add-port: { switch: web, name: web4, on: hv4, ip: 10.0.1.14 }',
        '    - ping: { from: web4, to: web1 }',
        '    - migrate: { port: web4, to: hv2 }',
        '    - expect: { tunnels: { on: hv4, to: [] } }',
      ),
    );
    expect(suite.scenarios[0]!.steps).toHaveLength(5);
  });

  it('checks each scenario against the file, not against what another scenario added', () => {
    const src = labWith(
      '  a:',
      '    - add-port: { switch: web, name: web4, on: hv3, ip: 10.0.1.14 }',
      '  b:',
      '    - ping: { from: web4, to: web1 }',
    );
    expect(scenarioIssues(src).map((i) => i.message)).toEqual(['unknown name "web4"; did you mean web1?']);
  });

  it('needs a master check to say is or is-not, and a built-in cluster', () => {
    const src = labWith(
      '  s:',
      '    - expect: { master: { of: hv1 } }',
      '    - migrate: { port: web1, to: hv1 }',
      '    - flood: { from: printer }',
      '    - ping: { from: web1, to: web1 }',
      '  empty: []',
    );
    expect(scenarioIssues(src).map((i) => `${i.line}: ${i.message} / ${i.expected}`)).toEqual([
      `${pos(src, '{ of: hv1').line}: neither is nor is-not / is: MEMBER (or any) or is-not: MEMBER`,
      `${pos(src, 'migrate').line}: web1 is already on hv1 / another hypervisor`,
      `${pos(src, 'printer }').line}: missing key "receivers": printer is a host / the ports and hosts that get a copy (only a port sender has a default: its switch)`,
      `${pos(src, 'to: web1 }').line}: "web1" is the sender itself / another port, host or address`,
      `${pos(src, 'empty').line}: a scenario with no steps / at least one step`,
    ]);
    const external = lines(
      'name: lab',
      'controllers: { external: [tcp:192.0.2.10:6653] }',
      'transport-nodes: { hv1: hypervisor }',
      'scenarios:',
      '  s:',
      '    - kill: master-of:hv1',
      '    - expect: { master: { of: hv1, is: ctrl1 } }',
    );
    expect(scenarioIssues(external).map((i) => i.message)).toEqual([
      '"master-of:hv1": the lab has no built-in controller cluster',
      'the lab has no built-in controller cluster to be master',
    ]);
  });

  it('selects scenarios by name, in file order, and rejects unknown ones', () => {
    const suite = suiteOf(labWith('  a:', '    - reach: all', '  b:', '    - reach: all', '  c:', '    - reach: all'));
    expect(selectScenarios(suite, ['c', 'a']).scenarios.map((s) => s.name)).toEqual(['a', 'c']);
    expect(selectScenarios(suite, []).scenarios).toHaveLength(3);
    expect(() => selectScenarios(suite, ['a', 'zz'])).toThrow(UsageError);
    expect(() => selectScenarios(suite, ['zz'])).toThrow('no scenario "zz" in lab.yaml (it has: a, b, c)');
  });
});
