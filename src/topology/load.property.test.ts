import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseTopology } from './load.ts';
import { TopologyError } from './issues.ts';
import { PlanError, planLab } from './plan.ts';

const EXAMPLE = readFileSync(new URL('../../test/fixtures/topologies/nvp-basic.yaml', import.meta.url), 'utf8');

// Whatever the input, the loader either accepts it (and the plan follows) or throws a TopologyError whose issues all
// have a position inside the file: never a crash, never an issue nowhere.
function checkOutcome(source: string): void {
  try {
    const { topology } = parseTopology(source, 'fuzz.yaml');
    // An accepted file plans, or fails with a PlanError (a subnet too small), nothing else.
    try {
      planLab(topology);
    } catch (err) {
      expect(err).toBeInstanceOf(PlanError);
    }
  } catch (err) {
    expect(err).toBeInstanceOf(TopologyError);
    const issues = (err as TopologyError).issues;
    expect(issues.length).toBeGreaterThan(0);
    const lineCount = source.split('\n').length;
    for (const issue of issues) {
      expect(issue.line).toBeGreaterThanOrEqual(1);
      expect(issue.line).toBeLessThanOrEqual(lineCount);
      expect(issue.column).toBeGreaterThanOrEqual(1);
      expect(issue.message.length).toBeGreaterThan(0);
    }
  }
}

describe('parseTopology robustness (property)', () => {
  it('handles any YAML value', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => checkOutcome(String(stringify(value) ?? ''))),
      { numRuns: 150 },
    );
  }, 30_000);

  it('handles the example with lines dropped or duplicated', () => {
    const rows = EXAMPLE.split('\n');
    const edits = fc.array(fc.record({ at: fc.nat({ max: rows.length - 1 }), dup: fc.boolean() }), { minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(edits, (list) => {
        const out = [...rows];
        for (const { at, dup } of list) {
          const i = at % out.length;
          if (dup) out.splice(i, 0, out[i] ?? '');
          else out.splice(i, 1);
        }
        checkOutcome(out.join('\n'));
      }),
      { numRuns: 150 },
    );
  }, 30_000);

  it('handles the example with values swapped for random scalars', () => {
    const rows = EXAMPLE.split('\n');
    const valueRows = rows.flatMap((row, i) => (/^\s*[a-z0-9-]+: \S/.test(row) ? [i] : []));
    const scalar = fc.oneof(fc.integer(), fc.constantFrom('x', '10.0.1.300', 'hypervisor', '[]', '{}', '~', 'true', '"5001"'));
    fc.assert(
      fc.property(fc.constantFrom(...valueRows), scalar, (i, value) => {
        const out = [...rows];
        out[i] = (out[i] ?? '').replace(/: .*$/, `: ${String(value)}`);
        checkOutcome(out.join('\n'));
      }),
      { numRuns: 150 },
    );
  }, 30_000);
});
