// npm run bench:controller: the built-in cluster on real labs of 3 and 20 hypervisors.
//   port-up hv=<n> p50=<ms> p95=<ms>   from creating a port through the REST API and plugging its
//                                      VM (ovs-vsctl add-port with its iface-id; the VM's
//                                      namespace is booted beforehand, as OVN's figure has it) to
//                                      the first ping answered by a VM on another hypervisor;
//                                      static ARP on both sides; the REST call and the plug
//                                      start at one instant, set ahead so that docker exec's
//                                      start-up is not counted (OVN's figure starts at the plug);
//                                      the VM is already pinging when it is plugged, so that
//                                      starting ping (~5 ms: a mount namespace and an exec) is
//                                      not counted either (-i 0.002, but iputils sends every
//                                      10 ms while an echo is unanswered; a prober sending every
//                                      2 ms gave the same p50, 42 ms each, 15 samples each);
//                                      20 samples per size
//   remote-flows hv=<n> p50=<ms> p95=<ms>
//                                      from the same start (REST create and plug, no ping) until
//                                      every other node of the switch holds its unicast flow
//                                      towards the new port (until then frames to it flood);
//                                      seen by an OpenFlow flow monitor on each of those nodes
//   failover kill=<ms> partition=<ms>  until every switch the lost member mastered has confirmed
//                                      a new master (its ROLE_REPLY master to another member;
//                                      20 hypervisors, median of 10 each)
//   flows-per-hv=<n>                   OpenFlow flows in br-int, averaged over the hypervisors
// Each line carries tls=on or tls=off: every figure is taken on a lab with TLS on its control
// channels (the default) and on the same lab with `security: { tls: false }`, in this one run
// (`-- --tls on` or `--tls off` takes one only).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deployLab } from '../src/app/deploy.ts';
import { destroyLab } from '../src/app/destroy.ts';
import { labNorthbound } from '../src/app/ports.ts';
import { labApiAccess } from '../src/app/lab-api.ts';
import { membersOf } from '../src/nodes/index.ts';
import { createRuntime } from '../src/app/runtime.ts';
import { loadTopology } from '../src/topology/load.ts';
import { planLab } from '../src/topology/plan.ts';
import { portMac } from '../src/topology/derive.ts';
import { memberStatus, unwrap, type NorthboundClient } from '../src/northbound-client/index.ts';
import type { LabPlan } from '../src/topology/plan-types.ts';
import { containerName, portIfname } from '../src/model/index.ts';
import { percentile, sleep } from './bench-support.ts';

const LAB = 'benchctl';
const SAMPLES = 10;
/** Port-up samples per size: with 10, p50 moved by up to 18 ms between fresh deployments. */
const PORT_SAMPLES = 20;
/** How far ahead the synchronised start of a port-up sample is set: more than a docker exec takes. */
const LEAD_MS = 700;
const runtime = await createRuntime();
const node = (name: string) => containerName(LAB, name);

function topology(n: number, tls: boolean): string {
  const nodes = Array.from({ length: n }, (_, i) => `  hv${i + 1}: hypervisor`).join('\n');
  const ports = Array.from({ length: n }, (_, i) => `      vm${i + 1}: { on: hv${i + 1}, ip: 10.0.0.${i + 10} }`).join('\n');
  return `name: ${LAB}\ncontrollers: 3\nsecurity: { tls: ${tls} }\ntransport-nodes:\n${nodes}\nlogical-switches:\n  net:\n    subnet: 10.0.0.0/24\n    ports:\n${ports}\n`;
}

async function exec(container: string, cmd: string[]) {
  const result = await runtime.exec(container, cmd);
  if (result.exitCode !== 0) throw new Error(`${container}: ${cmd.join(' ')}: ${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** Shell: sleep until `at` (ms since the epoch). */
const sleepUntil = (at: number) => `d=$(( ${at}000000 - $(date +%s%N) )); [ "$d" -gt 0 ] && sleep "0.$(printf %09d "$d")"`;

/** Creates port `name` through the REST API and plugs its prepared VM on `on` at one instant,
 *  `started` (ms): the plug runs in the container, which sleeps until then, so docker exec's
 *  own start-up stays out of the window. `inVm` runs in the VM from 100 ms before the plug, in
 *  the background, and its output is returned. The plug is the very ovs-vsctl call the agent's
 *  `attach` makes (and OVN's figure times). */
async function createAndPlug(
  api: NorthboundClient,
  started: number,
  port: { name: string; on: string; mac: string; ip: string },
  inVm = '',
): Promise<string> {
  const { name, on, mac, ip } = port;
  const log = `/tmp/bench-vm-${name}`;
  const [, out] = await Promise.all([
    sleep(started - Date.now()).then(async () => unwrap(await api.logicalPorts.create({ name, switch: 'net', mac, ip, node: on }))),
    exec(node(on), [
      'sh',
      '-c',
      (inVm ? `${sleepUntil(started - 100)}; ip netns exec ${name} ${inVm} >${log} 2>&1 & ` : '') +
        `${sleepUntil(started)}; ` +
        `ovs-vsctl add-port br-int ${portIfname(name)} -- set interface ${portIfname(name)} external_ids:iface-id=${name} ` +
        `external_ids:attached-mac=${mac} external_ids:iface-status=active` +
        (inVm ? ` && wait && cat ${log} && rm -f ${log}` : ''),
    ]),
  ]);
  return out;
}

async function deploy(n: number, tls: boolean, dir: string): Promise<LabPlan> {
  const file = join(dir, `lab-${n}.yaml`);
  await writeFile(file, topology(n, tls));
  const plan = planLab((await loadTopology(file)).topology, { usedSubnets: await runtime.usedSubnets() });
  const t0 = Date.now();
  await deployLab(runtime, plan);
  if (process.env.NVLAB_BENCH_TRACE) process.stderr.write(`  deployed ${n} hypervisors in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return plan;
}

async function portUp(plan: LabPlan, n: number): Promise<number[]> {
  const api = await labNorthbound(runtime, LAB);
  const samples: number[] = [];
  for (let i = 0; i < PORT_SAMPLES; i++) {
    const on = `hv${(i % n) + 1}`;
    const target = `vm${((i + 1) % n) + 1}`; // a VM on another hypervisor
    const targetHv = `hv${((i + 1) % n) + 1}`;
    const targetIp = `10.0.0.${((i + 1) % n) + 10}`;
    const name = `p${i}`;
    const ip = `10.0.0.${200 + i}`;
    const mac = portMac('net', name);
    const targetMac = plan.switches[0]!.ports.find((p) => p.name === target)!.mac;
    await exec(node(targetHv), ['ip', 'netns', 'exec', target, 'ip', 'neigh', 'replace', ip, 'lladdr', mac, 'dev', 'eth0']);
    // The VM boots (namespace, veth, static ARP) before the clock starts.
    await exec(node(on), [
      'sh',
      '-c',
      `nvlab-node prepare ${name} ${portIfname(name)} ${mac} ${ip}/24 && ` +
        `ip netns exec ${name} ip neigh replace ${targetIp} lladdr ${targetMac} dev eth0`,
    ]);
    const started = Date.now() + LEAD_MS;
    const cpuBefore = process.env.NVLAB_BENCH_CPU ? sleep(LEAD_MS - 200).then(cpuTimes) : undefined;
    // Until the port is plugged and its flows are in, the VM's echoes go nowhere; the first
    // one answered ends the sample.
    const out = await createAndPlug(api, started, { name, on, mac, ip }, `ping -D -n -c 1 -w 5 -i 0.002 ${targetIp}`);
    const reply = /\[(\d+\.\d+)\] \d+ bytes from/.exec(out);
    if (!reply) throw new Error(`no reply for ${name}: ${out}`);
    samples.push(Number(reply[1]) * 1000 - started);
    if (cpuBefore) reportCpu(await cpuBefore, await cpuTimes());
    if (process.env.NVLAB_BENCH_TRACE)
      process.stderr.write(
        `  ${name} on ${on} -> ${target}: started ${new Date(started).toISOString()} took ${samples.at(-1)!.toFixed(0)} ms\n`,
      );
  }
  return samples;
}

/** Times from a synchronised REST create and plug until every other node of the switch has the
 *  unicast flow towards the new port. Separate samples, without a ping: the monitors wake as
 *  the flows land, and must not weigh on the port-up figure. */
async function remoteFlows(n: number): Promise<number[]> {
  const api = await labNorthbound(runtime, LAB);
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const on = `hv${(i % n) + 1}`;
    const others = Array.from({ length: n }, (_, k) => `hv${k + 1}`).filter((hv) => hv !== on);
    const name = `r${i}`;
    const mac = portMac('net', name);
    const ip = `10.0.0.${150 + i}`;
    await exec(node(on), ['nvlab-node', 'prepare', name, portIfname(name), mac, `${ip}/24`]);
    // A flow monitor on each other node notes when its flow towards the MAC lands (ovs-ofctl
    // stamps what the switch sends it unasked, and writes it to stderr).
    await Promise.all(
      others.map((hv) =>
        exec(node(hv), [
          'sh',
          '-c',
          `timeout 5 ovs-ofctl -O OpenFlow13 --timestamp monitor br-int 'watch:!initial,dl_dst=${mac}' >/tmp/bench-${name} 2>&1 &`,
        ]),
      ),
    );
    await sleep(200); // the monitors connected
    const started = Date.now() + LEAD_MS;
    await createAndPlug(api, started, { name, on, mac, ip });
    // Read once the flows should be everywhere: reading while they land would slow them down.
    let landed: number[] = [];
    for (const deadline = Date.now() + 4000; Date.now() < deadline;) {
      await sleep(1000);
      landed = await Promise.all(
        others.map(async (hv) => {
          const out = await exec(node(hv), ['cat', `/tmp/bench-${name}`]);
          const stamp = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}): .*\n\s*event=ADDED/m.exec(out);
          return stamp ? Date.parse(`${stamp[1]}T${stamp[2]}Z`) : 0;
        }),
      );
      if (landed.every((t) => t > 0)) break;
    }
    if (!landed.every((t) => t > 0))
      throw new Error(`${name}: no unicast flow towards it on ${others.filter((_, k) => !(landed[k]! > 0)).join(', ')} after 4 s`);
    samples.push(Math.max(...landed) - started);
    if (process.env.NVLAB_BENCH_TRACE)
      process.stderr.write(`  ${name} on ${on}: every other node's flow after ${samples.at(-1)!.toFixed(0)} ms\n`);
  }
  return samples;
}

/** CPU time and run-queue wait (ns, from /proc/PID/schedstat) per process group of the host:
 *  the members, the vswitchds, the ovsdb-servers, and everything else by command name. */
async function cpuTimes(): Promise<Map<string, [number, number]>> {
  const { readdir, readFile } = await import('node:fs/promises');
  const totals = new Map<string, [number, number]>();
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const [stat, sched] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/schedstat`, 'utf8')]);
      let comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm.startsWith('kworker')) comm = 'kworker'; // its name is the work item it runs now
      if (comm === 'node') {
        const cmd = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
        comm = cmd.some((a) => a.includes('member.mjs')) ? 'controller' : cmd.some((a) => a.includes('bench-')) ? 'bench' : 'node';
      }
      // Threads count too: a vswitchd's handlers and revalidators run beside its main thread.
      let run = 0;
      let wait = 0;
      for (const tid of await readdir(`/proc/${pid}/task`).catch(() => [])) {
        const f = (await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => sched)).split(' ');
        run += Number(f[0]);
        wait += Number(f[1]);
      }
      const t = totals.get(comm) ?? [0, 0];
      totals.set(comm, [t[0] + run, t[1] + wait]);
    } catch {
      // gone meanwhile
    }
  }
  return totals;
}

function reportCpu(before: Map<string, [number, number]>, after: Map<string, [number, number]>): void {
  const used = [...after]
    .map(([k, [run, wait]]) => [k, (run - (before.get(k)?.[0] ?? run)) / 1e6, (wait - (before.get(k)?.[1] ?? wait)) / 1e6] as const)
    .filter(([, run]) => run >= 0.5)
    .sort((a, b) => b[1] - a[1]);
  process.stderr.write(
    `    cpu ms (run/wait): ${used
      .slice(0, 10)
      .map(([k, r, w]) => `${k}=${r.toFixed(0)}/${w.toFixed(0)}`)
      .join(' ')}\n`,
  );
}

async function masterOnSwitch(hv: string): Promise<string | undefined> {
  const out = await exec(node(hv), ['ovs-vsctl', '--format=csv', '--no-headings', '--columns=target,role', 'list', 'controller']);
  return out
    .split('\n')
    .find((l) => l.endsWith(',master'))
    ?.split(',')[0]
    ?.replace(/"/g, '');
}

async function settled(plan: LabPlan): Promise<void> {
  // Every member back and mastering its share of the switches, as the switches and the members
  // both tell it: a member healed from a partition lists nothing until it took its share back,
  // while a switch's Controller row may still show the role it had before (a sample then found
  // nothing to fail over, and the next one every switch on one member).
  const byIp = new Map(membersOf(plan).map((m) => [m.mgmtIp, m.name]));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (Date.now() > deadline) throw new Error('the cluster did not settle within 60 s');
    const [onSwitch, confirmed] = await Promise.all([
      Promise.all(
        plan.transportNodes.map(
          async (n) => [n.name, byIp.get(/(?:tcp|ssl):([\d.]+):/.exec((await masterOnSwitch(n.name)) ?? '')?.[1] ?? '')] as const,
        ),
      ),
      confirmedMasters(plan),
    ]);
    if (onSwitch.every(([hv, member]) => member !== undefined && confirmed.get(hv) === member) && new Set(confirmed.values()).size === 3)
      return;
    await sleep(200);
  }
}

/** Which member each switch confirmed as master, by the members' own accounts (a member lists
 *  a node once the switch's ROLE_REPLY made it master). */
async function confirmedMasters(plan: LabPlan, except?: string): Promise<Map<string, string>> {
  const members = membersOf(plan).filter((m) => m.name !== except);
  const masters = new Map<string, string>();
  const access = await labApiAccess(plan.lab);
  await Promise.all(
    members.map(async (m) => {
      // A member that is down or cut off confirms nothing.
      const status = await memberStatus(m.mgmtIp, { timeoutMs: 500, ...access });
      if (status.kind === 'ok') for (const n of status.value.masterOf ?? []) masters.set(n, m.name);
    }),
  );
  return masters;
}

async function failover(plan: LabPlan, kind: 'kill' | 'partition'): Promise<number[]> {
  const members = membersOf(plan);
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    await settled(plan);
    const victim = members[i % members.length]!;
    const orphans = [...(await confirmedMasters(plan))].filter(([, m]) => m === victim.name).map(([hv]) => hv);
    const started = Date.now();
    if (kind === 'kill') await runtime.kill(victim.container);
    else await runtime.disconnect(victim.container, plan.networks.mgmt.name);
    for (;;) {
      // Only the survivors are asked: a dead or cut-off member cannot answer, and waiting for
      // its request to time out would only blur the figure.
      const now = await confirmedMasters(plan, victim.name);
      if (orphans.every((hv) => now.has(hv) && now.get(hv) !== victim.name)) break;
      if (Date.now() - started > 30_000)
        throw new Error(`${kind}: no new master for ${orphans.filter((hv) => !now.has(hv)).join(', ')} after 30 s`);
      await sleep(20);
    }
    samples.push(Date.now() - started);
    process.stderr.write(`  ${kind} ${victim.name}: ${samples.at(-1)} ms (${orphans.length} switches)\n`);
    if (process.env.NVLAB_BENCH_LOGS && samples.at(-1)! > 5000) {
      // A slow sample: what the survivors logged meanwhile, for whoever investigates.
      for (const m of members.filter((x) => x.name !== victim.name)) {
        const log = await exec(m.container, ['tail', '-n', '40', '/var/log/nvlab/controller.log']).catch((e: Error) => e.message);
        process.stderr.write(`  --- ${m.name}\n${log}\n`);
      }
    }
    if (kind === 'kill') await runtime.start(victim.container);
    else await runtime.connect(victim.container, { network: plan.networks.mgmt.name, ip: victim.mgmtIp });
  }
  return samples;
}

async function flowsPerHv(plan: LabPlan): Promise<number> {
  const counts = await Promise.all(
    plan.transportNodes.map(async (n) => {
      const out = await exec(node(n.name), ['ovs-ofctl', '-O', 'OpenFlow13', 'dump-aggregate', 'br-int']);
      return Number(/flow_count=(\d+)/.exec(out)?.[1] ?? 0);
    }),
  );
  return Math.round(counts.reduce((a, b) => a + b, 0) / counts.length);
}

const dir = await mkdtemp(join(tmpdir(), 'nvlab-bench-'));
try {
  // Sizes can be narrowed for a quick look: `npm run bench:controller -- 20`.
  const args = process.argv.slice(2);
  const tlsArg = args.indexOf('--tls');
  const tlsModes = tlsArg >= 0 ? [args[tlsArg + 1] !== 'off'] : [true, false];
  const sizes = args
    .filter((_, i) => tlsArg < 0 || (i !== tlsArg && i !== tlsArg + 1))
    .map(Number)
    .filter((n) => n > 1);
  const all = sizes.length ? sizes : [3, 20];
  for (const n of all) {
    for (const tls of tlsModes) {
      const mode = `tls=${tls ? 'on' : 'off'}`;
      const plan = await deploy(n, tls, dir);
      const up = await portUp(plan, n);
      console.log(`port-up hv=${n} ${mode} p50=${percentile(up, 0.5).toFixed(0)} p95=${percentile(up, 0.95).toFixed(0)}`);
      const remote = await remoteFlows(n);
      console.log(`remote-flows hv=${n} ${mode} p50=${percentile(remote, 0.5).toFixed(0)} p95=${percentile(remote, 0.95).toFixed(0)}`);
      if (process.env.NVLAB_BENCH_KEEP) process.exit(0); // leave the lab for inspection
      if (n === Math.max(...all)) {
        const kill = await failover(plan, 'kill');
        const partition = await failover(plan, 'partition');
        console.log(`failover ${mode} kill=${percentile(kill, 0.5)} partition=${percentile(partition, 0.5)}`);
        console.log(`flows-per-hv ${mode} ${await flowsPerHv(plan)}`);
      }
      await destroyLab(runtime, LAB);
    }
  }
} finally {
  await destroyLab(runtime, LAB).catch(() => {});
  await rm(dir, { recursive: true, force: true });
}
