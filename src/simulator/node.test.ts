import { describe, expect, it } from 'vitest';
import { datapathIdOf, memberTargets, SimulatedNode } from './node.ts';

describe('SimulatedNode', () => {
  it('boots with its VIFs numbered by its database and on its switch, and reads its facts as a member does', () => {
    const node = new SimulatedNode({
      name: 'sim1',
      index: 0,
      underlayIp: '100.64.0.10',
      vifs: [
        { port: 'vif1-1', mac: '02:5e:00:00:00:00' },
        { port: 'vif2-1', mac: '02:5e:00:01:00:00' },
      ],
    });
    const facts = node.facts();
    expect([...facts.vmPorts.keys()].sort()).toEqual(['vif1-1', 'vif2-1']);
    expect(facts.tunnelPorts.size).toBe(0);
    const onSwitch = node.switch.ports().map((p) => p.portNo);
    for (const ofport of facts.vmPorts.values()) expect(onSwitch).toContain(ofport);
    expect(node.switch.datapathId).toBe(datapathIdOf(0));
  });

  it('follows its database: a VIF plugged in shows on the switch and in its facts, and goes with it', () => {
    const node = new SimulatedNode({ name: 'sim2', index: 1, underlayIp: '100.64.0.11' });
    const v0 = node.version;
    const ofport = node.plug({ port: 'vif3-1', mac: '02:5e:00:02:00:00' });
    expect(node.facts().vmPorts.get('vif3-1')).toBe(ofport);
    expect(node.switch.ports().map((p) => p.portNo)).toContain(ofport);
    expect(node.version).toBeGreaterThan(v0);
    expect(node.unplug('vif3-1')).toBe(true);
    expect(node.facts().vmPorts.has('vif3-1')).toBe(false);
    expect(node.switch.ports().map((p) => p.portNo)).not.toContain(ofport);
    expect(node.holding()).toMatchObject({ name: 'sim2', tunnels: [], groups: [] });
  });

  it('connects to every member on the OVSDB manager and OpenFlow ports, over ssl: with TLS', () => {
    expect(memberTargets(['10.0.0.2', '10.0.0.3'], false)).toEqual({
      ovsdb: ['tcp:10.0.0.2:6640', 'tcp:10.0.0.3:6640'],
      openflow: ['tcp:10.0.0.2:6653', 'tcp:10.0.0.3:6653'],
    });
    expect(memberTargets(['10.0.0.2'], true).openflow).toEqual(['ssl:10.0.0.2:6653']);
  });
});
