import { describe, expect, it } from 'vitest';
import type { TraceResult } from '../model/index.ts';
import { traceLines } from './trace-report.ts';

const result: TraceResult = {
  from: 'web1',
  to: 'web3',
  proto: 'icmp',
  delivered: true,
  hops: [
    {
      node: 'hv1',
      component: 'port',
      observation: 'received',
      logical: 'web1',
      detail: 'sent by port web1',
      rule: { cookie: '0x01001389659a7fb2', table: 0, priority: 100, meaning: 'classify what port web1 sends on switch web' },
    },
    {
      node: 'hv1',
      component: 'tunnel',
      observation: 'forwarded',
      tunnel: { encap: 'geneve', vni: 5001, remote: 'hv2' },
      detail: 'into the geneve tunnel to hv2, VNI 5001',
    },
    { node: 'hv2', component: 'port', observation: 'delivered', logical: 'web3', detail: 'to port web3' },
  ],
};

describe('traceLines', () => {
  it('prints one line per hop under its node, the rule explained, then the verdict', () => {
    expect(traceLines(result, { color: false })).toEqual([
      'trace web1 → web3 (icmp)',
      "predicted from the controller's logical state and the switches' OpenFlow tables",
      'hv1',
      '  → received   port web1                      sent by port web1 · classify what port web1 sends on switch web  [table 0, priority 100, cookie 0x01001389659a7fb2]',
      '  · forwarded  tunnel hv2 (geneve, VNI 5001)  into the geneve tunnel to hv2, VNI 5001',
      'hv2',
      '  ✓ delivered  port web3                      to port web3',
      '✓ delivered: web1 → web3 through hv1, hv2',
    ]);
  });

  it('says where and why a packet was dropped', () => {
    const dropped: TraceResult = {
      ...result,
      delivered: false,
      reason: 'no-flow',
      hops: [
        result.hops[0]!,
        { node: 'hv1', component: 'logical-switch', observation: 'dropped', reason: 'no-flow', detail: 'no flow for the destination' },
      ],
    };
    const lines = traceLines(dropped, { color: false });
    expect(lines.at(-2)).toBe('  ✗ dropped    logical-switch  no-flow: no flow for the destination');
    expect(lines.at(-1)).toBe('✗ dropped at hv1: no-flow (no flow for the destination)');
  });
});
