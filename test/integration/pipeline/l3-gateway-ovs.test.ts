// A logical router on two L3 gateways, on real ovs-vswitchd processes with real Geneve tunnels
// and BFD between them (each node a network namespace, see netns-nodes.ts): a hypervisor with a
// VM, gw1 and gw2 each holding a namespace that plays the router (same MACs and addresses on
// both, as the lab builds it), and a host on the uplink's physical network. The VM reaches the
// router and the host through gw1 while gw2 lets nothing into its namespace; gw1's vswitchd is
// killed and traffic moves to gw2 with no controller in the loop; gw1 comes back holding
// cpath_down until it is programmed, then takes over again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desiredTunnels, uplinkGateInGroupId, uplinkGateOutGroupId } from '../../../src/controller/pipeline/index.ts';
import type { NodeSessions } from '../../../src/controller/southbound/node-sessions.ts';
import type { OpenFlowConnection, OpenFlowController } from '../../../src/openflow/index.ts';
import { until } from '../../support/southbound-node.ts';
import { counter, echoServer, inNs, NetnsLab, probe, type OvsNode } from './netns-nodes.ts';
import { type LogicalState, routerPortId, routerUplinkId } from '../../../src/model/index.ts';
import { hv } from '../../../src/controller/pipeline/test-fixtures.ts';
import { connectNodes, listenForNodes, pendingChanges, programNode, teardown } from './programming.ts';

const WEB_MAC = '0a:00:00:00:01:01';
const UP_MAC = '0a:00:00:00:ff:01';
const VM_MAC = '02:00:00:00:00:0a';

const lab: LogicalState = {
  nodes: [hv('hv1', '192.0.2.1'), hv('gw1', '192.0.2.31', { role: 'l3-gateway' }), hv('gw2', '192.0.2.32', { role: 'l3-gateway' })],
  switches: [{ name: 'web', vni: 100, replication: 'source', encap: 'geneve' }],
  ports: [{ name: 'web-a', switch: 'web', mac: VM_MAC, ip: '10.0.1.10', node: 'hv1' }],
  routers: [
    {
      name: 'edge',
      distributed: false,
      interfaces: [{ switch: 'web', mac: WEB_MAC, ip: '10.0.0.1/24' }],
      uplink: {
        ip: '203.0.113.2/24',
        mac: UP_MAC,
        gateways: [
          { node: 'gw1', nic: 'eth2' },
          { node: 'gw2', nic: 'eth2' },
        ],
      },
    },
  ],
};

const net = new NetnsLab();
let sessions: NodeSessions;
let controller: OpenFlowController;
const nodes = new Map<string, OvsNode>();
const switches = new Map<string, OpenFlowConnection>();
/** Namespaces: the VM, each gateway's router, the host on the physical network. */
let vm = '';
let ext = '';
const routerNs = new Map<string, string>();

/** What a controller member does for one node (programming.ts), gw1 restarted included. */
const program = (name: string, options: { holdCpathDown?: boolean } = {}) => programNode({ lab, sessions, nodes, switches }, name, options);

const bfdForwarding = async (from: string, tunnel: string) =>
  (
    await nodes
      .get(from)!
      .ovs.vsctl('get', 'Interface', tunnel, 'bfd_status:forwarding')
      .catch(() => '')
  )
    .replace(/"/g, '')
    .trim() === 'true';

const answers = (r: Awaited<ReturnType<typeof probe>>) => r.probes.map((p) => p.from);

beforeAll(async () => {
  const listening = await listenForNodes(net);
  ({ sessions, controller } = listening);
  const { base } = listening;
  const ul = base.underlayNs;
  await net.bridge(ul, 'wan');
  // The host on the physical network: 203.0.113.10, the tenant subnet behind the router.
  ext = await net.ns('ext');
  await net.veth({ ns: ext, name: 'eth0', addr: '203.0.113.10/24' }, { ns: ul, name: `${net.prefix}x0`, master: 'wan' });
  await inNs(ext, 'ip', 'route', 'add', '10.0.1.0/24', 'via', '203.0.113.2');
  echoServer(net, ext, 'ext');

  vm = await net.ns('vm');
  nodes.set(
    'hv1',
    await net.node('hv1', { ...base, underlayIp: '192.0.2.1', dpid: 0x3a01n }, async (ns, ovs) => {
      await net.veth({ ns: vm, name: 'eth0', mac: VM_MAC, addr: '10.0.1.10/24' }, { ns, name: 'vm-web-a' });
      await inNs(vm, 'ip', 'route', 'add', 'default', 'via', '10.0.1.1');
      await ovs.vsctl('add-port', 'br-int', 'vm-web-a', '--', 'set', 'interface', 'vm-web-a', 'external_ids:iface-id=web-a');
    }),
  );
  for (const [i, gw] of ['gw1', 'gw2'].entries()) {
    const r = await net.ns(`r-${gw}`);
    routerNs.set(gw, r);
    nodes.set(
      gw,
      await net.node(gw, { ...base, underlayIp: `192.0.2.3${i + 1}`, dpid: BigInt(0x3a10 + i) }, async (ns, ovs) => {
        // The router's namespace, identical on both gateways; its interface and uplink are veths
        // into br-int with the iface-ids the controller binds to, and the NIC eth2 is on the wan.
        await net.veth({ ns: r, name: 'web', mac: WEB_MAC, addr: '10.0.1.1/24' }, { ns, name: 'lrp-web' });
        await net.veth({ ns: r, name: 'uplink', mac: UP_MAC, addr: '203.0.113.2/24' }, { ns, name: 'lru-edge' });
        await net.veth({ ns, name: 'eth2' }, { ns: ul, name: `${net.prefix}w${i}`, master: 'wan' });
        await inNs(r, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward');
        await ovs.vsctl(
          'add-port',
          'br-int',
          'lrp-web',
          '--',
          'set',
          'interface',
          'lrp-web',
          `external_ids:iface-id=${routerPortId('edge', 'web')}`,
          '--',
          'add-port',
          'br-int',
          'lru-edge',
          '--',
          'set',
          'interface',
          'lru-edge',
          `external_ids:iface-id=${routerUplinkId('edge')}`,
          '--',
          'add-port',
          'br-int',
          'eth2',
        );
      }),
    );
    echoServer(net, r, gw);
  }
  await connectNodes({ lab, sessions, nodes, switches }, controller);
  for (const name of nodes.keys()) await program(name);
}, 120_000);

afterAll(() => teardown(net, controller, sessions));

describe('a logical router on two L3 gateways, real OVS and BFD', () => {
  // In order, on one set of nodes: gw1 is killed by the third test and restarted by the fourth.
  it('installs what reads back the same on every node (fast_failover groups with empty buckets included); BFD comes up on every tunnel', async () => {
    for (const name of nodes.keys()) {
      expect(await pendingChanges(lab, name, sessions, switches.get(name)!), name).toEqual([]);
    }
    const groups = await nodes.get('gw2')!.ovs.ofctl('dump-groups', 'br-int');
    // The gate as OVS prints it: a bucket that drops while gw1's tunnel is live, then the uplink.
    expect(groups).toMatch(
      new RegExp(
        `group_id=${uplinkGateInGroupId(0)},type=ff,bucket=watch_port:\\d+,actions=drop,bucket=watch_port:(\\d+),actions=output:\\1`,
      ),
    );
    expect(groups).toContain(`group_id=${uplinkGateOutGroupId(0)},type=ff`);
    await until(
      'BFD forwarding on every tunnel',
      async () => {
        for (const name of nodes.keys()) for (const t of desiredTunnels(lab, name)) if (!(await bfdForwarding(name, t.name))) return false;
        return true;
      },
      20_000,
    );
  }, 60_000);

  it('gw1 is active: the VM reaches the router interface and the host behind the uplink, the host reaches the uplink; gw2 lets nothing in', async () => {
    const r2 = routerNs.get('gw2')!;
    const before = { web: await counter(r2, 'web', 'rx_packets'), up: await counter(r2, 'uplink', 'rx_packets') };
    const upTx = await counter(routerNs.get('gw1')!, 'uplink', 'tx_packets');
    expect(answers(await probe(vm, '10.0.1.1', 5, 50))).toEqual(Array(5).fill('gw1'));
    expect(answers(await probe(vm, '203.0.113.10', 5, 50))).toEqual(Array(5).fill('ext'));
    expect(await counter(routerNs.get('gw1')!, 'uplink', 'tx_packets')).toBeGreaterThanOrEqual(upTx + 5); // routed by gw1
    expect(answers(await probe(ext, '203.0.113.2', 5, 50))).toEqual(Array(5).fill('gw1'));
    // The VM's and the host's broadcasts (ARP) reached gw2 too; its gates kept them out.
    expect({ web: await counter(r2, 'web', 'rx_packets'), up: await counter(r2, 'uplink', 'rx_packets') }).toEqual(before);
  }, 60_000);

  it("gw1 dies (vswitchd killed): BFD moves the hypervisor's group and opens gw2's gates, no controller involved", async () => {
    const gw1 = nodes.get('gw1')!;
    const flowsBefore = await nodes.get('hv1')!.ovs.ofctl('dump-flows', '--no-stats', 'br-int');
    const stream = probe(vm, '10.0.1.1', 250, 20, 500); // 5 s of probes, one every 20 ms
    await new Promise((r) => setTimeout(r, 1500));
    await gw1.killVswitchd();
    const { probes } = await stream;
    const lastGw1 = probes.filter((p) => p.from === 'gw1').at(-1)!;
    const firstGw2 = probes.find((p) => p.from === 'gw2')!;
    expect(firstGw2).toBeDefined();
    expect(probes.slice(probes.indexOf(firstGw2)).every((p) => p.from === 'gw2')).toBe(true); // and it stays there
    const gap = firstGw2.at - lastGw1.at;
    const lost = probes.filter((p) => p.from === undefined).length;
    console.log(
      `router failover: ${lost} of ${probes.length} probes (20 ms apart) unanswered; ${gap} ms from the last probe gw1 answered to the first gw2 answered`,
    );
    expect(gap).toBeLessThan(2000);
    expect(await bfdForwarding('hv1', 'tun-gw1-gnv')).toBe(false);
    expect(await bfdForwarding('gw2', 'tun-gw1-gnv')).toBe(false);
    // The VM to the host through gw2's uplink (which teaches the wan bridge the uplink MAC's new
    // port), and the host to the uplink.
    expect(answers(await probe(vm, '203.0.113.10', 5, 50))).toEqual(Array(5).fill('ext'));
    expect(answers(await probe(ext, '203.0.113.2', 5, 50))).toEqual(Array(5).fill('gw2'));
    expect(await nodes.get('hv1')!.ovs.ofctl('dump-flows', '--no-stats', 'br-int')).toBe(flowsBefore);
  }, 60_000);

  it('gw1 restarts holding cpath_down: traffic stays on gw2 until gw1 is programmed, then moves back and gw2 falls silent', async () => {
    const gw1 = nodes.get('gw1')!;
    // What the node agent does at boot: hold BFD "concatenated path down" on its BFD tunnels.
    for (const t of desiredTunnels(lab, 'gw1')) await gw1.ovs.vsctl('set', 'Interface', t.name, 'bfd:cpath_down=true');
    const old = switches.get('gw1')!;
    await gw1.startVswitchd();
    switches.set('gw1', await controller.waitForSwitch({ datapathId: gw1.dpid, exclude: [old], timeout: 30_000 }));
    await until(
      'gw1 BFD up but not forwarding (cpath_down)',
      async () => (await gw1.ovs.vsctl('get', 'Interface', 'tun-gw2-gnv', 'bfd_status:remote_state').catch(() => '')).includes('up'),
      20_000,
    );
    expect(answers(await probe(vm, '10.0.1.1', 10, 50))).toEqual(Array(10).fill('gw2'));

    await program('gw1', { holdCpathDown: true }); // flows in, cpath_down kept
    expect(answers(await probe(vm, '10.0.1.1', 5, 50))).toEqual(Array(5).fill('gw2'));
    await program('gw1'); // released, as the programmer does once the node is complete
    await until(
      'hv1 and gw2 see gw1 forwarding',
      async () => (await bfdForwarding('hv1', 'tun-gw1-gnv')) && (await bfdForwarding('gw2', 'tun-gw1-gnv')),
      10_000,
    );
    const r2 = routerNs.get('gw2')!;
    const before = { web: await counter(r2, 'web', 'rx_packets'), up: await counter(r2, 'uplink', 'rx_packets') };
    expect(answers(await probe(vm, '10.0.1.1', 5, 50))).toEqual(Array(5).fill('gw1'));
    expect(answers(await probe(vm, '203.0.113.10', 5, 50))).toEqual(Array(5).fill('ext'));
    expect({ web: await counter(r2, 'web', 'rx_packets'), up: await counter(r2, 'uplink', 'rx_packets') }).toEqual(before);
  }, 90_000);
});
