// npm run bench:failover: traffic gaps when what carries the traffic dies, on a real lab.
//   service-node-failover=<ms>   a VM broadcasts a ping every 10 ms (ping -b) on a switch in
//                                service-node mode; a VM on another hypervisor counts the copies
//                                it receives. The switch's active service node is killed (SIGKILL)
//                                mid-stream; the gap is the longest interval without a received
//                                copy. Median of 5; the service node is started again, and its
//                                BFD sessions are up, between samples.
//   gateway-failover=<ms>        a VM pings a physical host behind a logical router every 10 ms;
//                                the router's active l3 gateway is killed mid-stream; the gap is
//                                the longest interval between two replies the VM received. Median
//                                of 5; the gateway is started again, and has taken the router
//                                back, between samples.
// Both print on one line: service-node-failover=<ms> gateway-failover=<ms>.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serviceNodeOrder } from '../src/controller/pipeline/index.ts';
import { DockerLabDriver } from '../src/app/lab-driver/docker-driver.ts';
import { destroyLab } from '../src/app/destroy.ts';
import { createRuntime } from '../src/app/runtime.ts';
import { containerName } from '../src/model/index.ts';
import { deployBenchLab, median, sleep } from './bench-support.ts';

const LAB = 'benchfo';
const SAMPLES = 5;
const VNI = 6000;
const BEFORE_KILL_MS = 1500;
const AFTER_KILL_MS = 3000;
const runtime = await createRuntime();
const container = (name: string) => containerName(LAB, name);

const GATEWAYS = ['gw1', 'gw2'];
const WWW = '203.0.113.80';

// The router has a switch of its own: the service-node measurement floods only `net`.
const TOPOLOGY = `name: ${LAB}
controllers: 1
transport-nodes:
  hv1: hypervisor
  hv2: hypervisor
  sn1: service-node
  sn2: service-node
  gw1: l3-gateway
  gw2: l3-gateway
physical-networks:
  internet:
    subnet: 203.0.113.0/24
    hosts:
      www: ${WWW}
logical-switches:
  net:
    vni: ${VNI}
    replication: service-node
    subnet: 10.0.0.0/24
    ports:
      vm1: { on: hv1, ip: 10.0.0.11 }
      vm2: { on: hv2, ip: 10.0.0.12 }
  lan:
    subnet: 10.0.1.0/24
    ports:
      vm3: { on: hv1, ip: 10.0.1.11 }
logical-routers:
  edge:
    switches: { lan: 10.0.1.1 }
    uplink: { network: internet, ip: 203.0.113.2, gateways: [${GATEWAYS.join(', ')}], snat: true }
`;

async function sh(name: string, script: string, timeoutMs = 30_000): Promise<string> {
  const r = await runtime.exec(container(name), ['sh', '-c', script], { timeoutMs });
  if (r.exitCode !== 0) throw new Error(`${name}: ${script}: exit ${r.exitCode}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** BFD state of hv1's tunnel towards a service node ('' while it has none). */
async function bfdState(sn: string): Promise<string> {
  const r = await runtime.exec(container('hv1'), ['ovs-vsctl', '--timeout=5', 'get', 'interface', `tun-${sn}-gnv`, 'bfd_status:state']);
  return r.exitCode === 0 ? r.stdout.trim().replace(/"/g, '') : '';
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** The service node both BFD sessions are up to, and that replicates the switch. */
async function ready(sn: string): Promise<boolean> {
  if ((await bfdState(sn)) !== 'up') return false;
  const groups = await sh(sn, 'ovs-ofctl -O OpenFlow13 dump-groups br-int');
  return groups.includes(`group_id=${0x3000000 | VNI},`);
}

async function sample(order: string[]): Promise<{ killed: string; gapMs: number; copies: number }> {
  // The active one: first in the switch's order whose BFD session is up.
  let killed: string | undefined;
  for (const sn of order)
    if ((await bfdState(sn)) === 'up') {
      killed = sn;
      break;
    }
  if (!killed) throw new Error('no service node is up');
  const total = (BEFORE_KILL_MS + AFTER_KILL_MS) / 1000;
  // The receiver timestamps every broadcast echo request it gets (epoch seconds, µs).
  const capture = sh(
    'hv2',
    `ip netns exec vm2 timeout ${total + 1.5} tcpdump -n -tt -l -i eth0 'icmp[icmptype] = icmp-echo and ether broadcast' 2>/dev/null || true`,
    (total + 10) * 1000,
  );
  await sleep(800); // tcpdump listening
  // The limited broadcast, bound to the VM's NIC: the VMs have no broadcast address configured.
  const sender = sh(
    'hv1',
    `ip netns exec vm1 ping -b -q -I eth0 -i 0.01 -w ${Math.ceil(total)} 255.255.255.255 >/dev/null 2>&1 || true`,
    (total + 10) * 1000,
  );
  await sleep(BEFORE_KILL_MS);
  await runtime.kill(container(killed));
  await sender;
  const out = await capture;
  const times = out
    .split('\n')
    .map((l) => Number(l.split(' ')[0]))
    .filter((t) => Number.isFinite(t) && t > 0);
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
  await runtime.start(container(killed));
  if (times.length < 50) throw new Error(`only ${times.length} copies reached vm2: the measurement is broken`);
  await until(`${killed} back`, () => ready(killed!));
  await sleep(2000); // its flows settle before the next sample
  return { killed, gapMs: Math.round(gap * 1000), copies: times.length };
}

const driver = new DockerLabDriver(runtime, LAB);
const activeGateway = () => driver.activeGateway('edge', GATEWAYS).catch(() => undefined);

/** The router is held by `gw` and carries vm3's pings to www. */
async function routerReady(gw: string): Promise<boolean> {
  if ((await activeGateway()) !== gw) return false;
  const r = await runtime.exec(container('hv1'), ['ip', 'netns', 'exec', 'vm3', 'ping', '-n', '-c', '1', '-W', '1', WWW]);
  return r.exitCode === 0;
}

async function gatewaySample(): Promise<{ killed: string; gapMs: number; replies: number }> {
  const killed = await activeGateway();
  if (!killed) throw new Error('no gateway holds the router');
  const total = (BEFORE_KILL_MS + AFTER_KILL_MS) / 1000;
  // -D stamps every reply with the time it came in (epoch seconds, µs).
  const sender = sh(
    'hv1',
    `ip netns exec vm3 ping -D -n -i 0.01 -W 1 -w ${Math.ceil(total)} ${WWW} 2>/dev/null || true`,
    (total + 10) * 1000,
  );
  await sleep(BEFORE_KILL_MS);
  const killedAt = Date.now() / 1000;
  await runtime.kill(container(killed));
  const out = await sender;
  const times = [...out.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from/gm)].map((m) => Number(m[1]));
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
  await runtime.start(container(killed));
  if (times.length < 50) throw new Error(`only ${times.length} replies reached vm3: the measurement is broken`);
  // No reply after the kill: the router never came back within the sample.
  if ((times.at(-1) ?? 0) < killedAt) throw new Error(`no reply after ${killed} was killed`);
  await until(`${killed} holding the router again`, () => routerReady(killed));
  await sleep(2000); // its flows settle before the next sample
  return { killed, gapMs: Math.round(gap * 1000), replies: times.length };
}

const dir = await mkdtemp(join(tmpdir(), 'nvlab-bench-fo-'));
try {
  const plan = await deployBenchLab(runtime, LAB, TOPOLOGY, dir);
  const order = serviceNodeOrder(
    { nodes: plan.transportNodes.map((n) => ({ name: n.name, role: n.role, encap: 'geneve', underlayIp: '' })), switches: [], ports: [] },
    VNI,
  );
  await until('BFD up to both service nodes', async () => (await ready('sn1')) && (await ready('sn2')));
  const gaps: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const s = await sample(order);
    console.error(`sample ${i + 1}: killed ${s.killed}, gap ${s.gapMs} ms, ${s.copies} copies received`);
    gaps.push(s.gapMs);
  }
  await until('the router on gw1', () => routerReady('gw1'));
  const gatewayGaps: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const s = await gatewaySample();
    console.error(`gateway sample ${i + 1}: killed ${s.killed}, gap ${s.gapMs} ms, ${s.replies} replies received`);
    gatewayGaps.push(s.gapMs);
  }
  console.log(`service-node-failover=${median(gaps)} gateway-failover=${median(gatewayGaps)}`);
} finally {
  await destroyLab(runtime, LAB).catch(() => {});
  await rm(dir, { recursive: true, force: true });
}
