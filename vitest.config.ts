import { defineConfig } from 'vitest/config';

// `unit` is pure and fast. `integration` drives real Open vSwitch processes on this host
// (protocol libraries). `lab` deploys real labs on Docker: its files run one at a time, since a
// lab is heavy on a 2-core machine and timing checks must not compete with another lab.
// Every project runs with only the host programs the bootstrap installs on its PATH
// (test/support/host-path.ts).
export default defineConfig({
  test: {
    globalSetup: ['test/support/host-path.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: ['test/integration/lab/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/integration/lab/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
        },
      },
      // Labs of hundreds of nodes: minutes each on 2 cores, so out of CI (npm run test:scale).
      ...(process.env.NVLAB_SCALE
        ? [
            {
              test: {
                name: 'scale',
                include: ['test/scale/**/*.test.ts'],
                testTimeout: 1_800_000,
                hookTimeout: 1_800_000,
                pool: 'forks' as const,
                poolOptions: { forks: { singleFork: true } },
              },
            },
          ]
        : []),
    ],
  },
});
