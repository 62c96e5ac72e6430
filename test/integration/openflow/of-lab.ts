// Shared setup for the OpenFlow integration tests: a private OVS, our controller listening on a
// free port, and bridges (netdev, fail_mode=secure, out-of-band, OpenFlow 1.3 only) pointed at it.
import { OpenFlowController, type ControllerOptions, type OpenFlowConnection } from '../../../src/openflow/index.ts';
import { startLocalOvs, uniqueBridgeName, type LocalOvs } from '../../support/local-ovs.ts';

export interface OfLab {
  ovs: LocalOvs;
  controller: OpenFlowController;
  port: number;
  /** A bridge whose only controller is ours; resolves when its session is ready. */
  addSwitch(
    datapathId: bigint,
    options?: { patchPorts?: boolean; controllers?: number[] },
  ): Promise<{ bridge: string; conn: OpenFlowConnection }>;
  /** ovs-ofctl dump-flows without counters, one sorted line per flow. */
  dumpFlows(bridge: string): Promise<string[]>;
  dumpGroups(bridge: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startOfLab(options: ControllerOptions = {}): Promise<OfLab> {
  const ovs = await startLocalOvs();
  const controller = new OpenFlowController({ requestTimeout: 60_000, ...options });
  let port: number;
  try {
    port = await controller.listen(0);
  } catch (err) {
    await ovs.stop();
    throw err;
  }
  const lines = (out: string) =>
    out
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !/^(OFPST|NXST)_/.test(l))
      .sort();
  return {
    ovs,
    controller,
    port,
    async addSwitch(datapathId, { patchPorts = false, controllers = [port] } = {}) {
      const bridge = uniqueBridgeName('nvo');
      await ovs.addSwitchBridge(bridge, datapathId);
      if (patchPorts) {
        const [a, b] = [`${bridge}a`, `${bridge}b`].map((n) => n.slice(-15));
        await ovs.vsctl(
          'add-port',
          bridge,
          a!,
          '--',
          'set',
          'interface',
          a!,
          'type=patch',
          `options:peer=${b}`,
          'ofport_request=1',
          '--',
          'add-port',
          bridge,
          b!,
          '--',
          'set',
          'interface',
          b!,
          'type=patch',
          `options:peer=${a}`,
          'ofport_request=2',
        );
      }
      const targets = controllers.map((p) => `tcp:127.0.0.1:${p}`);
      await ovs.vsctl('set-controller', bridge, ...targets);
      await ovs.vsctl('--', 'set', 'bridge', bridge, 'other-config:disable-in-band=true');
      const conn = await controller.waitForSwitch({ datapathId, timeout: 60_000 });
      return { bridge, conn };
    },
    dumpFlows: async (bridge) => lines(await ovs.ofctl('dump-flows', '--no-stats', bridge)),
    dumpGroups: async (bridge) => lines(await ovs.ofctl('dump-groups', bridge)),
    async stop() {
      await controller.close().catch(() => {});
      await ovs.stop();
    },
  };
}
