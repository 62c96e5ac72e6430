// How a lab test file gets its labs. Each lab name belongs to one test file (LAB_OWNERS), so files
// never touch each other's labs; a file claims its labs, so one left by an earlier run that crashed
// is destroyed before the tests (by its ownership label, as `nvlab destroy` does) and none outlives
// them (destroyed in afterAll, checking that nothing of it is left on the host). Names are fixed:
// lab test files run one at a time (vitest's lab project, and the host's lab lock).
import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from 'vitest';
import { deployLab } from '../../../src/app/deploy.ts';
import { destroyLab } from '../../../src/app/destroy.ts';
import { DockerLabDriver } from '../../../src/app/lab-driver/docker-driver.ts';
import { containerName } from '../../../src/model/index.ts';
import type { Runtime } from '../../../src/runtime/runtime.ts';
import { parseTopology } from '../../../src/topology/load.ts';
import { planLab } from '../../../src/topology/plan.ts';
import type { LabPlan } from '../../../src/topology/plan-types.ts';
import { projectRoot } from '../../../src/util/paths.ts';
import { leftovers, NOTHING_LEFT, runtime } from './support.ts';

/** The built-in topologies (topologies/NAME.yaml), each run as lab it-NAME (builtInCopy), so a
 *  user's own `demo` lab on this machine is never touched by the tests. */
export const BUILT_IN = readdirSync(join(projectRoot, 'topologies'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.slice(0, -'.yaml'.length));
const BUILT_IN_LABS = BUILT_IN.map((name) => `it-${name}`);

/** A copy of built-in topology `name` in `dir`, its lab renamed it-NAME; returns its path. */
export async function builtInCopy(name: string, dir: string): Promise<string> {
  const text = readFileSync(join(projectRoot, 'topologies', `${name}.yaml`), 'utf8');
  const renamed = text.replace(/^name: .*$/m, `name: it-${name}`);
  if (labOf(renamed) !== `it-${name}`) throw new Error(`topologies/${name}.yaml: no top-level name: line to rename`);
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, renamed);
  return file;
}

/** Every lab the lab tests make, by the test file (without .test.ts) that owns it. */
const LAB_OWNERS: Record<string, readonly string[]> = {
  console: ['it-console'],
  'connect-spoof': ['it-conn'],
  controller: ['it-ctrl'],
  'distributed-routing': ['it-droute'],
  foundation: ['it-found'],
  // test/scale, out of CI
  'hundred-hypervisors': ['it-scale'],
  lifecycle: ['it-rollback', 'it-killed', 'it-twin-a', 'it-twin-b', 'it-invalid'],
  physical: ['it-phys'],
  qos: ['it-qos'],
  'scenario-probes': ['it-probe'],
  'routed-hosts': ['it-rhosts'],
  'security-groups': ['it-sg'],
  'secure-control-plane': ['it-secure'],
  'static-routes': ['it-routes'],
  scenarios: ['it-fail', 'it-api', ...BUILT_IN_LABS],
  status: ['it-status'],
  trace: ['it-trace'],
  traceflow: ['it-traceflow'],
};

const owners = new Map<string, string>();
for (const [file, labs] of Object.entries(LAB_OWNERS)) {
  for (const lab of labs) {
    if (owners.has(lab)) throw new Error(`lab ${lab} is listed for both ${owners.get(lab)} and ${file} (LAB_OWNERS)`);
    owners.set(lab, file);
  }
}

function assertOwned(lab: string): void {
  const file = basename(expect.getState().testPath ?? '?', '.test.ts');
  if (owners.get(lab) !== file) throw new Error(`lab ${lab} is not one of ${file}.test.ts's labs (LAB_OWNERS in harness.ts)`);
}

/** The path of a topology of topologies/ beside this file. */
export const labTopologyFile = (file: string): string => fileURLToPath(new URL(`./topologies/${file}`, import.meta.url));

/** The text of a topology of topologies/ beside this file; `name` renames its lab. */
export function labTopology(file: string, name?: string): string {
  const source = readFileSync(labTopologyFile(file), 'utf8');
  return name === undefined ? source : source.replace(/^name: .*$/m, `name: ${name}`);
}

/** The lab a topology deploys: its `name:`. */
export const labOf = (topology: string): string => parseTopology(topology, 'test.yaml').topology.name;

export async function planFor(source: string): Promise<LabPlan> {
  const loaded = parseTopology(source, 'test.yaml');
  return planLab(loaded.topology, { usedSubnets: await runtime.usedSubnets() });
}

export async function deploy(source: string): Promise<LabPlan> {
  const plan = await planFor(source);
  await deployLab(runtime, plan);
  return plan;
}

export async function destroy(lab: string): Promise<void> {
  await destroyLab(runtime, lab);
}

/**
 * Makes `lab` this file's (or this describe block's): a lab of that name is destroyed before its
 * tests and after them, and then nothing of it may be left. For labs a test makes itself (through
 * the CLI, or a deploy it makes fail); useLab deploys one for the tests.
 */
export function claimLab(lab: string): string {
  assertOwned(lab);
  beforeAll(() => destroy(lab));
  afterAll(async () => {
    await destroy(lab);
    expect(await leftovers(lab), `what is left of lab ${lab}`).toEqual(NOTHING_LEFT);
  });
  return lab;
}

/** claimLab for the lab of a topology file that a test has the CLI deploy. */
export const claimLabOfFile = (file: string): string => claimLab(labOf(readFileSync(file, 'utf8')));

/** A lab deployed for the tests of a file or describe block. */
export interface TestLab {
  readonly name: string;
  readonly runtime: Runtime;
  /** The plan it was deployed from (once beforeAll has deployed it). */
  readonly plan: LabPlan;
  /** The scenario runner's driver on it. */
  readonly driver: DockerLabDriver;
  /** The container of one of its nodes. */
  container(node: string): string;
}

/**
 * Claims the lab of `topology` (its `name:`) and deploys it in beforeAll; hooks the caller
 * registers after this one run on the deployed lab. `beforeDeploy` runs once a leftover of an
 * earlier run is gone, before the deploy.
 */
export function useLab(topology: string, options: { beforeDeploy?: () => Promise<void> } = {}): TestLab {
  const name = claimLab(labOf(topology));
  let plan: LabPlan | undefined;
  let driver: DockerLabDriver | undefined;
  beforeAll(async () => {
    await options.beforeDeploy?.();
    plan = await deploy(topology);
  });
  return {
    name,
    runtime,
    get plan() {
      if (!plan) throw new Error(`lab ${name} is not deployed`);
      return plan;
    },
    get driver() {
      driver ??= new DockerLabDriver(runtime, name);
      return driver;
    },
    container: (node) => containerName(name, node),
  };
}
