// npm run bench:acl: what security groups and QoS cost and give, on a real lab of 2 hypervisors
// (1 controller). Traffic is net-probe.py's, run in the VMs' namespaces (the image has no iperf3):
// a TCP stream's rate is its bytes over the time until the receiver had them all.
//   throughput-open=<Mbit/s>        a TCP stream between two VMs on different hypervisors, in no group
//   throughput-100-rules=<Mbit/s>   the same between two VMs in a group of 100 rules (the last one
//                                   allows them, statefully); ratio= the second over the first
//   conn-per-s=<n>                  new TCP connections per second, one after another, through
//                                   that stateful allow rule; conn-per-s-open= the same in no group
//   qos-10mbit=<Mbit/s>             a VM with qos { rate: 10mbit } streaming, while its
//   qos-unlimited-neighbour=<Mbit/s> neighbour on the same hypervisor, in no group and unlimited,
//                                   streams at the same time to the same receiver;
//                                   qos-unlimited-alone= that neighbour streaming by itself just before
// Each is the median of REPS runs of STREAM_S (streams) or CONN_S (connections) seconds; the
// kinds alternate within a repetition, so a load that comes and goes touches them alike.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { destroyLab } from '../src/app/destroy.ts';
import { connectOnce } from '../src/app/lab-driver/connect.ts';
import { resolveCapturePoints, type CapturePoint } from '../src/app/lab-driver/capture-point.ts';
import { connectionRate, startListener, streamTcp, type Listener } from '../src/app/lab-driver/net-probe.ts';
import { createRuntime } from '../src/app/runtime.ts';
import { deployBenchLab, median, sleep } from './bench-support.ts';

const LAB = 'benchacl';
const REPS = 3;
const STREAM_S = 4;
const CONN_S = 2;
const SINK_PORT = 5201;
const CONN_PORT = 5202;
/** s1's second sink: a sink reads one connection at a time, and the QoS pair streams at once. */
const NEIGHBOUR_PORT = 5211;
const runtime = await createRuntime();

const IP: Record<string, string> = {
  o1: '10.0.0.11',
  o2: '10.0.0.12',
  g1: '10.0.0.21',
  g2: '10.0.0.22',
  q1: '10.0.0.31',
  u1: '10.0.0.32',
  s1: '10.0.0.33',
};

/** 100 rules: 99 that the measured traffic never matches, then the one that allows it. */
function hundredRules(): string[] {
  const rules: string[] = [];
  for (let i = 0; i < 50; i++)
    rules.push(`{ direction: ingress, protocol: tcp, ports: ${10000 + i}, remote: 10.${100 + i}.0.0/16, action: allow }`);
  for (let i = 0; i < 49; i++)
    rules.push(`{ direction: egress, protocol: udp, ports: ${20000 + i}, remote: 10.200.${i}.0/24, action: drop }`);
  rules.push(`{ direction: ingress, protocol: tcp, ports: ${SINK_PORT}-${CONN_PORT}, remote: bench, action: allow }`);
  return rules;
}

const TOPOLOGY = `name: ${LAB}
controllers: 1
transport-nodes:
  hv1: hypervisor
  hv2: hypervisor
security-groups:
  bench:
${hundredRules()
  .map((r) => `    - ${r}`)
  .join('\n')}
logical-switches:
  net:
    subnet: 10.0.0.0/24
    ports:
      o1: { on: hv1, ip: ${IP.o1} }
      o2: { on: hv2, ip: ${IP.o2} }
      g1: { on: hv1, ip: ${IP.g1}, security-groups: [bench] }
      g2: { on: hv2, ip: ${IP.g2}, security-groups: [bench] }
      q1: { on: hv1, ip: ${IP.q1}, qos: { rate: 10mbit } }
      u1: { on: hv1, ip: ${IP.u1} }
      s1: { on: hv2, ip: ${IP.s1} }
`;

let points: Map<string, CapturePoint>;
const at = (name: string) => points.get(name) as CapturePoint;

/** Listeners on a receiver for the run: a sink for streams, an accept-and-close for connections. */
async function listeners(on: string, sinks: number[]): Promise<Listener[]> {
  const id = `${LAB}-${on}`;
  return [
    ...(await Promise.all(
      sinks.map((port) => startListener(runtime, at(on), { id: `${id}-sink${port}`, proto: 'sink', port, lifetimeS: 900 })),
    )),
    await startListener(runtime, at(on), { id: `${id}-conn`, proto: 'tcp', port: CONN_PORT, lifetimeS: 900 }),
  ];
}

/** Waits until `from` opens a TCP connection to `to` (the switch programmed, the rule in place). */
async function reachable(from: string, to: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const r = await connectOnce(runtime, LAB, {
      from,
      to,
      ip: IP[to]!,
      proto: 'tcp',
      port: CONN_PORT,
      listen: true,
      timeoutMs: 1000,
    }).catch(() => undefined);
    if (r?.outcome === 'open') return;
    if (Date.now() > deadline) throw new Error(`${from} cannot reach ${to}: ${r ? `${r.outcome} (${r.seen})` : 'probe failed'}`);
    await sleep(500);
  }
}

const stream = async (from: string, to: string, port = SINK_PORT) =>
  (await streamTcp(runtime, at(from), { ip: IP[to]!, port, seconds: STREAM_S })).mbps;
const conns = async (from: string, to: string) =>
  (await connectionRate(runtime, at(from), { ip: IP[to]!, port: CONN_PORT, seconds: CONN_S })).per_s;

const dir = await mkdtemp(join(tmpdir(), 'nvlab-bench-acl-'));
const started: Listener[] = [];
try {
  await deployBenchLab(runtime, LAB, TOPOLOGY, dir);
  // Before the measurement's own listeners: these checks start theirs on the same port.
  await Promise.all([reachable('o1', 'o2'), reachable('g1', 'g2'), reachable('q1', 's1'), reachable('u1', 's1')]);
  points = await resolveCapturePoints(runtime, LAB, Object.keys(IP));
  started.push(...(await listeners('o2', [SINK_PORT])), ...(await listeners('g2', [SINK_PORT])));
  started.push(...(await listeners('s1', [SINK_PORT, NEIGHBOUR_PORT])));
  const samples = { open: [] as number[], rules: [] as number[], conn: [] as number[], connOpen: [] as number[] };
  const qos = { limited: [] as number[], neighbour: [] as number[], alone: [] as number[] };
  for (let i = 0; i < REPS; i++) {
    samples.open.push(await stream('o1', 'o2'));
    samples.rules.push(await stream('g1', 'g2'));
    samples.connOpen.push(await conns('o1', 'o2'));
    samples.conn.push(await conns('g1', 'g2'));
    qos.alone.push(await stream('u1', 's1', NEIGHBOUR_PORT));
    const [limited, neighbour] = await Promise.all([stream('q1', 's1'), stream('u1', 's1', NEIGHBOUR_PORT)]);
    qos.limited.push(limited);
    qos.neighbour.push(neighbour);
    console.error(
      `rep ${i + 1}: open ${samples.open[i]} Mbit/s, 100 rules ${samples.rules[i]} Mbit/s; conn/s ${samples.connOpen[i]} open, ${samples.conn[i]} stateful; qos ${limited} Mbit/s while its neighbour sent ${neighbour} (alone ${qos.alone[i]})`,
    );
  }
  const open = median(samples.open);
  const rules = median(samples.rules);
  console.log(
    `measured: TCP streams of ${STREAM_S} s and connection loops of ${CONN_S} s from net-probe.py in the VMs' namespaces, median of ${REPS}`,
  );
  console.log(`throughput-open=${open} throughput-100-rules=${rules} ratio=${(rules / open).toFixed(2)}`);
  console.log(`conn-per-s=${median(samples.conn)} conn-per-s-open=${median(samples.connOpen)}`);
  console.log(
    `qos-10mbit=${median(qos.limited)} qos-unlimited-neighbour=${median(qos.neighbour)} qos-unlimited-alone=${median(qos.alone)}`,
  );
} finally {
  await Promise.all(started.map((l) => l.stop().catch(() => undefined)));
  await destroyLab(runtime, LAB).catch(() => {});
  await rm(dir, { recursive: true, force: true });
}
