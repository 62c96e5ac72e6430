// Shared by the topology tests: run the loader and collect its issues, find where a text is.
import { expect } from 'vitest';
import { parseTopology } from './load.ts';
import { TopologyError, formatIssue, type TopologyIssue } from './issues.ts';

/** Every issue `fn` throws as a TopologyError; fails the test when it throws none (`accepted` says what was accepted). */
export function issuesThrownBy(fn: () => unknown, accepted: string): TopologyIssue[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof TopologyError) return [...err.issues];
    throw err;
  }
  throw new Error(`expected a TopologyError, ${accepted}`);
}

/** Every issue parseTopology reports for `source`; fails the test when it reports none. */
export function issuesOf(source: string, file = 'lab.yaml'): TopologyIssue[] {
  return issuesThrownBy(() => parseTopology(source, file), 'the file was accepted');
}

/** The one issue parseTopology reports for `source`; fails the test when it reports another number. */
export function onlyIssue(source: string): TopologyIssue {
  const issues = issuesOf(source);
  expect(issues.map(formatIssue)).toHaveLength(1);
  return issues[0]!;
}

/** 1-based line and column of the nth occurrence of `needle` in `source`. */
export function pos(source: string, needle: string, nth = 1): { line: number; column: number } {
  let index = -1;
  for (let i = 0; i < nth; i++) {
    index = source.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`"${needle}" (occurrence ${nth}) not in source`);
  }
  const before = source.slice(0, index).split('\n');
  return { line: before.length, column: (before.at(-1) ?? '').length + 1 };
}

/** pos as a `[line, column]` pair, for tables of expected positions. */
export function at(source: string, needle: string, nth = 1): [number, number] {
  const { line, column } = pos(source, needle, nth);
  return [line, column];
}

/** Joins lines, so a test's YAML shows its line numbers plainly. */
export function lines(...rows: string[]): string {
  return rows.join('\n') + '\n';
}

/** A small valid lab that tests extend with the lines they need. */
export const BASE = [
  'name: lab',
  'transport-nodes:',
  '  hv1: hypervisor',
  '  hv2: hypervisor',
  '  sn1: service-node',
  '  gw1: l2-gateway',
  '  gw2: l3-gateway',
];

/** BASE with a switch web on 10.0.1.0/24, open at its `ports:` for the lines of the test's ports. */
export const WEB_PORTS = [...BASE, 'logical-switches:', '  web:', '    subnet: 10.0.1.0/24', '    ports:'];
