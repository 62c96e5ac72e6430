// Installs the same 20,000 overlay flows into a real ovs-vswitchd twice, on two fresh bridges:
// through nvlab's OpenFlow library (one batched write + BARRIER) and through
// `ovs-ofctl -O OpenFlow13 add-flows BRIDGE FILE`. Each is timed until the flows are all in
// (barrier reply; command completion) and the count is verified. Prints exactly one line:
//   flow-mods/s nvlab=<n> ovs-ofctl=<n> ratio=<x>
// Diagnostics go to stderr. Needs openvswitch-switch (ovsdb-server, ovs-vswitchd, ovs-ofctl).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { act, flowMod, inst, OpenFlowController, type OutgoingMessage } from '../src/openflow/index.ts';
import { startLocalOvs, uniqueBridgeName } from '../test/support/local-ovs.ts';

const N = Number(process.env.NVLAB_BENCH_FLOWS ?? 20_000);

interface Spec {
  vni: number;
  mac: string;
  remote: string;
  port: number;
}

// An overlay-ish mix: per (VNI, destination MAC) a tunnel endpoint and an output port.
function specs(n: number): Spec[] {
  return Array.from({ length: n }, (_, i) => {
    const vni = 1000 + (i % 50);
    const h = i + 1;
    const mac = `02:00:${((h >> 24) & 0xff).toString(16).padStart(2, '0')}:${((h >> 16) & 0xff).toString(16).padStart(2, '0')}:${((h >> 8) & 0xff).toString(16).padStart(2, '0')}:${(h & 0xff).toString(16).padStart(2, '0')}`;
    return { vni, mac, remote: `192.168.${(i >> 8) & 0xff}.${(i % 254) + 1}`, port: 1 + (i % 2) };
  });
}

function asOfctl(s: Spec): string {
  return `table=0,priority=100,tun_id=${s.vni},dl_dst=${s.mac},actions=set_field:${s.remote}->tun_dst,set_field:${s.vni + 1}->tun_id,output:${s.port}`;
}

function asFlowMod(s: Spec): OutgoingMessage {
  return flowMod({
    priority: 100,
    match: [{ field: 'tunnel_id', value: BigInt(s.vni) }, { field: 'eth_dst', value: s.mac }],
    instructions: [inst.apply(
      act.setField({ field: 'tun_dst', value: s.remote }),
      act.setField({ field: 'tunnel_id', value: BigInt(s.vni + 1) }),
      act.output(s.port),
    )],
  });
}

const log = (...a: unknown[]) => console.error('[bench-openflow]', ...a);

const ovs = await startLocalOvs();
const controller = new OpenFlowController({ requestTimeout: 600_000, deadTime: 600_000, echoInterval: 30_000 });
try {
  const port = await controller.listen(0);
  const flows = specs(N);
  const newBridge = async (dpid: string) => {
    const br = uniqueBridgeName('nvb');
    await ovs.addBridge(br, '--', 'set', 'bridge', br, 'protocols=OpenFlow13', 'fail_mode=secure', `other-config:datapath-id=${dpid}`);
    return br;
  };

  // ovs-ofctl from a file.
  const brOfctl = await newBridge('00000000000000b1');
  const file = join(ovs.dir, 'flows.txt');
  await writeFile(file, flows.map(asOfctl).join('\n') + '\n');
  const t0 = process.hrtime.bigint();
  await ovs.ofctl('add-flows', brOfctl, file);
  const ofctlSec = Number(process.hrtime.bigint() - t0) / 1e9;
  const agg = await ovs.ofctl('dump-aggregate', brOfctl);
  const ofctlCount = Number(/flow_count=(\d+)/.exec(agg)?.[1] ?? NaN);
  log(`ovs-ofctl: ${ofctlCount} flows in ${ofctlSec.toFixed(3)} s`);

  // nvlab: build, serialize and send every flow in one write, then a barrier.
  const brOurs = await newBridge('00000000000000b2');
  await ovs.vsctl('set-controller', brOurs, `tcp:127.0.0.1:${port}`);
  await ovs.vsctl('set', 'bridge', brOurs, 'other-config:disable-in-band=true');
  const conn = await controller.waitForSwitch({ datapathId: 0xb2n, timeout: 60_000 });
  const t1 = process.hrtime.bigint();
  await conn.install(flows.map(asFlowMod), { timeout: 600_000 });
  const oursSec = Number(process.hrtime.bigint() - t1) / 1e9;
  const oursCount = (await conn.aggregate()).flowCount;
  log(`nvlab: ${oursCount} flows in ${oursSec.toFixed(3)} s`);

  // Both bridges must hold the same flows.
  if (ofctlCount !== N || oursCount !== N) throw new Error(`flow counts: nvlab=${oursCount} ovs-ofctl=${ofctlCount}, expected ${N}`);
  const probe = `tun_id=${flows[7]!.vni},dl_dst=${flows[7]!.mac}`;
  const sample = (await ovs.ofctl('dump-flows', '--no-stats', brOurs, probe)).trim();
  const sampleOfctl = (await ovs.ofctl('dump-flows', '--no-stats', brOfctl, probe)).trim();
  if (sample !== sampleOfctl) throw new Error(`flows differ:\n nvlab:     ${sample}\n ovs-ofctl: ${sampleOfctl}`);
  log(`same flow on both bridges: ${sample}`);

  const ours = Math.round(N / oursSec);
  const theirs = Math.round(N / ofctlSec);
  console.log(`flow-mods/s nvlab=${ours} ovs-ofctl=${theirs} ratio=${(ours / theirs).toFixed(2)}`);
} finally {
  await controller.close();
  await ovs.stop();
}
