// How `nvlab run` gets its lab: it deploys the file's lab for the run (and destroys it after,
// unless kept), or attaches to one already running (`--lab`), which it never destroys.
import type { Runtime } from '../../runtime/runtime.ts';
import type { OpenScenarioLab, ScenarioLab } from '../../scenario/driver.ts';
import { planLab } from '../../topology/plan.ts';
import { NvlabError } from '../../util/errors.ts';
import { deployLab, deploySummary } from '../deploy.ts';
import { destroyLab } from '../destroy.ts';
import { labExists } from '../labs.ts';
import { createRuntime } from '../runtime.ts';
import { DockerLabDriver } from './docker-driver.ts';

export function dockerScenarioLab(runtimeOf: () => Promise<Runtime> = createRuntime): OpenScenarioLab {
  return async ({ loaded, lab, progress, signal }): Promise<ScenarioLab> => {
    const runtime = await runtimeOf();
    if (lab !== undefined) {
      if (!(await labExists(runtime, lab))) throw new NvlabError('NO_LAB', `no lab named ${lab} is deployed`, { exitCode: 2 });
      return { name: lab, driver: new DockerLabDriver(runtime, lab), release: async () => {} };
    }
    const plan = planLab(loaded.topology, { usedSubnets: await runtime.usedSubnets() });
    if (await labExists(runtime, plan.lab)) {
      throw new NvlabError(
        'LAB_EXISTS',
        `lab ${plan.lab} is already deployed: run against it with --lab ${plan.lab}, or destroy it first (nvlab destroy ${plan.lab})`,
        { exitCode: 2 },
      );
    }
    const result = await deployLab(runtime, plan, {
      signal,
      onEvent: (event) => {
        if (event.type === 'stage') progress(`… ${event.stage}`);
        else if (event.type === 'progress') progress(`  ${event.line}`);
      },
    });
    progress(deploySummary(result));
    return {
      name: plan.lab,
      driver: new DockerLabDriver(runtime, plan.lab),
      release: async ({ keep }) => {
        if (!keep) await destroyLab(runtime, plan.lab);
      },
    };
  };
}
