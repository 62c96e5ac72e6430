// Lab lifecycle on real Docker: rollback of a failed deploy, cleanup after a killed CLI, two labs
// side by side, and the CLI's exit codes for bad input.
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { deployLab } from '../../../src/app/deploy.ts';
import { inspectLab } from '../../../src/app/inspect.ts';
import { checkUnderlay } from '../../../src/app/underlay-check.ts';
import type { Runtime } from '../../../src/runtime/runtime.ts';
import { claimLab, deploy, destroy, labTopology, planFor } from './harness.ts';
import { eventually, leftovers, NOTHING_LEFT, nvlab, runtime, writeTopology } from './support.ts';

const threeHypervisors = (name: string) => labTopology('three-hypervisors.yaml', name);

describe('a deploy that fails midway', () => {
  const lab = claimLab('it-rollback');

  test('rolls back every container and network it made', async () => {
    const plan = await planFor(threeHypervisors(lab));
    // The real runtime, with the third node's creation failing after the first two came up.
    let created = 0;
    const failing: Runtime = Object.create(runtime, {
      createNode: {
        value: async (...args: Parameters<Runtime['createNode']>) => {
          created += 1;
          if (created === 3) throw new Error('injected failure');
          return runtime.createNode(...args);
        },
      },
    });
    await expect(deployLab(failing, plan, { concurrency: 1 })).rejects.toMatchObject({
      code: 'DEPLOY',
      exitCode: 2,
      message: expect.stringContaining('injected failure'),
    });
    expect(await leftovers(lab)).toEqual(NOTHING_LEFT);
  });
});

describe('a deploy whose CLI was killed', () => {
  const lab = claimLab('it-killed');

  test('is cleaned up by `nvlab destroy LAB` from labels alone', async () => {
    const file = await writeTopology(threeHypervisors(lab));
    const cli = nvlab(['deploy', file]);
    // Kill it once the first node runs: networks exist, the other nodes are half made.
    const running = async () => (await runtime.listContainers({ 'nvlab.lab': lab, 'nvlab.node': '' })).some((c) => c.state === 'running');
    expect(await eventually(running, (up) => up, 60_000)).toBe(true);
    cli.kill('SIGKILL');
    await cli.catch(() => {});
    expect((await leftovers(lab)).networks.length).toBeGreaterThan(0);
    const result = await nvlab(['destroy', lab]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`destroyed ${lab}`);
    expect(await leftovers(lab)).toEqual(NOTHING_LEFT);
  });
});

describe('two labs at once', () => {
  // The second test runs on the lab b the first one leaves running.
  const a = claimLab('it-twin-a');
  const b = claimLab('it-twin-b');

  test('come up side by side without clashes, and destroying one leaves the other', async () => {
    const [planA, planB] = await Promise.all([deploy(threeHypervisors(a)), deploy(threeHypervisors(b))]);
    expect(planA.networks.underlay.subnet).not.toBe(planB.networks.underlay.subnet);
    expect(planA.networks.mgmt.subnet).not.toBe(planB.networks.mgmt.subnet);
    for (const lab of [a, b]) {
      const pairs = await checkUnderlay(runtime, await inspectLab(runtime, lab));
      expect(pairs.filter((p) => !p.ok)).toEqual([]);
    }
    await destroy(a);
    expect(await leftovers(a)).toEqual(NOTHING_LEFT);
    const stillB = await inspectLab(runtime, b);
    expect(stillB.nodes.map((n) => n.state)).toEqual(Array(6).fill('running'));
  });

  test('deploying a lab that already runs is refused and leaves it running', async () => {
    const file = await writeTopology(threeHypervisors(b));
    const result = await nvlab(['deploy', file]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`lab ${b} is already deployed`);
    const state = await inspectLab(runtime, b);
    expect(state.nodes.every((n) => n.state === 'running')).toBe(true);
  });
});

describe('the CLI on bad input', () => {
  const lab = claimLab('it-invalid'); // the invalid file's lab, which must never exist

  test('validate reports every problem with file:line:column and exits 2', async () => {
    const file = await writeTopology(`name: bad
transport-nodes:
  hv1: hypervisor
  sn1: service-node
logical-switches:
  web:
    subnet: 10.0.1.0/24
    ports:
      web1: { on: sn1, ip: 10.0.1.11 }
      web2: { on: hv1, ip: 10.0.2.12 }
`);
    const result = await nvlab(['validate', file]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`${file}:9:\\d+: .*web1.*`));
    expect(result.stderr).toMatch(new RegExp(`${file}:10:\\d+: .*web2.*`));
  });

  test('deploy of an invalid file creates nothing', async () => {
    const file = await writeTopology(`name: ${lab}\ncontrollers: 2\ntransport-nodes:\n  hv1: hypervisor\n`);
    const result = await nvlab(['deploy', file]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/:2:\d+: controllers/);
    expect(await leftovers(lab)).toEqual(NOTHING_LEFT);
  });

  test('a file that is not YAML and a missing file exit 2', async () => {
    const notYaml = await writeTopology('name: [unclosed\n');
    expect((await nvlab(['validate', notYaml])).exitCode).toBe(2);
    expect((await nvlab(['validate', '/nonexistent/lab.yaml'])).exitCode).toBe(2);
  });

  test('every verb has --help', async () => {
    for (const verb of ['deploy', 'destroy', 'inspect', 'exec', 'validate', 'demo', 'image']) {
      const result = await nvlab([verb, '--help']);
      expect(result.exitCode, verb).toBe(0);
      expect(result.stdout, verb).toContain(`Usage: nvlab ${verb}`);
    }
  });

  test('destroy of a lab that does not exist exits 2 and touches nothing', async () => {
    const before = (await execa('docker', ['ps', '-aq'])).stdout;
    const result = await nvlab(['destroy', 'no-such-lab']);
    expect(result.exitCode).toBe(2);
    expect((await execa('docker', ['ps', '-aq'])).stdout).toBe(before);
  });
});
