// A real Open vSwitch bridge and a SimulatedSwitch side by side, each connected to the same two
// OpenFlow controllers (our library's, as a member runs it): whatever a test sends goes to both
// through the same kind of connection, and what comes back is compared after the pipeline's
// normalization (reconcile's keys), since OVS reorders fields and fills in defaults.
import { bucketsKey, flowKey, instructionsKey } from '../../../src/controller/pipeline/index.ts';
import {
  OpenFlowController,
  OpenFlowInstallError,
  type FlowStats,
  type GroupDesc,
  type MeterDesc,
  type OpenFlowConnection,
  type OutgoingMessage,
} from '../../../src/openflow/index.ts';
import { SimulatedSwitch } from '../../../src/simulator/openflow/index.ts';
import { startLocalOvs, uniqueBridgeName, type LocalOvs } from '../../support/local-ovs.ts';

export const REAL_DPID = 0x5101n;
export const SIM_DPID = 0x5102n;

/** One switch as both controllers hold it: `a` through the first, `b` through the second. */
export interface Side {
  name: 'ovs' | 'sim';
  a: OpenFlowConnection;
  b: OpenFlowConnection;
}

export interface SideBySide {
  ovs: LocalOvs;
  bridge: string;
  sim: SimulatedSwitch;
  real: Side;
  simulated: Side;
  both: [Side, Side];
  stop(): Promise<void>;
}

export async function startSideBySide(): Promise<SideBySide> {
  const ovs = await startLocalOvs();
  const c1 = new OpenFlowController({ requestTimeout: 60_000 });
  const c2 = new OpenFlowController({ requestTimeout: 60_000 });
  const sim = new SimulatedSwitch({ datapathId: SIM_DPID, bridge: 'br-int' });
  const stop = async () => {
    await sim.close();
    await c1.close().catch(() => {});
    await c2.close().catch(() => {});
    await ovs.stop();
  };
  try {
    const targets = [`tcp:127.0.0.1:${await c1.listen(0)}`, `tcp:127.0.0.1:${await c2.listen(0)}`];
    const bridge = uniqueBridgeName('nvs');
    await ovs.addSwitchBridge(bridge, REAL_DPID, 'other-config:disable-in-band=true');
    await ovs.vsctl('set-controller', bridge, ...targets);
    sim.connect(targets);
    const side = async (name: Side['name'], datapathId: bigint): Promise<Side> => ({
      name,
      a: await c1.waitForSwitch({ datapathId, timeout: 60_000 }),
      b: await c2.waitForSwitch({ datapathId, timeout: 60_000 }),
    });
    const real = await side('ovs', REAL_DPID);
    const simulated = await side('sim', SIM_DPID);
    return { ovs, bridge, sim, real, simulated, both: [real, simulated], stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The failures of an install as [index, type, code, bytes of the request echoed]; [] when all
 *  went in. */
export async function outcome(sw: OpenFlowConnection, msgs: readonly OutgoingMessage[]): Promise<[number, string, string, number][]> {
  try {
    await sw.install(msgs);
    return [];
  } catch (error) {
    if (!(error instanceof OpenFlowInstallError)) throw error;
    return error.failures.map((f) => [f.index, f.error.typeName, f.error.codeName, f.error.data.length]);
  }
}

/** A flow as reconcile compares it, plus its flags: one line. */
export const flowLine = (f: FlowStats) =>
  `${flowKey(f)} cookie=${f.cookie.toString(16)} idle=${f.idleTimeout} hard=${f.hardTimeout} flags=${f.flags} ${instructionsKey(f.instructions)}`;
export const groupLine = (g: GroupDesc) => `${g.groupId} ${bucketsKey(g.groupType, g.buckets)}`;
export const meterLine = (m: MeterDesc) =>
  `${m.meterId} flags=${m.flags} ${m.bands.map((b) => `${b.type}:${b.rate}/${b.burstSize}`).join(',')}`;

/** What a switch holds, normalized: flows, groups and meters as sorted lines. */
export async function table(sw: OpenFlowConnection): Promise<{ flows: string[]; groups: string[]; meters: string[] }> {
  const [flows, groups, meters] = await Promise.all([sw.flowStats(), sw.groupDesc(), sw.meterConfig()]);
  return { flows: flows.map(flowLine).sort(), groups: groups.map(groupLine).sort(), meters: meters.map(meterLine).sort() };
}
