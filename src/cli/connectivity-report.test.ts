import chalk from 'chalk';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConnectivityMatrix } from '../model/index.ts';
import { connectivityLines } from './connectivity-report.ts';

beforeAll(() => {
  chalk.level = 0;
});

const matrix: ConnectivityMatrix = {
  lab: 'demo',
  injected: true,
  ports: [
    { name: 'web1', switch: 'web', node: 'hv1' },
    { name: 'web2', switch: 'web', node: 'hv2' },
    { name: 'app1', switch: 'app', node: 'hv1' },
  ],
  pairs: [
    { from: 'web1', to: 'web2', design: 'switch', status: 'reachable' },
    { from: 'web1', to: 'app1', design: 'isolated', status: 'isolated' },
    {
      from: 'web2',
      to: 'web1',
      design: 'switch',
      status: 'broken',
      reason: 'tunnel-down',
      node: 'hv2',
      detail: 'dropped at hv2 (tunnel-down)',
    },
    { from: 'web2', to: 'app1', design: 'isolated', status: 'isolated' },
    { from: 'app1', to: 'web1', design: 'isolated', status: 'isolated' },
    { from: 'app1', to: 'web2', design: 'isolated', status: 'isolated' },
  ],
  summary: { reachable: 1, isolated: 4, broken: 1 },
};

describe('nvlab connectivity for people', () => {
  it('a grid of marks, rows sending and columns receiving, then the broken pairs with where and why', () => {
    expect(connectivityLines(matrix)).toEqual([
      'port connectivity of lab demo: 3 ports, 6 pairs (predicted, then confirmed by an injected packet)',
      '',
      'from \\ to  web1  web2  app1',
      'web1       -     ✓     ·',
      'web2       ✗     -     ·',
      'app1       ·     ·     -',
      '',
      '✓ reachable  · isolated by design  ✗ broken',
      '',
      'Broken (1)',
      '  web2 → web1  tunnel-down at hv2: dropped at hv2 (tunnel-down)',
      '',
      '1 reachable, 4 isolated, 1 broken',
    ]);
  });
});
