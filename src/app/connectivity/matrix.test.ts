import { describe, expect, it } from 'vitest';
import type { TraceHop, TraceResult } from '../../model/index.ts';
import { connectivityMatrix } from './index.ts';
import { designOf, judgePair, matrixPairs, type MatrixPort, type MatrixRouter } from './matrix.ts';

const web1: MatrixPort = { name: 'web1', switch: 'web', node: 'hv1' };
const web2: MatrixPort = { name: 'web2', switch: 'web', node: 'hv2' };
const app1: MatrixPort = { name: 'app1', switch: 'app', node: 'hv1' };
const db1: MatrixPort = { name: 'db1', switch: 'db', node: 'hv2' };
const edge: MatrixRouter = {
  name: 'edge',
  distributed: false,
  interfaces: [{ switch: 'web' }, { switch: 'db' }],
  uplink: { gateways: [{ node: 'gw1' }] },
};
/** Centralized without an uplink (the API takes it, a topology file does not): it runs nowhere. */
const lonely: MatrixRouter = { name: 'lonely', distributed: false, interfaces: [{ switch: 'web' }, { switch: 'app' }] };

const hop = (node: string, observation: TraceHop['observation'], extra: Partial<TraceHop> = {}): TraceHop => ({
  node,
  component: 'port',
  observation,
  ...extra,
});
const delivered = (from: string, to: string): TraceResult => ({
  from,
  to,
  proto: 'icmp',
  delivered: true,
  hops: [hop('hv1', 'received'), hop('hv2', 'delivered')],
});
const dropped = (from: string, to: string, reason: TraceResult['reason'], node = 'hv1'): TraceResult => ({
  from,
  to,
  proto: 'icmp',
  delivered: false,
  reason,
  hops: [hop('hv1', 'received'), hop(node, 'dropped', { component: 'logical-switch', reason, detail: `dropped for ${reason}` })],
});

describe('the design of a pair', () => {
  it('one switch, a router with an uplink between the two, or nothing that joins them', () => {
    expect(designOf([edge, lonely], web1, web2)).toEqual({ design: 'switch' });
    expect(designOf([edge, lonely], web1, db1)).toEqual({ design: 'routed', router: 'edge' });
    expect(designOf([edge, lonely], db1, web1)).toEqual({ design: 'routed', router: 'edge' });
    // A centralized router without an uplink runs nowhere: it joins nothing.
    expect(designOf([edge, lonely], web1, app1)).toEqual({ design: 'isolated' });
    expect(designOf([], app1, db1)).toEqual({ design: 'isolated' });
  });

  it('routed by a distributed router, with or without an uplink', () => {
    const inner: MatrixRouter = { name: 'inner', distributed: true, interfaces: [{ switch: 'app' }, { switch: 'db' }] };
    expect(designOf([edge, lonely, inner], app1, db1)).toEqual({ design: 'routed', router: 'inner' });
    expect(designOf([{ ...edge, distributed: true }], web1, db1)).toEqual({ design: 'routed', router: 'edge' });
    expect(designOf([{ ...lonely, distributed: true }], web1, app1)).toEqual({ design: 'routed', router: 'lonely' });
  });

  it('pairs every port with every other, both ways, or those of one switch', () => {
    const names = (ps: [MatrixPort, MatrixPort][]) => ps.map(([a, b]) => `${a.name}>${b.name}`);
    expect(names(matrixPairs([web1, web2, app1]))).toEqual(['web1>web2', 'web1>app1', 'web2>web1', 'web2>app1', 'app1>web1', 'app1>web2']);
    expect(names(matrixPairs([web1, web2, app1], 'web'))).toEqual(['web1>web2', 'web2>web1']);
  });
});

describe('a pair judged by its trace', () => {
  it('reachable and isolated as designed', () => {
    expect(judgePair([edge], web1, web2, delivered('web1', 'web2'))).toMatchObject({
      status: 'reachable',
      design: 'switch',
      predicted: { delivered: true },
    });
    expect(judgePair([edge], web1, app1, dropped('web1', 'app1', 'isolation'))).toMatchObject({
      status: 'isolated',
      design: 'isolated',
      predicted: { delivered: false, reason: 'isolation', node: 'hv1' },
    });
  });

  it('broken: dropped on a path the design opens, with the node and the reason', () => {
    expect(judgePair([edge], web1, db1, dropped('web1', 'db1', 'tunnel-down', 'hv2'))).toMatchObject({
      status: 'broken',
      design: 'routed',
      router: 'edge',
      reason: 'tunnel-down',
      node: 'hv2',
      detail: 'dropped at hv2 (tunnel-down): dropped for tunnel-down; path hv1 → hv2',
    });
  });

  it('broken: delivered across switches nothing joins (a leak)', () => {
    expect(judgePair([], web1, app1, delivered('web1', 'app1'))).toMatchObject({
      status: 'broken',
      reason: 'leak',
      detail: 'delivered, though no router with an uplink joins switch web and switch app',
    });
  });

  it('the injected packet decides, and a path that left the prediction is broken where it left', () => {
    const predicted = delivered('web1', 'web2');
    const observed = dropped('web1', 'web2', 'no-flow', 'hv2');
    const trace: TraceResult = {
      ...observed,
      predicted,
      observed,
      divergence: { hop: 1, node: 'hv2', predicted: 'hv2 port delivered', observed: 'hv2 logical-switch dropped no-flow' },
    };
    expect(judgePair([], web1, web2, trace)).toMatchObject({
      status: 'broken',
      reason: 'divergence',
      node: 'hv2',
      predicted: { delivered: true },
      injected: { delivered: false, reason: 'no-flow', node: 'hv2' },
      detail:
        'the injected packet left the predicted path at hv2: predicted hv2 port delivered, observed hv2 logical-switch dropped no-flow',
    });
  });

  it('a trace that could not be made is broken, with the error', () => {
    expect(judgePair([], web1, web2, new Error('node hv2 did not answer'))).toMatchObject({
      status: 'broken',
      reason: 'error',
      detail: 'node hv2 did not answer',
    });
  });
});

describe('the matrix', () => {
  it('traces every pair once, a few at a time, and counts them', async () => {
    let running = 0;
    let most = 0;
    const asked: string[] = [];
    const matrix = await connectivityMatrix({
      lab: 'demo',
      ports: [web1, web2, app1, db1],
      routers: [edge],
      injected: false,
      concurrency: 3,
      trace: async (req) => {
        asked.push(`${req.from}>${req.to}`);
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        const a = [web1, web2, app1, db1].find((p) => p.name === req.from)!;
        const b = [web1, web2, app1, db1].find((p) => p.name === req.to)!;
        if (designOf([edge], a, b).design === 'isolated') return dropped(req.from, req.to, 'isolation');
        if (req.to === 'db1' && req.from === 'web2') throw new Error('hv2 did not answer');
        return delivered(req.from, req.to);
      },
    });
    expect(asked).toHaveLength(12);
    expect(new Set(asked).size).toBe(12);
    expect(most).toBe(3);
    expect(matrix.summary).toEqual({ reachable: 5, isolated: 6, broken: 1 });
    expect(matrix.pairs.find((p) => p.status === 'broken')).toMatchObject({ from: 'web2', to: 'db1', reason: 'error' });
  });

  it('an unknown switch is an error that names it', async () => {
    await expect(
      connectivityMatrix({
        lab: 'demo',
        ports: [web1],
        routers: [],
        injected: false,
        switch: 'nope',
        trace: () => Promise.reject(new Error('never')),
      }),
    ).rejects.toThrow('lab demo has no logical switch nope with ports');
  });
});
