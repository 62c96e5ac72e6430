// A simulated node's database on its own, without members: what it boots with (as a transport
// node's ovs-vsctl init writes it), and its simulated ovs-vswitchd: port numbers (never reused at
// once, ofport_request honoured), ports plugged and unplugged with their events, BFD's status as
// the callback decides, cur_cfg following next_cfg.
import { describe, expect, it } from 'vitest';
import { SimulatedOvsdb, type PortChange } from './simulated-ovsdb.ts';

const VMS = [1, 2, 3].map((i) => ({ ifaceId: `lp${i}`, name: `vm${i}`, mac: `02:00:00:00:00:0${i}` }));
const settle = () => new Promise((r) => setImmediate(r));
const node = (extra: Partial<ConstructorParameters<typeof SimulatedOvsdb>[0]> = {}) =>
  new SimulatedOvsdb({ systemId: 'hv1', datapathId: 0xabcn, underlayIp: '192.0.2.1', role: 'service-node', vmPorts: VMS, ...extra });
const tunnel = (name: string, remoteIp: string, bfd: [string, string][] = []) => [
  {
    op: 'insert',
    table: 'Interface',
    row: { name, type: 'geneve', options: ['map', [['remote_ip', remoteIp]]], bfd: ['map', bfd] },
    'uuid-name': 'i',
  },
  { op: 'insert', table: 'Port', row: { name, interfaces: ['named-uuid', 'i'] }, 'uuid-name': 'p' },
  { op: 'mutate', table: 'Bridge', where: [['name', '==', 'br-int']], mutations: [['ports', 'insert', ['named-uuid', 'p']]] },
];

describe('a simulated node database', () => {
  it("boots as a transport node's configuration: identity, br-int and br-phy, VMs numbered", () => {
    const sim = node({ controllers: ['tcp:192.0.2.100:6653'] });
    const [root] = sim.dump('Open_vSwitch');
    expect(root!.external_ids).toEqual([
      'map',
      [
        ['hostname', 'hv1'],
        ['nvlab-role', 'service-node'],
        ['system-id', 'hv1'],
      ],
    ]);
    expect(root!.cur_cfg).toBe(root!.next_cfg);
    const brInt = sim.dump('Bridge').find((b) => b.name === 'br-int')!;
    expect(brInt).toMatchObject({ datapath_id: '0000000000000abc', fail_mode: 'secure', protocols: 'OpenFlow13', datapath_type: 'netdev' });
    expect(sim.dump('Controller').map((c) => c.target)).toEqual(['tcp:192.0.2.100:6653']);
    expect(sim.dump('Interface').find((i) => i.name === 'br-phy')!.mac_in_use).toBe('02:00:c0:00:02:01');
    expect(sim.interfaces()).toEqual([
      { name: 'br-int', ofport: 65534, type: 'internal' },
      ...VMS.map((vm, i) => ({ name: vm.name, ofport: i + 1, type: '', ifaceId: vm.ifaceId, attachedMac: vm.mac })),
    ]);
    expect(sim.tunnels()).toEqual([]);
  });

  it('numbers ports plugged at run time without reusing a number at once, and tells of each', async () => {
    const sim = node();
    const changes: PortChange[] = [];
    sim.on('port', (c) => changes.push(c));
    expect(sim.addVmPort({ ifaceId: 'lp4', name: 'vm4', mac: '02:00:00:00:00:04' })).toBe(4);
    expect(sim.removeVmPort('lp4')).toBe(true);
    expect(sim.removeVmPort('lp4')).toBe(false);
    expect(sim.addVmPort({ ifaceId: 'lp5', name: 'vm5', mac: '02:00:00:00:00:05' })).toBe(5);
    expect(changes.map((c) => `${c.change} ${c.name} ${c.ofport} ${c.ifaceId}`)).toEqual([
      'added vm4 4 lp4',
      'removed vm4 4 lp4',
      'added vm5 5 lp5',
    ]);
    // A port asking for a number gets it.
    sim.transact([
      ...tunnel('tun1', '192.0.2.2').slice(0, 2),
      { op: 'update', table: 'Interface', where: [['name', '==', 'tun1']], row: { ofport_request: 100 } },
      tunnel('tun1', '')[2],
    ]);
    await settle();
    expect(sim.tunnels()).toEqual([{ name: 'tun1', ofport: 100, type: 'geneve', remoteIp: '192.0.2.2', bfd: false }]);
    expect(changes.at(-1)).toEqual({ change: 'added', name: 'tun1', ofport: 100, type: 'geneve', remoteIp: '192.0.2.2' });
  });

  it('reports BFD as the callback says, counting flaps, and clears it when BFD goes off', async () => {
    const up = new Set(['192.0.2.2']);
    const sim = node({ bfdForwarding: (ip) => up.has(ip) });
    sim.transact(tunnel('tun-up', '192.0.2.2', [['enable', 'true']]));
    sim.transact(
      tunnel('tun-down', '192.0.2.3', [
        ['enable', 'true'],
        ['cpath_down', 'true'],
      ]),
    );
    await settle();
    const status = (name: string) =>
      Object.fromEntries((sim.dump('Interface').find((i) => i.name === name)!.bfd_status as [string, [string, string][]])[1]);
    expect(status('tun-up')).toEqual({
      diagnostic: 'No Diagnostic',
      flap_count: '1',
      forwarding: 'true',
      remote_diagnostic: 'No Diagnostic',
      remote_state: 'up',
      state: 'up',
    });
    expect(status('tun-down')).toMatchObject({ state: 'down', forwarding: 'false', flap_count: '0', diagnostic: 'Concatenated Path Down' });
    up.delete('192.0.2.2');
    sim.refreshBfd();
    expect(status('tun-up')).toMatchObject({
      state: 'down',
      forwarding: 'false',
      flap_count: '2',
      diagnostic: 'Control Detection Time Expired',
    });
    expect(sim.tunnels().map((t) => [t.name, t.bfd, t.forwarding])).toEqual([
      ['tun-up', true, false],
      ['tun-down', true, false],
    ]);
    sim.transact([{ op: 'update', table: 'Interface', where: [['name', '==', 'tun-up']], row: { bfd: ['map', []] } }]);
    await settle();
    expect(sim.dump('Interface').find((i) => i.name === 'tun-up')!.bfd_status).toEqual(['map', []]);
  });

  it('catches cur_cfg up with next_cfg, as ovs-vswitchd does once it applied a change', async () => {
    const sim = node();
    sim.transact([{ op: 'mutate', table: 'Open_vSwitch', where: [], mutations: [['next_cfg', '+=', 1]] }]);
    expect(sim.dump('Open_vSwitch')[0]!.cur_cfg).not.toBe(sim.dump('Open_vSwitch')[0]!.next_cfg);
    await settle();
    expect(sim.dump('Open_vSwitch')[0]!.cur_cfg).toBe(sim.dump('Open_vSwitch')[0]!.next_cfg);
  });
});
