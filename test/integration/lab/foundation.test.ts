// The lab foundation on real Docker and real Open vSwitch: a three-hypervisor lab comes up with
// OVS on each node, transport IPs reach each other over the underlay, VMs are bound to br-int,
// and destroy leaves nothing behind.
import { execa } from 'execa';
import { beforeAll, describe, expect, test } from 'vitest';
import { inspectLab, type LabState } from '../../../src/app/inspect.ts';
import { checkUnderlay } from '../../../src/app/underlay-check.ts';
import { bridgeName, macFor } from '../../../src/runtime/docker/fabric.ts';
import { destroy, labTopology, useLab } from './harness.ts';
import { leftovers, NOTHING_LEFT, runtime, volumeCount } from './support.ts';

describe('a deployed three-hypervisor lab', () => {
  // The tests read one lab; the last one destroys it (destroy is what it checks).
  let volumesBefore = 0;
  const lab = useLab(labTopology('three-hypervisors.yaml'), {
    beforeDeploy: async () => {
      volumesBefore = await volumeCount();
    },
  });
  let state: LabState;

  beforeAll(async () => {
    state = await inspectLab(runtime, lab.name);
  });

  test('runs one container per transport node, named and labelled as the spec says', () => {
    expect(state.nodes.filter((n) => n.role !== 'controller').map((n) => [n.name, n.container, n.role, n.state])).toEqual([
      ['hv1', `nvlab-${lab.name}-hv1`, 'hypervisor', 'running'],
      ['hv2', `nvlab-${lab.name}-hv2`, 'hypervisor', 'running'],
      ['hv3', `nvlab-${lab.name}-hv3`, 'hypervisor', 'running'],
    ]);
  });

  test('each node runs OVS with br-phy holding the underlay NIC and a fail-secure br-int', () => {
    for (const node of state.nodes.filter((n) => n.role !== 'controller')) {
      expect(node.ovsError).toBeUndefined();
      const bridges = Object.fromEntries((node.ovs ?? []).map((b) => [b.name, b]));
      expect(Object.keys(bridges).sort()).toEqual(['br-int', 'br-phy']);
      expect(bridges['br-int']?.failMode).toBe('secure');
      expect(bridges['br-int']?.datapathType).toBe('netdev');
      expect(bridges['br-phy']?.datapathType).toBe('netdev');
      expect(bridges['br-phy']?.interfaces.filter((i) => i.type === 'system')).toHaveLength(1);
    }
  });

  test('the transport IP lives on br-phy and matches the plan', async () => {
    for (const node of lab.plan.transportNodes) {
      const result = await runtime.exec(node.container, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'br-phy']);
      expect(result.stdout).toContain(`${node.underlayIp}/${node.underlayPrefixLength}`);
    }
  });

  test('the underlay delivers a frame to the node it is addressed to, and to no other, with nothing learned', async () => {
    // Forget what the fabric's bridge learned: what is left is what it knew from the start.
    const fabricPid = (await execa('docker', ['inspect', '-f', '{{.State.Pid}}', `nvlab-${lab.name}.fabric`])).stdout.trim();
    const flushed = await execa(
      'nsenter',
      ['-t', fabricPid, '-n', 'bridge', 'fdb', 'flush', 'dev', bridgeName(lab.plan.networks.underlay.name), 'dynamic'],
      { reject: false },
    );
    expect(flushed.stderr).toBe('');
    const [hv1, hv2, hv3] = lab.plan.transportNodes;
    // tcpdump -c 1 exits at the first frame of this EtherType (a local experimental one).
    const capture = (container: string) =>
      runtime.exec(container, ['timeout', '4', 'tcpdump', '-c', '1', '-n', '-e', '-i', 'eth1', 'ether proto 0x88b5']);
    // hv2 never answers: a bridge that only learns would flood every one of these frames.
    // Sent every 200 ms over 2.4 s: the captures, started by docker exec, may take a while to listen.
    const hex = (ip: string) => macFor(ip).replace(/:/g, '');
    const send =
      `import socket, time; s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(('eth1', 0))\n` +
      `for _ in range(12): s.send(bytes.fromhex('${hex(hv2!.underlayIp)}${hex(hv1!.underlayIp)}88b5') + bytes(46)); time.sleep(0.2)`;
    const [atHv2, atHv3] = await Promise.all([
      capture(hv2!.container),
      capture(hv3!.container),
      new Promise((resolve) => setTimeout(resolve, 500)).then(() => runtime.exec(hv1!.container, ['python3', '-c', send])),
    ]);
    expect(atHv2.stdout).toContain(`> ${macFor(hv2!.underlayIp)}`);
    expect(atHv3.stdout.trim()).toBe('');
  });

  test('transport IPs ping each other across the underlay', async () => {
    const pairs = await checkUnderlay(runtime, state);
    expect(pairs).toHaveLength(6);
    expect(pairs.filter((p) => !p.ok)).toEqual([]);
  });

  test('br-phy learns no MAC from that traffic (each new one made ovs-vswitchd revalidate every flow)', async () => {
    for (const node of lab.plan.transportNodes) {
      const fdb = await runtime.exec(node.container, ['ovs-appctl', 'fdb/show', 'br-phy']);
      expect(fdb.exitCode).toBe(0);
      expect(fdb.stdout.trim().split('\n').slice(1)).toEqual([]); // the header alone
    }
  });

  test('each VM namespace has its MAC and IP, and its br-int interface the iface-id binding', async () => {
    for (const sw of lab.plan.switches) {
      for (const port of sw.ports) {
        const node = lab.plan.transportNodes.find((n) => n.name === port.node);
        if (!node) throw new Error(`no node ${port.node}`);
        const inside = await runtime.exec(node.container, ['ip', 'netns', 'exec', port.name, 'ip', '-j', 'addr', 'show', 'eth0']);
        expect(inside.exitCode).toBe(0);
        const [eth0] = JSON.parse(inside.stdout) as {
          address: string;
          addr_info: { local: string; prefixlen: number; family: string }[];
        }[];
        expect(eth0?.address).toBe(port.mac);
        expect(eth0?.addr_info.filter((a) => a.family === 'inet')).toEqual([
          expect.objectContaining({ local: port.ip, prefixlen: port.prefixLength }),
        ]);
        const bridge = state.nodes.find((n) => n.name === port.node)?.ovs?.find((b) => b.name === 'br-int');
        const iface = bridge?.interfaces.find((i) => i.name === port.ifname);
        expect(iface?.ifaceId).toBe(port.name);
        expect(iface?.ofport).toBeGreaterThan(0);
        const ids = await runtime.exec(node.container, ['ovs-vsctl', 'get', 'interface', port.ifname, 'external_ids:attached-mac']);
        expect(ids.stdout.trim()).toBe(`"${port.mac}"`);
      }
    }
  });

  test('the explicit MAC of a port is used as given', () => {
    const web3 = lab.plan.switches.flatMap((s) => s.ports).find((p) => p.name === 'web3');
    expect(web3?.mac).toBe('02:00:00:00:01:13');
  });

  test('controller members run beside the transport nodes, on the management network only', async () => {
    const members = (await inspectLab(runtime, lab.name)).nodes.filter((n) => n.role === 'controller');
    expect(members.map((m) => m.name)).toEqual(['ctrl1', 'ctrl2', 'ctrl3']);
    for (const m of members) expect(Object.keys(m.addresses)).toEqual(['mgmt']);
  });

  test('destroy leaves no container, network or volume', async () => {
    await destroy(lab.name);
    expect(await leftovers(lab.name)).toEqual(NOTHING_LEFT);
    expect(await volumeCount()).toBe(volumesBefore);
  });
});
