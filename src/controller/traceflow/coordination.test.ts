import { describe, expect, it } from 'vitest';
import { smallLab } from '../pipeline/test-fixtures.ts';
import type { TraceflowRecord, TraceflowReport } from '../store/index.ts';
import { assemblerOf, membersWithNodes, notObserved, outcomeOf, readyToInject, unobservedNodes } from './coordination.ts';
import type { TracePlan } from './plan.ts';

const armed = (member: string, nodes: string[], disconnected: string[] = []): TraceflowReport => ({
  traceflow: 't',
  member,
  phase: 'armed',
  nodes,
  disconnected,
});
const observed = (member: string, nodes: string[]): TraceflowReport => ({ ...armed(member, nodes), phase: 'observed', passes: [] });
const NODES = ['hv1', 'hv2', 'hv3'];

describe('traceflow coordination', () => {
  it('the member that took the request assembles while it lives, else the first live one', () => {
    expect(assemblerOf({ member: 'ctrl2' }, ['ctrl1', 'ctrl2'])).toBe('ctrl2');
    expect(assemblerOf({ member: 'ctrl2' }, ['ctrl3', 'ctrl1'])).toBe('ctrl1');
    expect(assemblerOf({ member: 'ctrl2' }, [])).toBeUndefined();
  });

  it("sends only once every live member reported and every node is armed or out of everyone's reach", () => {
    expect(readyToInject([armed('ctrl1', ['hv1'])], ['ctrl1', 'ctrl2'], NODES)).toEqual({
      ready: false,
      waiting: ['member ctrl2', 'node hv2', 'node hv3'],
    });
    const two = [armed('ctrl1', ['hv1'], ['hv3']), armed('ctrl2', ['hv2'], ['hv3'])];
    expect(readyToInject(two, ['ctrl1', 'ctrl2'], NODES)).toEqual({ ready: true, waiting: [] });
    // hv3 is up for ctrl2, yet nobody armed it: its VMs would get the packet.
    const up = [armed('ctrl1', ['hv1'], ['hv3']), armed('ctrl2', ['hv2'])];
    expect(readyToInject(up, ['ctrl1', 'ctrl2'], NODES)).toEqual({ ready: false, waiting: ['node hv3'] });
  });

  it("waits for every live member's observation; a node nobody watched but someone could reach is unobserved", () => {
    const reports = [observed('ctrl1', ['hv1']), armed('ctrl2', ['hv2'])];
    expect(notObserved(reports, ['ctrl1', 'ctrl2'])).toEqual(['ctrl2']);
    expect([...unobservedNodes(reports, NODES)].sort()).toEqual(['hv2', 'hv3']);
    expect(membersWithNodes(['ctrl2', 'ctrl3'], [{ node: 'hv2', member: 'ctrl2', generation: 1 }])).toBe('ctrl2 (hv2), ctrl3');
  });

  it('fails a trace whose packet was not sent within the bound, naming who did not answer', () => {
    const logical = smallLab();
    const port = logical.ports[0]!;
    const plan: TracePlan = {
      source: { node: port.node!, entry: { kind: 'port', port: port.name }, via: { vmPort: port.name } },
      target: logical.ports[1]!.name,
      frame: { ethSrc: port.mac, ethDst: logical.ports[1]!.mac, payload: { kind: 'icmp', src: '10.0.0.1', dst: '10.0.0.2' } },
    };
    const trace: TraceflowRecord = {
      id: 't',
      member: 'ctrl1',
      request: { from: port.name, to: plan.target, proto: 'icmp' },
      created: 0,
      state: 'running',
    };
    const masterships = [{ node: 'hv2', member: 'ctrl2', generation: 1 }];
    const late = outcomeOf({ trace, plan, reports: [armed('ctrl1', ['hv1'])], logical, masterships, missing: ['ctrl2'], boundMs: 8000 });
    expect(late.state).toBe('failed');
    expect(late.result.error).toBe('the packet was not sent within 8000 ms: no answer from ctrl2 (hv2)');
    const unplugged = outcomeOf({
      trace: { ...trace, injectError: { kind: 'not-plugged', detail: `port ${port.name} is not plugged in on ${port.node}` } },
      plan,
      reports: [],
      logical,
      masterships,
      missing: [],
      boundMs: 8000,
    });
    expect(unplugged).toMatchObject({ state: 'completed', result: { path: { delivered: false, reason: 'port-not-bound' }, passes: [] } });
  });
});
