// Installs the same 20,000 overlay flows into a real ovs-vswitchd twice, on two fresh bridges:
// through nvlab's OpenFlow library (one batched write + BARRIER) and through
// `ovs-ofctl -O OpenFlow13 add-flows BRIDGE FILE`. Each is timed until the flows are all in
// (barrier reply; command completion) and the count and a sample flow are verified. Three rounds
// (NVLAB_BENCH_ROUNDS) alternate the order; the best time of each side counts. Prints one line:
//   flow-mods/s nvlab=<n> ovs-ofctl=<n> ratio=<x>
// Diagnostics go to stderr. Needs openvswitch-switch (ovsdb-server, ovs-vswitchd, ovs-ofctl).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { act, flowMod, inst, OpenFlowController, type OutgoingMessage } from '../src/openflow/index.ts';
import { startLocalOvs, uniqueBridgeName } from '../test/support/local-ovs.ts';

const N = Number(process.env.NVLAB_BENCH_FLOWS ?? 20_000);
const ROUNDS = Number(process.env.NVLAB_BENCH_ROUNDS ?? 3);

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
    match: [
      { field: 'tunnel_id', value: BigInt(s.vni) },
      { field: 'eth_dst', value: s.mac },
    ],
    instructions: [
      inst.apply(
        act.setField({ field: 'tun_dst', value: s.remote }),
        act.setField({ field: 'tunnel_id', value: BigInt(s.vni + 1) }),
        act.output(s.port),
      ),
    ],
  });
}

const log = (...a: unknown[]) => console.error('[bench-openflow]', ...a);

const ovs = await startLocalOvs();
const controller = new OpenFlowController({ requestTimeout: 600_000, deadTime: 600_000, echoInterval: 30_000 });
try {
  const port = await controller.listen(0);
  const flows = specs(N);
  const file = join(ovs.dir, 'flows.txt');
  await writeFile(file, flows.map(asOfctl).join('\n') + '\n');
  const probe = `tun_id=${flows[7]!.vni},dl_dst=${flows[7]!.mac}`;
  let dpid = 0xb0;
  const newBridge = async () => {
    const br = uniqueBridgeName('nvb');
    dpid += 1;
    await ovs.addSwitchBridge(br, BigInt(dpid));
    return { br, dpid: BigInt(dpid) };
  };

  // ovs-ofctl from a file; timed until the command completes.
  const viaOfctl = async (): Promise<{ sec: number; sample: string; br: string }> => {
    const { br } = await newBridge();
    const t0 = process.hrtime.bigint();
    await ovs.ofctl('add-flows', br, file);
    const sec = Number(process.hrtime.bigint() - t0) / 1e9;
    const count = Number(/flow_count=(\d+)/.exec(await ovs.ofctl('dump-aggregate', br))?.[1] ?? NaN);
    if (count !== N) throw new Error(`ovs-ofctl installed ${count} flows, expected ${N}`);
    return { sec, sample: (await ovs.ofctl('dump-flows', '--no-stats', br, probe)).trim(), br };
  };

  // nvlab: build, serialize and send every flow in one write, then a BARRIER; timed to its reply.
  const viaNvlab = async (): Promise<{ sec: number; sample: string; br: string }> => {
    const { br, dpid: id } = await newBridge();
    await ovs.vsctl('set', 'bridge', br, 'other-config:disable-in-band=true');
    await ovs.vsctl('set-controller', br, `tcp:127.0.0.1:${port}`);
    const conn = await controller.waitForSwitch({ datapathId: id, timeout: 60_000 });
    const t0 = process.hrtime.bigint();
    await conn.install(flows.map(asFlowMod), { timeout: 600_000 });
    const sec = Number(process.hrtime.bigint() - t0) / 1e9;
    const count = (await conn.aggregate()).flowCount;
    if (count !== N) throw new Error(`nvlab installed ${count} flows, expected ${N}`);
    conn.close();
    return { sec, sample: (await ovs.ofctl('dump-flows', '--no-stats', br, probe)).trim(), br };
  };

  // Rounds alternate which goes first; the best time of each counts (the host may be busy).
  let best = { nvlab: Infinity, ofctl: Infinity };
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? (['ofctl', 'nvlab'] as const) : (['nvlab', 'ofctl'] as const);
    const results: Record<string, { sec: number; sample: string; br: string }> = {};
    for (const who of order) results[who] = who === 'ofctl' ? await viaOfctl() : await viaNvlab();
    const { nvlab, ofctl } = results as {
      nvlab: { sec: number; sample: string; br: string };
      ofctl: { sec: number; sample: string; br: string };
    };
    if (nvlab.sample !== ofctl.sample) throw new Error(`flows differ:\n nvlab:     ${nvlab.sample}\n ovs-ofctl: ${ofctl.sample}`);
    log(
      `round ${round}: nvlab ${nvlab.sec.toFixed(3)} s, ovs-ofctl ${ofctl.sec.toFixed(3)} s for ${N} flows; same flow on both: ${nvlab.sample}`,
    );
    best = { nvlab: Math.min(best.nvlab, nvlab.sec), ofctl: Math.min(best.ofctl, ofctl.sec) };
    await ovs.vsctl('del-br', nvlab.br, '--', 'del-br', ofctl.br);
  }

  const ours = Math.round(N / best.nvlab);
  const theirs = Math.round(N / best.ofctl);
  console.log(`flow-mods/s nvlab=${ours} ovs-ofctl=${theirs} ratio=${(ours / theirs).toFixed(2)}`);
} finally {
  await controller.close();
  await ovs.stop();
}
