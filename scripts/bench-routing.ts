// npm run bench:routing: what a distributed router costs next to a switch, on a real lab of two
// hypervisors (1 controller, 1 l3 gateway for the centralized router only). Three pairs, each
// from a VM on hv1 to one on hv2:
//   same-switch   w1 → w2, both on web
//   routed        w1 → d1, web to db through core, a distributed router (routed on hv1)
//   centralized   a1 → b1, app to data through legacy, distributed: false (routed on gw1)
// Printed:
//   rtt-same-switch-p50=<ms> rtt-routed-p50=<ms> ratio=<routed / same-switch>   (target ≤ 1.1)
//   the p95s, and the centralized pair's p50 and p95 beside them
//   throughput-same-switch=<Mbit/s> throughput-routed=<Mbit/s> throughput-centralized=<Mbit/s>
// RTTs are ping's, PINGS per kind and repetition 20 ms apart, pooled over REPS; a throughput is
// a TCP stream of STREAM_S seconds from net-probe.py (the image has no iperf3), the median of
// REPS. The kinds alternate within a repetition, so a load that comes and goes touches them alike.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { destroyLab } from '../src/app/destroy.ts';
import { resolveCapturePoints, type CapturePoint } from '../src/app/lab-driver/capture-point.ts';
import { startListener, streamTcp, type Listener } from '../src/app/lab-driver/net-probe.ts';
import { createRuntime } from '../src/app/runtime.ts';
import { containerName } from '../src/model/index.ts';
import { deployBenchLab, median, percentile, sleep } from './bench-support.ts';

const LAB = 'benchroute';
const REPS = 5;
const PINGS = 100;
const STREAM_REPS = 3;
const STREAM_S = 4;
const SINK_PORT = 5201;
const runtime = await createRuntime();

const IP: Record<string, string> = {
  w1: '10.0.1.11',
  w2: '10.0.1.12',
  d1: '10.0.2.11',
  a1: '10.0.3.11',
  b1: '10.0.4.11',
};
const HOME: Record<string, string> = { w1: 'hv1', w2: 'hv2', d1: 'hv2', a1: 'hv1', b1: 'hv2' };

const KINDS = {
  'same-switch': { from: 'w1', to: 'w2' },
  routed: { from: 'w1', to: 'd1' },
  centralized: { from: 'a1', to: 'b1' },
} as const;
type Kind = keyof typeof KINDS;

const TOPOLOGY = `name: ${LAB}
controllers: 1
transport-nodes:
  hv1: hypervisor
  hv2: hypervisor
  gw1: l3-gateway
physical-networks:
  internet:
    subnet: 203.0.113.0/24
logical-switches:
  web:
    subnet: 10.0.1.0/24
    ports:
      w1: { on: hv1, ip: ${IP.w1} }
      w2: { on: hv2, ip: ${IP.w2} }
  db:
    subnet: 10.0.2.0/24
    ports:
      d1: { on: hv2, ip: ${IP.d1} }
  app:
    subnet: 10.0.3.0/24
    ports:
      a1: { on: hv1, ip: ${IP.a1} }
  data:
    subnet: 10.0.4.0/24
    ports:
      b1: { on: hv2, ip: ${IP.b1} }
logical-routers:
  core:
    switches: { web: 10.0.1.1, db: 10.0.2.1 }
  legacy:
    distributed: false
    switches: { app: 10.0.3.1, data: 10.0.4.1 }
    uplink: { network: internet, ip: 203.0.113.3, gateways: [gw1] }
`;

/** ping from a VM; its output. */
async function ping(from: string, to: string, args: string[]): Promise<string> {
  const cmd = ['ip', 'netns', 'exec', from, 'ping', '-n', ...args, IP[to]!];
  return (await runtime.exec(containerName(LAB, HOME[from]!), cmd, { timeoutMs: 60_000 })).stdout;
}

/** Waits until `from` gets an answer from `to` (the lab programmed). */
async function reachable(from: string, to: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await ping(from, to, ['-c', '1', '-W', '1'])).includes('1 received')) {
    if (Date.now() > deadline) throw new Error(`${from} cannot reach ${to} (${IP[to]})`);
    await sleep(500);
  }
}

/** The round trips of PINGS pings, in ms; a lost one throws. */
async function rtts(kind: Kind): Promise<number[]> {
  const { from, to } = KINDS[kind];
  const out = await ping(from, to, ['-i', '0.02', '-W', '1', '-c', String(PINGS)]);
  const times = [...out.matchAll(/time=([\d.]+) ms/g)].map((m) => Number(m[1]));
  if (times.length !== PINGS) throw new Error(`${kind}: ${times.length} of ${PINGS} pings answered:\n${out.slice(-400)}`);
  return times;
}

const ms = (v: number) => v.toFixed(3);

const dir = await mkdtemp(join(tmpdir(), 'nvlab-bench-routing-'));
const listeners: Listener[] = [];
try {
  await deployBenchLab(runtime, LAB, TOPOLOGY, dir);
  for (const { from, to } of Object.values(KINDS)) await reachable(from, to);
  const points = await resolveCapturePoints(runtime, LAB, Object.keys(IP));
  const at = (name: string) => points.get(name) as CapturePoint;
  for (const sink of ['w2', 'd1', 'b1'])
    listeners.push(await startListener(runtime, at(sink), { id: `${LAB}-${sink}`, proto: 'sink', port: SINK_PORT, lifetimeS: 900 }));

  const kinds = Object.keys(KINDS) as Kind[];
  const rtt = Object.fromEntries(kinds.map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
  for (let i = 0; i < REPS; i++) {
    const rep: string[] = [];
    for (const k of kinds) {
      const times = await rtts(k);
      rtt[k].push(...times);
      rep.push(`${k} p50 ${ms(median(times))}`);
    }
    console.error(`rtt rep ${i + 1}: ${rep.join(', ')} ms`);
  }
  const mbps = Object.fromEntries(kinds.map((k) => [k, [] as number[]])) as Record<Kind, number[]>;
  for (let i = 0; i < STREAM_REPS; i++) {
    for (const k of kinds) {
      const { from, to } = KINDS[k];
      mbps[k].push((await streamTcp(runtime, at(from), { ip: IP[to]!, port: SINK_PORT, seconds: STREAM_S })).mbps);
    }
    console.error(`stream rep ${i + 1}: ${kinds.map((k) => `${k} ${mbps[k][i]} Mbit/s`).join(', ')}`);
  }

  const p50 = (k: Kind) => median(rtt[k]);
  const p95 = (k: Kind) => percentile(rtt[k], 0.95);
  const ratio = p50('routed') / p50('same-switch');
  console.log(
    `measured: ${REPS} × ${PINGS} pings per pair 20 ms apart (pooled), TCP streams of ${STREAM_S} s from net-probe.py (median of ${STREAM_REPS}); every pair hv1 → hv2`,
  );
  console.log(
    `rtt-same-switch-p50=${ms(p50('same-switch'))} rtt-routed-p50=${ms(p50('routed'))} ratio=${ratio.toFixed(2)} (target ≤ 1.1: ${ratio <= 1.1 ? 'met' : 'missed'})`,
  );
  console.log(`rtt-same-switch-p95=${ms(p95('same-switch'))} rtt-routed-p95=${ms(p95('routed'))}`);
  console.log(
    `rtt-centralized-p50=${ms(p50('centralized'))} rtt-centralized-p95=${ms(p95('centralized'))} ratio-centralized=${(p50('centralized') / p50('same-switch')).toFixed(2)}`,
  );
  console.log(kinds.map((k) => `throughput-${k}=${median(mbps[k])}`).join(' '));
} finally {
  await Promise.all(listeners.map((l) => l.stop().catch(() => undefined)));
  await destroyLab(runtime, LAB).catch(() => {});
  await rm(dir, { recursive: true, force: true });
}
