import { describe, expect, it } from 'vitest';
import type { TraceHop, TracePath } from '../../model/index.ts';
import { divergence, traceResult } from './result.ts';

const hop = (node: string, observation: TraceHop['observation'], extra: Partial<TraceHop> = {}): TraceHop => ({
  node,
  component: 'port',
  observation,
  ...extra,
});
const predicted: TracePath = {
  delivered: true,
  hops: [
    hop('hv1', 'received', { logical: 'web1' }),
    hop('hv1', 'forwarded', { component: 'tunnel' }),
    hop('hv2', 'delivered', { logical: 'web3' }),
  ],
};

describe('traceResult', () => {
  it('puts the predicted path at the top level while nothing was injected', () => {
    const result = traceResult({ from: 'web1', to: 'web3', proto: 'icmp' }, predicted);
    expect(result).toEqual({ from: 'web1', to: 'web3', proto: 'icmp', delivered: true, hops: predicted.hops, predicted });
  });

  it('puts an observed path at the top level, and says at which hop it leaves the predicted one', () => {
    const observed: TracePath = {
      delivered: false,
      reason: 'tunnel-down',
      hops: [predicted.hops[0]!, predicted.hops[1]!, hop('hv2', 'dropped', { component: 'tunnel', reason: 'tunnel-down' })],
    };
    const result = traceResult({ from: 'web1', to: 'web3', proto: 'icmp', frame: 'broadcast' }, predicted, observed);
    expect(result).toMatchObject({ delivered: false, reason: 'tunnel-down', hops: observed.hops, predicted, observed, frame: 'broadcast' });
    expect(result.divergence).toEqual({
      hop: 2,
      node: 'hv2',
      predicted: 'hv2 port web3 delivered',
      observed: 'hv2 tunnel dropped tunnel-down',
    });
    expect(divergence(predicted, predicted)).toBeUndefined();
    // An observed path that stops early parts where it ends.
    expect(divergence(predicted, { delivered: false, hops: predicted.hops.slice(0, 1) })).toMatchObject({
      hop: 1,
      node: 'hv1',
      observed: 'nothing',
    });
  });
});
