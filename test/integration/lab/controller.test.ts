// The built-in controller cluster on a real lab: three members, three hypervisors, switches on
// every encap. Tunnels, reachability, isolation and flooding, then failover under traffic.
import { beforeAll, describe, expect, test } from 'vitest';
import { labNorthbound, addPort, migratePort, removePort } from '../../../src/app/ports.ts';
import { addTransportNode } from '../../../src/app/transport-nodes.ts';
import { ownerOf } from '../../../src/controller/mastership/assign.ts';
import { readApiCredentials } from '../../../src/app/lab-state.ts';
import { memberStatus, unwrap, type NorthboundClient } from '../../../src/northbound-client/index.ts';
import { labTopology, useLab } from './harness.ts';
import { eventually, runtime } from './support.ts';

const testLab = useLab(labTopology('controller.yaml'));
const lab = testLab.name;
const node = testLab.container;
let api: NorthboundClient;
/** Where each VM lives now (migrations update it). */
const home = new Map<string, string>();

async function vm(port: string, cmd: string[], timeoutMs?: number) {
  return runtime.exec(node(home.get(port)!), ['ip', 'netns', 'exec', port, ...cmd], timeoutMs ? { timeoutMs } : {});
}

async function pings(from: string, ip: string, count = 1): Promise<boolean> {
  return (await vm(from, ['ping', '-c', String(count), '-W', '2', ip])).exitCode === 0;
}

/** Pings until one is answered or `timeoutMs` is up; whether one was. */
function pingsWithin(from: string, ip: string, timeoutMs: number): Promise<boolean> {
  return eventually(
    () => pings(from, ip),
    (ok) => ok,
    timeoutMs,
  );
}

/** ovs-ofctl dump-flows of br-int on a node, optionally of the flows `filter` selects. */
async function brIntFlows(hv: string, ...filter: string[]): Promise<string> {
  return (await runtime.exec(node(hv), ['ovs-ofctl', '-O', 'OpenFlow13', 'dump-flows', 'br-int', ...filter])).stdout;
}

interface Mastership {
  node: string;
  member: string;
  generation: number;
}
async function masterships(): Promise<Mastership[]> {
  return unwrap(await api.status()).masterships;
}

/** The switch's own view: which controller connections are master. */
async function mastersOnSwitch(hv: string): Promise<string[]> {
  const result = await runtime.exec(node(hv), [
    'ovs-vsctl',
    '--format=csv',
    '--no-headings',
    '--columns=target,role',
    'list',
    'controller',
  ]);
  return result.stdout
    .trim()
    .split('\n')
    .filter((line) => line.endsWith(',master'))
    .map((line) => line.split(',')[0]!.replace(/"/g, ''));
}

const memberIp = (member: string) =>
  testLab.plan.controllers.kind === 'builtin' ? testLab.plan.controllers.members.find((m) => m.name === member)!.mgmtIp : '';
/** A member as a switch's OpenFlow controller target (ssl: when the lab runs TLS, its default). */
const openflowTarget = (member: string) => `${testLab.plan.security.tls ? 'ssl' : 'tcp'}:${memberIp(member)}:6653`;

beforeAll(async () => {
  for (const sw of testLab.plan.switches) for (const p of sw.ports) home.set(p.name, p.node);
  api = await labNorthbound(runtime, lab);
  // Every switch has its master once the cluster has programmed it.
  await eventually(masterships, (m) => m.length === 3, 20_000);
});

describe('a three-member cluster programming three hypervisors', () => {
  test("each node has exactly the tunnels its switches need, of each switch's encap, and they are up", async () => {
    const underlay = new Map(testLab.plan.transportNodes.map((n) => [n.name, n.underlayIp]));
    const expected: Record<string, string[]> = {
      hv1: [`geneve ${underlay.get('hv2')}`, `geneve ${underlay.get('hv3')}`, `gre ${underlay.get('hv3')}`, `vxlan ${underlay.get('hv2')}`],
      hv2: [`geneve ${underlay.get('hv1')}`, `geneve ${underlay.get('hv3')}`, `vxlan ${underlay.get('hv1')}`],
      hv3: [`geneve ${underlay.get('hv1')}`, `geneve ${underlay.get('hv2')}`, `gre ${underlay.get('hv1')}`],
    };
    for (const [hv, want] of Object.entries(expected)) {
      const seen = await eventually(
        async () =>
          (
            await runtime.exec(node(hv), [
              'ovs-vsctl',
              '--format=csv',
              '--no-headings',
              '--columns=type,options,link_state',
              'find',
              'interface',
              'external_ids:nvlab-tunnel=true',
            ])
          ).stdout,
        (out) =>
          out
            .trim()
            .split('\n')
            .filter((l) => l.endsWith(',up')).length === want.length,
        10_000,
      );
      const tunnels = seen
        .trim()
        .split('\n')
        .map((line) => {
          const [type] = line.split(',');
          const remote = /remote_ip=""?([\d.]+)/.exec(line)?.[1];
          expect(line, `${hv} tunnel link state`).toMatch(/,up$/);
          return `${type} ${remote}`;
        });
      expect(tunnels.sort(), hv).toEqual(want.sort());
    }
  });

  test('every pair of ports in a switch reaches the other, on every encap', async () => {
    const pairs = testLab.plan.switches.flatMap((sw) =>
      sw.ports.flatMap((a) => sw.ports.filter((b) => b !== a).map((b) => [a.name, b.ip] as const)),
    );
    const results = await Promise.all(pairs.map(async ([from, ip]) => [from, ip, await pings(from, ip)] as const));
    expect(results.filter(([, , ok]) => !ok)).toEqual([]);
  });

  test('tenants with identical IPs and MACs on the same hypervisors never exchange a frame', async () => {
    // app1 and app2 have web1's and web2's IPs and MACs. While web1 talks to web2, app2 hears nothing.
    const capture = vm('app2', ['timeout', '4', 'tcpdump', '-nn', '-i', 'eth0', 'icmp or arp']);
    await new Promise((r) => setTimeout(r, 1000)); // tcpdump opens its socket
    expect(await pings('web1', '10.0.1.12', 3)).toBe(true);
    expect((await capture).stdout.trim()).toBe('');
    // web3's address exists only in web.
    expect(await pings('app1', '10.0.1.13')).toBe(false);
  });

  test('one broadcast from a VM reaches each other port of its switch exactly once, and nothing else', async () => {
    const listeners = ['web2', 'web3', 'app1', 'app2', 'db1'];
    const captures = listeners.map((p) => vm(p, ['timeout', '4', 'tcpdump', '-nn', '-i', 'eth0', 'ether broadcast and icmp']));
    await new Promise((r) => setTimeout(r, 1000));
    await vm('web1', ['ping', '-b', '-c', '1', '-W', '1', '10.0.1.255']);
    const copies = Object.fromEntries(
      await Promise.all(listeners.map(async (p, i) => [p, (await captures[i]!).stdout.trim().split('\n').filter(Boolean).length] as const)),
    );
    expect(copies).toEqual({ web2: 1, web3: 1, app1: 0, app2: 0, db1: 0 });
  });
});

describe('failover', () => {
  // In order, on the one cluster of this file: each test starts from the masterships the one
  // before left (members it killed are started again, and may still be taking switches back).
  test('killing the master of a switch under 10 ms pings loses no ping, and a new master takes over', async () => {
    const before = (await masterships()).find((m) => m.node === 'hv1')!;
    const traffic = vm('web1', ['ping', '-q', '-i', '0.01', '-c', '400', '-W', '1', '10.0.1.12'], 30_000);
    await new Promise((r) => setTimeout(r, 1000));
    await runtime.kill(node(before.member));
    const after = await eventually(
      async () => (await masterships()).find((m) => m.node === 'hv1')!,
      (m) => m.member !== before.member,
      5_000,
    );
    expect(after.member).not.toBe(before.member);
    expect(after.generation).toBeGreaterThan(before.generation);
    const summary = (await traffic).stdout;
    expect(summary).toMatch(/400 packets transmitted, 400 received/);
    expect(
      await eventually(
        () => mastersOnSwitch('hv1'),
        (m) => m.length === 1 && m[0] === openflowTarget(after.member),
        5_000,
      ),
    ).toEqual([openflowTarget(after.member)]);
    await runtime.start(node(before.member));
  });

  test('a restarted member gets its switches back without leaving them masterless: a port added as it returns reaches every node', async () => {
    // hv3's owner when every member is up; a member restarted by the test before may still be
    // taking it back.
    const victim = ownerOf('hv3', ['ctrl1', 'ctrl2', 'ctrl3'])!;
    await eventually(masterships, (ms) => ms.find((m) => m.node === 'hv3')!.member === victim, 5_000);
    await runtime.kill(node(victim));
    await eventually(masterships, (ms) => ms.find((m) => m.node === 'hv3')!.member !== victim, 5_000);
    // Down long enough that with OVS's default backoff (up to 8 s) its switches would reconnect
    // to it only seconds after its lease is back.
    await new Promise((r) => setTimeout(r, 3000));
    await runtime.start(node(victim));
    const live = async () => unwrap(await api.status());
    await eventually(live, (s) => s.members.some((m) => m.name === victim && m.live), 10_000);
    const port = await addPort(runtime, lab, { switch: 'web', name: 'web7', on: 'hv3', ip: '10.0.1.17' }, api);
    home.set('web7', 'hv3');
    for (const hv of ['hv3', 'hv1', 'hv2']) {
      const flows = await eventually(
        () => brIntFlows(hv, `table=10,dl_dst=${port.mac}`),
        (out) => out.includes('actions='),
        2_000,
      );
      expect(flows, hv).toContain('actions=');
    }
    // Switches retry a member at most a second apart: it soon has its share back.
    const back = await eventually(masterships, (ms) => ms.find((m) => m.node === 'hv3')!.member === victim, 5_000);
    expect(back.find((m) => m.node === 'hv3')!.member).toBe(victim);
    await removePort(runtime, lab, 'web7', api);
    home.delete('web7');
  });

  test('a partitioned member loses its switches to others, and after healing each switch has one master and it writes through its own store server', async () => {
    await eventually(masterships, (m) => m.length === 3, 10_000);
    const owned = await masterships();
    const victim = owned[0]!.member;
    const container = node(victim);
    await runtime.disconnect(container, testLab.plan.networks.mgmt.name);
    const moved = await eventually(masterships, (m) => m.every((x) => x.member !== victim), 5_000);
    expect(moved.filter((m) => m.member === victim)).toEqual([]);
    // Cut off longer than its store client's grace for a server out of its cluster (2 s).
    await new Promise((r) => setTimeout(r, 4000));
    await runtime.connect(container, { network: testLab.plan.networks.mgmt.name, ip: memberIp(victim) });
    for (const hv of ['hv1', 'hv2', 'hv3']) {
      expect(
        await eventually(
          () => mastersOnSwitch(hv),
          (m) => m.length === 1,
          10_000,
        ),
        hv,
      ).toHaveLength(1);
    }
    expect(await pings('web1', '10.0.1.13')).toBe(true);
    // Healed, it writes through its own store server, not through a peer's that may be cut off next.
    const credentials = await readApiCredentials(lab);
    const status = await eventually(
      async () => {
        const answer = await memberStatus(memberIp(victim), { ...(credentials ? { credentials } : {}) });
        return answer.kind === 'ok' ? answer.value : undefined;
      },
      (s) => s?.store.available === true,
      10_000,
    );
    expect(status?.store.remote).toBe(`${testLab.plan.security.tls ? 'ssl' : 'tcp'}:${memberIp(victim)}:6641`);
  });

  test('with every member down traffic still flows; a majority back programs a VM plugged meanwhile', async () => {
    // The logical port exists first, as a cloud platform would create it; the VM plugs in later.
    unwrap(await api.logicalPorts.create({ name: 'web5', switch: 'web', mac: '02:00:00:00:00:15', ip: '10.0.1.15', node: 'hv2' }));
    await Promise.all(['ctrl1', 'ctrl2', 'ctrl3'].map((m) => runtime.kill(node(m))));
    expect(await pings('web1', '10.0.1.12', 3)).toBe(true);
    const plugged = await runtime.exec(node('hv2'), ['nvlab-node', 'plug', 'web5', 'vm-web5', '02:00:00:00:00:15', '10.0.1.15/24']);
    expect(plugged.exitCode).toBe(0);
    home.set('web5', 'hv2');
    await Promise.all(['ctrl1', 'ctrl2'].map((m) => runtime.start(node(m))));
    expect(await pingsWithin('web1', '10.0.1.15', 30_000)).toBe(true);
    await runtime.start(node('ctrl3'));
  });
});

describe('convergence', () => {
  // On the lab as the tests before left it (web5 plugged on hv2, every member restarted); the
  // second test after the first moved web1 to hv2.
  test('an added port is reachable, a migrated one at its new place, a removed one leaves no flow', async () => {
    await addPort(runtime, lab, { switch: 'web', name: 'web4', on: 'hv3', ip: '10.0.1.14' }, api);
    home.set('web4', 'hv3');
    expect(await pingsWithin('web1', '10.0.1.14', 10_000)).toBe(true);
    // The other nodes of the switch get their unicast flow towards it in the next batch.
    const web4Mac = unwrap(await api.logicalPorts.get('web4')).mac;
    for (const hv of ['hv1', 'hv2']) {
      const flows = await eventually(
        () => brIntFlows(hv, `dl_dst=${web4Mac}`),
        (out) => out.includes('tun_id'),
        5_000,
      );
      expect(flows, hv).toMatch(/table=10,.*actions=set_field:0x[0-9a-f]+->tun_id,output:/);
    }

    await migratePort(runtime, lab, 'web1', 'hv2', api);
    home.set('web1', 'hv2');
    expect(await pingsWithin('web3', '10.0.1.11', 10_000)).toBe(true);

    await removePort(runtime, lab, 'web4', api);
    for (const hv of ['hv1', 'hv2', 'hv3']) {
      const flows = await eventually(
        () => brIntFlows(hv),
        (out) => !out.includes(web4Mac),
        10_000,
      );
      expect(flows, hv).not.toContain(web4Mac);
    }
  });

  test('a hypervisor added to the running lab joins: its VMs reach the rest of their switch', async () => {
    await addTransportNode(runtime, lab, { name: 'hv4', role: 'hypervisor' });
    await addPort(runtime, lab, { switch: 'web', name: 'web6', on: 'hv4', ip: '10.0.1.16' }, api);
    home.set('web6', 'hv4');
    expect(await pingsWithin('web2', '10.0.1.16', 15_000)).toBe(true);
    expect(await pings('web6', '10.0.1.13')).toBe(true);
    const tunnels = await runtime.exec(node('hv4'), ['ovs-vsctl', '--columns=name', 'find', 'interface', 'external_ids:nvlab-tunnel=true']);
    expect(tunnels.stdout).toMatch(/tun-hv2-gnv/);
  });
});
