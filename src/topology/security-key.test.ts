// `security: { tls }` in a topology file: its problems at their line and column, what the plan
// carries, and an older file (no `security`) planned with TLS on, as it meant.
import { describe, expect, it } from 'vitest';
import { formatIssue } from './issues.ts';
import { parseTopology } from './load.ts';
import { planLab } from './plan.ts';
import { BASE, issuesOf, lines, onlyIssue, pos } from './test-helpers.ts';

const planOf = (...rows: string[]) => planLab(parseTopology(lines(...BASE, ...rows), 'lab.yaml').topology);

describe('security in a topology file', () => {
  it('carries tls into the plan: on unless the file turns it off', () => {
    expect(planOf().security).toEqual({ tls: true });
    expect(planOf('security: {}').security).toEqual({ tls: true });
    expect(planOf('security: { tls: true }').security).toEqual({ tls: true });
    expect(planOf('security:', '  tls: false').security).toEqual({ tls: false });
  });

  it('reports an unknown key under security at the key, listing tls', () => {
    const src = lines(...BASE, 'security:', '  tls: true', '  mtls: true');
    expect(onlyIssue(src)).toMatchObject({
      file: 'lab.yaml',
      ...pos(src, 'mtls'),
      path: ['security', 'mtls'],
      message: 'unknown key "mtls"',
      expected: 'one of tls',
    });
  });

  it('reports a tls that is not a boolean, and a security that is not a mapping, at the value', () => {
    const src = lines(...BASE, 'security: { tls: "yes" }');
    expect(issuesOf(src).map(formatIssue)).toEqual([
      `lab.yaml:${pos(src, '"yes"').line}:${pos(src, '"yes"').column}: security.tls: wrong type: got "yes" (expected true or false)`,
    ]);
    const flat = lines(...BASE, 'security: on');
    expect(onlyIssue(flat)).toMatchObject({ ...pos(flat, 'on'), path: ['security'], expected: 'a mapping with tls' });
  });

  it('reports a bad security along with the other problems of the file, all at once', () => {
    const src = lines(...BASE, 'security: { tls: 1, ca: mine }', 'underlay: { mtu: 10 }');
    expect(issuesOf(src).map((i) => i.path.join('.'))).toEqual(['security.tls', 'security.ca', 'underlay.mtu']);
  });
});
