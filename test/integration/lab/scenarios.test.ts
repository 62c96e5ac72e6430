// End to end: `nvlab run` on every built-in topology, as users and CI run it (a subprocess, its
// report on stdout, its exit code), and a scenario written to fail, which must exit 1, say what
// it saw, and leave its artifacts.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceResultSchema } from '../../../src/model/index.ts';
import type { JsonReport } from '../../../src/reporters/json.ts';
import { createSession, StepFailedError, type ScenarioSession } from '../../../src/scenario/index.ts';
import { projectRoot } from '../../../src/util/paths.ts';
import { BUILT_IN, builtInCopy, claimLab, claimLabOfFile, labTopology, labTopologyFile, useLab } from './harness.ts';

const CLI = join(projectRoot, 'bin/nvlab.js');
let cwd: string;
const durations: string[] = [];

async function run(args: string[]) {
  return execa('node', [CLI, 'run', ...args], { cwd, reject: false, timeout: 280_000 });
}

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'nvlab-run-'));
});

afterAll(async () => {
  if (durations.length) console.log(`built-in scenario suite:\n  ${durations.join('\n  ')}`);
  await rm(cwd, { recursive: true, force: true });
});

describe('the built-in topologies pass their scenarios', () => {
  let suiteMs = 0;
  for (const name of BUILT_IN) {
    claimLab(`it-${name}`);
    it(`topologies/${name}.yaml`, async () => {
      const started = Date.now();
      const result = await run([await builtInCopy(name, cwd), '--reporter', 'json']);
      const ms = Date.now() - started;
      suiteMs += ms;
      durations.push(`${name}: ${(ms / 1000).toFixed(1)} s (total ${(suiteMs / 1000).toFixed(1)} s)`);
      const report = JSON.parse(result.stdout) as JsonReport;
      const failed = report.scenarios.flatMap((s) =>
        s.steps.filter((st) => st.status === 'failed').map((st) => `${s.name}: ${st.title}: ${st.message}`),
      );
      expect(failed, result.stderr.slice(-3000)).toEqual([]);
      expect(result.exitCode).toBe(0);
      expect(report.summary.scenarios.failed).toBe(0);
      expect(report.summary.scenarios.passed).toBeGreaterThan(0);
    });
  }
});

describe('a scenario written to fail', () => {
  const file = labTopologyFile('failing-scenarios.yaml');
  const lab = claimLabOfFile(file);

  it('exits 1, says what it saw, skips what follows, runs the next scenario, leaves artifacts and a valid JUnit report', async () => {
    const result = await run([file, '--reporter', 'junit', '--output', join(cwd, 'report.xml')]);
    expect(result.exitCode, result.stderr.slice(-3000)).toBe(1);

    const xml = await readFile(join(cwd, 'report.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
      testsuites: {
        testsuite: {
          name: string;
          failures: string;
          testcase: { name: string; failure?: { message: string } | string; skipped?: unknown }[] | { name: string };
        }[];
      };
    };
    const suites = doc.testsuites.testsuite;
    const byName = new Map(
      suites.map((s) => [s.name, [s.testcase].flat() as { name: string; failure?: { message: string } | string; skipped?: unknown }[]]),
    );
    const wrong = byName.get('wrong-count')!;
    const message = (c: { failure?: { message: string } | string }) =>
      typeof c.failure === 'string' ? c.failure : (c.failure?.message ?? '');
    expect(message(wrong[0]!)).toMatch(/1 cop(y|ies) from the source.*2 copies left the source/s);
    expect(wrong[1]!.skipped).toBeDefined();
    expect(message(byName.get('not-isolated')![0]!)).toMatch(/expected no reply from web2.*3 of 3 answered/s);
    // A failed check traces its failing pair: one line in its message, the whole trace in its artifacts.
    expect(message(byName.get('not-isolated')![0]!)).toMatch(/trace web1 → web2: the packet reaches web2 \(hv1 → hv2\)/);
    expect(byName.get('fine')!.map((c) => [c.name, c.failure])).toEqual([
      ['1 ping web3 → web1', undefined],
      ['2 trace web3 → web1', undefined],
    ]);

    // Artifacts of each failed scenario: OVS state, flows and groups per transport node,
    // controller logs, and the failing flood's captures.
    const dir = join(cwd, 'nvlab-artifacts', lab, 'wrong-count');
    const files = await readdir(dir, { recursive: true });
    const text = files.join('\n');
    expect(text).toMatch(/hv1/);
    expect(text).toMatch(/flows/);
    expect(text).toMatch(/groups/);
    expect(text).toMatch(/ctrl1/);
    expect(text).toMatch(/\.pcap/);
    expect(files).toEqual(expect.arrayContaining(['graph.html', 'graph.json']));
    await expect(readdir(join(cwd, 'nvlab-artifacts', lab, 'not-isolated'))).resolves.toContain('trace.json');
    const trace = TraceResultSchema.parse(
      JSON.parse(await readFile(join(cwd, 'nvlab-artifacts', lab, 'not-isolated', 'trace.json'), 'utf8')),
    );
    expect(trace).toMatchObject({ from: 'web1', to: 'web2', delivered: true, observed: { delivered: true } });
    await expect(readdir(join(cwd, 'nvlab-artifacts', lab))).resolves.not.toContain('fine');
  });
});

describe('the TypeScript API: steps from a test, against a real lab', () => {
  const lab = useLab(labTopology('two-hypervisors.yaml'));
  let session: ScenarioSession;

  beforeAll(() => {
    session = createSession(lab.driver, lab.plan);
  });

  it('asserts steps, keeps the lab model between calls, and throws a StepFailedError that says what it saw', async () => {
    await session.assert([{ expect: 'tunnels-up' }, { ping: { from: 'web1', to: 'web2' } }]);
    await session.assert({ 'add-port': { switch: 'web', name: 'web3', on: 'hv2', ip: '10.0.1.13' } });
    const [flood] = await session.assert({ flood: { from: 'web1' } }); // receivers default to web2 and web3 now
    expect(flood!.message).toMatch(/2 receivers got one copy each/);
    const failure = await session.assert({ ping: { from: 'web1', to: 'web3', expect: 'fail', within: '0s' } }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepFailedError);
    expect((failure as Error).message).toMatch(/expected no reply from web3/);
  });
});
