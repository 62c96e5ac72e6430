import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { loadTopology, parseTopology } from './load.ts';
import { TopologyError, formatIssue } from './issues.ts';
import { BASE, WEB_PORTS, issuesOf, lines, onlyIssue, pos } from './test-helpers.ts';

const FIXTURES = new URL('../../test/fixtures/topologies/', import.meta.url);

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
    const issue = onlyIssue(src);
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
    expect(onlyIssue(src)).toMatchObject({
      ...pos(src, 'vlan'),
      path: ['logical-switches', 'web', 'ports', 'web1', 'vlan'],
      expected: 'one of on, ip, mac, security-groups, port-security, qos',
    });
  });

  it('reports a wrong type at the value', () => {
    const src = lines(...BASE, 'logical-switches:', '  web:', '    vni: "5001"', '    subnet: 10.0.1.0/24');
    expect(onlyIssue(src)).toMatchObject({
      ...pos(src, '"5001"'),
      path: ['logical-switches', 'web', 'vni'],
      message: 'wrong type: got "5001"',
      expected: 'a VNI from 1 to 16777215',
    });
  });

  it('reports a missing key at the mapping that lacks it', () => {
    const src = lines(...WEB_PORTS, '      web1: { on: hv1 }');
    expect(onlyIssue(src)).toMatchObject({
      ...pos(src, '{ on: hv1 }'),
      path: ['logical-switches', 'web', 'ports', 'web1', 'ip'],
      message: 'missing key "ip"',
    });
  });

  it('requires the lab name and checks its pattern', () => {
    const missing = lines('transport-nodes:', '  hv1: hypervisor');
    expect(onlyIssue(missing)).toMatchObject({ line: 1, column: 1, path: ['name'], message: 'missing key "name"' });
    const bad = lines('name: My_Lab');
    expect(onlyIssue(bad)).toMatchObject({ ...pos(bad, 'My_Lab'), path: ['name'], expected: 'a lab name matching [a-z][a-z0-9-]{0,19}' });
    const long = lines('name: a-name-that-is-far-too-long');
    expect(onlyIssue(long).path).toEqual(['name']);
  });

  it('reports a bad name at the key', () => {
    const src = lines('name: lab', 'transport-nodes:', '  HV1: hypervisor');
    expect(onlyIssue(src)).toMatchObject({ ...pos(src, 'HV1'), path: ['transport-nodes', 'HV1'], message: 'invalid name "HV1"' });
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

  it('rejects an even controller count, in both forms, and bad external targets', () => {
    expect(onlyIssue(lines('name: lab', 'controllers: 4'))).toMatchObject({
      line: 2,
      column: 14,
      path: ['controllers'],
      message: 'invalid value 4',
    });
    expect(onlyIssue(lines('name: lab', 'controllers: { members: 2 }'))).toMatchObject({
      line: 2,
      column: 25,
      path: ['controllers', 'members'],
    });
    expect(onlyIssue(lines('name: lab', 'controllers: { external: [tcp:192.0.2.10] }'))).toMatchObject({
      line: 2,
      column: 27,
      path: ['controllers', 'external', 0],
    });
    expect(onlyIssue(lines('name: lab', 'controllers: { members: 3, external: [tcp:192.0.2.10:6653] }')).message).toBe(
      'invalid value a mapping',
    );
    expect(onlyIssue(lines('name: lab', 'controllers: three')).expected).toContain('{ members: N }');
  });

  it('reports an empty file', () => {
    for (const src of ['', '\n', '# only a comment\n', '---\n']) {
      expect(onlyIssue(src)).toMatchObject({ line: 1, column: 1, path: [], message: 'the file is empty', expected: 'a topology mapping' });
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
    expect(onlyIssue('- hv1\n- hv2\n')).toMatchObject({
      line: 1,
      column: 1,
      message: 'the top level is a list',
      expected: 'a topology mapping',
    });
    expect(onlyIssue('just text\n')).toMatchObject({ message: 'the top level is "just text"' });
  });

  it('reports duplicate YAML keys at the second one', () => {
    const src = lines(...BASE, '  hv1: service-node');
    expect(onlyIssue(src)).toMatchObject({
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

  it('requires each scenario to be a list of steps', () => {
    const src = lines('name: lab', 'scenarios:', '  smoke_test:', '    - expect: tunnels-up', '  bad: { ping: x }');
    expect(onlyIssue(src)).toMatchObject({ ...pos(src, '{ ping'), path: ['scenarios', 'bad'], expected: 'a list of steps' });
  });

  it('resolves YAML aliases and rejects several documents in one file', () => {
    const aliased = lines('name: lab', 'transport-nodes:', '  hv1: &hv { role: hypervisor, encap: gre }', '  hv2: *hv');
    expect(parseTopology(aliased, 'x').topology['transport-nodes']?.hv2).toEqual({ role: 'hypervisor', encap: 'gre' });
    const two = lines('name: lab', '---', 'name: other');
    expect(onlyIssue(two)).toMatchObject({ line: 2, column: 1 });
  });

  it('reports a file that cannot be read', async () => {
    await expect(loadTopology('/nonexistent/lab.yaml')).rejects.toMatchObject({
      code: 'INVALID_TOPOLOGY',
      issues: [{ message: 'cannot read the file: no such file' }],
    });
  });
});
