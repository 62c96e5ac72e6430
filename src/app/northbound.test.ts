import { describe, expect, it } from 'vitest';
import type { LabPlan, SwitchPlan } from '../topology/plan-types.ts';
import { l2GatewayOf } from './northbound.ts';

describe('l2GatewayOf', () => {
  const plan = {
    transportNodes: [
      { name: 'gw1', attachments: [{ network: 'other' }, { network: 'dc' }] },
      { name: 'hv1', attachments: [] },
    ],
  } as unknown as LabPlan;
  const sw = (l2Gateway?: SwitchPlan['l2Gateway']) => ({ name: 'web', l2Gateway }) as SwitchPlan;

  it('names the gateway NIC after its attachment (eth0 mgmt, eth1 underlay, then attachments)', () => {
    expect(l2GatewayOf(plan, sw({ node: 'gw1', network: 'dc', vlan: 10 }))).toEqual({ node: 'gw1', network: 'dc', vlan: 10, nic: 'eth3' });
    expect(l2GatewayOf(plan, sw({ node: 'gw1', network: 'other' }))).toEqual({ node: 'gw1', network: 'other', nic: 'eth2' });
    expect(l2GatewayOf(plan, sw())).toBeUndefined();
  });

  it('refuses a gateway not attached to the network', () => {
    expect(() => l2GatewayOf(plan, sw({ node: 'hv1', network: 'dc' }))).toThrow(/not attached to dc/);
  });
});
