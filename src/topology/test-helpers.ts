// Shared by the topology tests: run the loader and collect its issues, find where a text is.
import { parseTopology } from './load.ts';
import { TopologyError, type TopologyIssue } from './issues.ts';

/** Every issue parseTopology reports for `source`; fails the test when it reports none. */
export function issuesOf(source: string, file = 'lab.yaml'): TopologyIssue[] {
  try {
    parseTopology(source, file);
  } catch (err) {
    if (err instanceof TopologyError) return [...err.issues];
    throw err;
  }
  throw new Error('expected a TopologyError, the file was accepted');
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
