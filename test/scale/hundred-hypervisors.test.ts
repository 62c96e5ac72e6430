// A lab of 100 hypervisors on one machine (issue 23): 3 members, 10 switches of 10 VMs, one VM
// per hypervisor. It deploys, every node is programmed, every tunnel a VM needs is up, and every
// VM reaches every other VM of its switch. Too slow for CI (minutes on 2 cores): run it with
// `npm run test:scale`.
import { describe, expect, it } from 'vitest';
import { createSession } from '../../src/scenario/index.ts';
import { useLab } from '../integration/lab/harness.ts';

export const HYPERVISORS = Number(process.env.NVLAB_SCALE_HYPERVISORS ?? 100);
const PER_SWITCH = 10;

/** n hypervisors, one VM each, in switches of PER_SWITCH VMs (a /24 each). */
function topology(lab: string, n: number): string {
  const nodes = Array.from({ length: n }, (_, i) => `  hv${i + 1}: hypervisor`);
  const switches: string[] = [];
  for (let s = 0; s * PER_SWITCH < n; s++) {
    const ports = [];
    for (let i = s * PER_SWITCH; i < Math.min(n, (s + 1) * PER_SWITCH); i++) {
      ports.push(`      vm${i + 1}: { on: hv${i + 1}, ip: 10.${100 + Math.floor(s / 250)}.${s % 250}.${10 + (i % PER_SWITCH)} }`);
    }
    switches.push(`  net${s + 1}:\n    subnet: 10.${100 + Math.floor(s / 250)}.${s % 250}.0/24\n    ports:\n${ports.join('\n')}`);
  }
  return `name: ${lab}\ncontrollers: 3\ntransport-nodes:\n${nodes.join('\n')}\nlogical-switches:\n${switches.join('\n')}\n`;
}

describe(`a lab of ${HYPERVISORS} hypervisors on one machine`, () => {
  let started = 0;
  const lab = useLab(topology('it-scale', HYPERVISORS), { beforeDeploy: async () => void (started = performance.now()) });

  it('deploys with every node programmed, its tunnels up, and every VM reaching its switch', async () => {
    const deployed = (performance.now() - started) / 1000; // beforeAll deployed it
    const session = createSession(lab.driver, lab.plan);
    const results = await session.assert([{ expect: 'tunnels-up' }, { reach: 'all' }]);
    for (const r of results) console.log(`${r.title}: ${r.message}`);
    console.log(`deploy of ${HYPERVISORS} hypervisors: ${deployed.toFixed(1)} s`);
    expect(lab.plan.transportNodes).toHaveLength(HYPERVISORS);
  }, 900_000);
});
