// One simulated transport node: its Open_vSwitch database (SimulatedOvsdb) and br-int's OpenFlow
// switch (SimulatedSwitch), whose ports follow the database as ovs-vswitchd's do. Like a real
// node, it connects out to every controller member twice: its ovsdb-server to each member's OVSDB
// manager port, br-int to each member's OpenFlow port. The glue is thin: the database numbers a
// port, the switch reports it (PORT_STATUS); what the bench reads of it is a NodeHolding.
import type { NodeFacts } from '../controller/pipeline/index.ts';
import { OPENFLOW_PORT, OVSDB_MANAGER_PORT } from '../model/index.ts';
import type { TlsCredentials } from '../util/tls.ts';
import type { ComparedFlow, NodeHolding } from './check.ts';
import { SimulatedSwitch, type ConnectionStatus } from './openflow/index.ts';
import { LOCAL_OFPORT, SimulatedOvsdb, type BridgePort, type PortChange } from './ovsdb/index.ts';

export interface SimulatedNodeOptions {
  /** The node's name: its system-id (and its certificate's common name under TLS). */
  name: string;
  /** A number unique in the fleet: br-int's datapath id is made from it. */
  index: number;
  underlayIp: string;
  /** The VMs plugged in at boot: logical port and MAC. */
  vifs?: readonly Vif[];
}

export interface Vif {
  port: string;
  mac: string;
}

/** br-int's datapath id: 02:5e-prefixed like the workload's MACs, unique per index. */
export const datapathIdOf = (index: number): bigint => 0x025e_0000_0000n + BigInt(index + 1);

/** A VM's interface name on br-int (`vm-<n>` where the node agent uses portIfname; any name
 *  unique on the bridge will do, the controller reads the iface-id). */
const vifName = (n: number) => `vif${n}`;

/** What the controller targets of one member are, as a node's configuration writes them. */
export function memberTargets(memberIps: readonly string[], tls: boolean): { ovsdb: string[]; openflow: string[] } {
  const proto = tls ? 'ssl' : 'tcp';
  return {
    ovsdb: memberIps.map((ip) => `${proto}:${ip}:${OVSDB_MANAGER_PORT}`),
    openflow: memberIps.map((ip) => `${proto}:${ip}:${OPENFLOW_PORT}`),
  };
}

export class SimulatedNode {
  readonly name: string;
  readonly ovsdb: SimulatedOvsdb;
  readonly switch: SimulatedSwitch;
  /** When flows or groups last changed (performance.now()); 0: never. */
  lastChange = 0;
  /** Goes up with every change of flows, groups or ports: what was checked at one version holds
   *  until the next. */
  version = 0;
  /** The lowest flow count after any change since `resetLowWater`: a flow removed shows there
   *  unless the same chunk of messages added another. */
  private lowWater = Infinity;
  private factsCache: NodeFacts | undefined;
  private nextVif = 0;

  constructor(options: SimulatedNodeOptions) {
    this.name = options.name;
    const datapathId = datapathIdOf(options.index);
    const vmPorts = (options.vifs ?? []).map((v) => ({ ifaceId: v.port, name: vifName(this.nextVif++), mac: v.mac }));
    this.ovsdb = new SimulatedOvsdb({ systemId: options.name, datapathId, underlayIp: options.underlayIp, vmPorts });
    this.switch = new SimulatedSwitch({ datapathId, ports: this.ovsdb.interfaces().filter(onSwitch).map(switchPort) });
    this.ovsdb.on('port', (p) => this.portChanged(p));
    this.switch.on('changed', () => {
      this.version++;
      this.lastChange = performance.now();
      this.lowWater = Math.min(this.lowWater, this.switch.flowCount);
    });
  }

  /** Connects both sides to every member (again: to these members now). */
  connect(memberIps: readonly string[], tls?: TlsCredentials): void {
    const targets = memberTargets(memberIps, tls !== undefined);
    this.ovsdb.connect(targets.ovsdb, tls);
    this.switch.connect(targets.openflow, tls);
  }

  /** Drops every connection; flows, groups and the database stay. */
  async close(): Promise<void> {
    this.ovsdb.close();
    await this.switch.close();
  }

  /** Plugs a VM in as the node agent does; its OpenFlow port. */
  plug(vif: Vif): number {
    return this.ovsdb.addVmPort({ ifaceId: vif.port, name: vifName(this.nextVif++), mac: vif.mac });
  }

  /** Unplugs a VM; false if it was not there. */
  unplug(port: string): boolean {
    return this.ovsdb.removeVmPort(port);
  }

  /** Empties flows, groups and meters, as a restarted node has none. */
  clearFlows(): void {
    this.switch.clear();
  }

  /** The lowest flow count seen since the last reset, and restarts watching from now. */
  resetLowWater(): number {
    const low = Math.min(this.lowWater, this.switch.flowCount);
    this.lowWater = this.switch.flowCount;
    return low;
  }

  /** Its OpenFlow ports as a member reads them from the database (node-sessions.ts readFacts):
   *  VMs by iface-id, tunnels by name, anything else of br-int but its own port as physical. */
  facts(): NodeFacts {
    if (this.factsCache) return this.factsCache;
    const vmPorts = new Map<string, number>();
    const tunnelPorts = new Map<string, number>();
    const physicalPorts = new Map<string, number>();
    const tunnels = new Set(this.ovsdb.tunnels().map((t) => t.name));
    for (const p of this.ovsdb.interfaces()) {
      if (p.ofport <= 0) continue;
      if (p.ifaceId !== undefined) vmPorts.set(p.ifaceId, p.ofport);
      else if (tunnels.has(p.name)) tunnelPorts.set(p.name, p.ofport);
      else physicalPorts.set(p.name, p.ofport);
    }
    return (this.factsCache = { vmPorts, tunnelPorts, physicalPorts });
  }

  /** What the check reads: facts, tunnels, flows (counted and looked up without decoding them
   *  all) and groups. */
  holding(): NodeHolding {
    const sw = this.switch;
    return {
      name: this.name,
      facts: this.facts(),
      tunnels: this.ovsdb.tunnels().map((t) => ({ name: t.name, type: t.type, remoteIp: t.remoteIp })),
      flows: { count: sw.flowCount, has: (f: ComparedFlow) => sw.hasFlow(f), all: () => sw.flows() },
      groups: sw.groups(),
    };
  }

  /** The member this node's switch has as master (its target), if any. */
  master(): string | undefined {
    return this.switch.connections().find((c) => c.connected && c.role === 'master')?.target;
  }

  connections(): ConnectionStatus[] {
    return this.switch.connections();
  }

  private portChanged(p: PortChange): void {
    this.factsCache = undefined;
    this.version++;
    if (!onSwitch(p)) return;
    if (p.change === 'added') this.switch.addPort(switchPort(p));
    else this.switch.removePort(p.ofport);
  }
}

/** br-int's own port is the switch's LOCAL, which it has from the start. */
const onSwitch = (p: BridgePort) => p.ofport > 0 && p.ofport !== LOCAL_OFPORT;

/** A database port as the switch describes it; a port without a MAC of its own gets one made
 *  from its number (a veth or tunnel has one, nobody reads it). */
function switchPort(p: BridgePort): { name: string; ofport: number; mac: string } {
  const mac =
    p.attachedMac ??
    `02:00:00:00:${((p.ofport >> 8) & 0xff).toString(16).padStart(2, '0')}:${(p.ofport & 0xff).toString(16).padStart(2, '0')}`;
  return { name: p.name, ofport: p.ofport, mac };
}
