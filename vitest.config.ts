import { defineConfig } from 'vitest/config';

// Two projects: `unit` is pure and fast; `integration` drives real Docker and Open vSwitch,
// so it runs file by file (labs are heavy on a 2-core machine) with generous timeouts.
export default defineConfig({
  test: {
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
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
