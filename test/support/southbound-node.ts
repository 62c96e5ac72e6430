// One transport node's switch as the controller's southbound sees it, on a private local OVS:
// br-int (OpenFlow 1.3, fail-secure) managed by a NodeSessions listener and connected to an
// OpenFlow controller, for the tests of a file (useSouthboundNode). Shared by the pipeline tests
// that need both OVSDB and OpenFlow.
import { afterAll, beforeAll } from 'vitest';
import { NodeSessions } from '../../src/controller/southbound/node-sessions.ts';
import { OpenFlowController, type OpenFlowConnection } from '../../src/openflow/index.ts';
import { freePort } from './free-port.ts';
import { startLocalOvs, type LocalOvs } from './local-ovs.ts';

export const BRIDGE = 'br-int'; // the name NodeSessions looks for
export { freePort };

/** Polls `f` until it gives something other than undefined or false. */
export async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface SouthboundNode {
  ovs: LocalOvs;
  sessions: NodeSessions;
  controller: OpenFlowController;
  sw: OpenFlowConnection;
  stop(): Promise<void>;
}

/**
 * Starts OVS with `external_ids:system-id=node`, br-int with `dpid`, the ports `addPorts` makes
 * (before the managers connect), and waits until both the node session and the switch are up.
 */
async function startSouthboundNode(node: string, dpid: bigint, addPorts: (ovs: LocalOvs) => Promise<void>): Promise<SouthboundNode> {
  const ovs = await startLocalOvs();
  await ovs.vsctl('set', 'Open_vSwitch', '.', `external_ids:system-id=${node}`);
  const ovsdbPort = await freePort();
  const sessions = await NodeSessions.listen(ovsdbPort);
  const controller = new OpenFlowController({ requestTimeout: 30_000 });
  const ofPort = await controller.listen(0);
  await ovs.addSwitchBridge(BRIDGE, dpid, 'other-config:disable-in-band=true');
  await addPorts(ovs);
  await ovs.vsctl('set-manager', `tcp:127.0.0.1:${ovsdbPort}`);
  await ovs.vsctl('set-controller', BRIDGE, `tcp:127.0.0.1:${ofPort}`);
  await until('the node session', () => sessions.view(node) && sessions.datapathId(node) === dpid);
  const sw = await controller.waitForSwitch({ datapathId: dpid, timeout: 30_000 });
  return {
    ovs,
    sessions,
    controller,
    sw,
    async stop() {
      await controller.close().catch(() => {});
      await sessions.close().catch(() => {});
      await ovs.stop();
    },
  };
}

/** A southbound node for the tests of a file: started in beforeAll, stopped in afterAll; its
 *  parts are there once beforeAll has run. */
export function useSouthboundNode(node: string, dpid: bigint, addPorts: (ovs: LocalOvs) => Promise<void>): Omit<SouthboundNode, 'stop'> {
  let started: SouthboundNode | undefined;
  beforeAll(async () => {
    started = await startSouthboundNode(node, dpid, addPorts);
  }, 60_000);
  afterAll(async () => {
    await started?.stop();
  });
  const get = (): SouthboundNode => {
    if (!started) throw new Error(`southbound node ${node} is not started`);
    return started;
  };
  return {
    get ovs() {
      return get().ovs;
    },
    get sessions() {
      return get().sessions;
    },
    get controller() {
      return get().controller;
    },
    get sw() {
      return get().sw;
    },
  };
}
