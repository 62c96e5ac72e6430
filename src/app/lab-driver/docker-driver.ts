// The scenario runner's hands on a Docker lab: every LabDriver call acts on the lab's containers
// through the runtime, or on the controller cluster through its northbound API, by name.
import type { ContainerInfo, NodeAttachment, Runtime } from '../../runtime/runtime.ts';
import type {
  ArtifactRequest,
  ConnectRequest,
  ConnectResult,
  ExecResult,
  FloodRequest,
  FloodResult,
  LabDriver,
  NodeAction,
  NodeChange,
  NodeTunnels,
  PingRequest,
  PingResult,
  PortChange,
  SpoofRequest,
  SpoofResult,
  TrafficHandle,
  TrafficRequest,
} from '../../scenario/driver.ts';
import { NvlabError } from '../../util/errors.ts';
import { resolveExecTarget } from '../exec-target.ts';
import { labNetworks, nodeContainer } from '../labs.ts';
import { TUNNEL_TYPES, readOvsState } from '../ovs-state.ts';
import { addPort, labNorthbound, migratePort, removePort } from '../ports.ts';
import { labApiAccess } from '../lab-api.ts';
import { addTransportNode, removeTransportNode } from '../transport-nodes.ts';
import { activeGatewayOf, liveTunnelsTo, type GatewayView } from './active-gateway.ts';
import { collectArtifacts } from './artifacts.ts';
import { connectOnce } from './connect.ts';
import { floodOnce } from './flood.ts';
import { spoofOnce } from './spoof.ts';
import { startTraffic } from './background-pings.ts';
import { isTransportRole, LABEL_LAB, LABEL_NODE, LABEL_ROLE, type Encap } from '../../model/index.ts';
import { memberStatus, type NorthboundClient } from '../../northbound-client/index.ts';
import type { TraceRequest, TraceResult } from '../../model/index.ts';
import { injectThroughApi, labTracer } from '../trace/index.ts';

/** The name this driver's requests give the API. */
const CLIENT = 'scenario';

export class DockerLabDriver implements LabDriver {
  /** Where each partitioned node was attached, to put it back on heal. */
  private readonly cut = new Map<string, NodeAttachment[]>();
  /** Captures of the last flood or spoof, saved with the artifacts when its step fails. */
  private lastCaptures: { kind: 'flood' | 'spoof'; files: { label: string; pcap: Buffer }[] } | undefined;

  constructor(
    private readonly runtime: Runtime,
    readonly lab: string,
  ) {}

  private container(name: string): Promise<ContainerInfo> {
    return nodeContainer(this.runtime, this.lab, name);
  }

  private async networkName(key: string): Promise<string> {
    return (await labNetworks(this.runtime, this.lab))(key).name;
  }

  /** The lab's containers, and the transport node each underlay address belongs to (tunnels
   *  name their remote end by address). */
  private async transportNodes(): Promise<{ containers: ContainerInfo[]; byIp: Map<string, string> }> {
    const containers = await this.runtime.listContainers({ [LABEL_LAB]: this.lab });
    const underlay = await this.networkName('underlay');
    const byIp = new Map(
      containers
        .filter((c) => isTransportRole(c.labels[LABEL_ROLE] ?? ''))
        .flatMap((c) => {
          const ip = c.addresses[underlay];
          return ip ? [[ip, c.labels[LABEL_NODE] ?? c.name] as const] : [];
        }),
    );
    return { containers, byIp };
  }

  async tunnels(nodes: readonly string[]): Promise<NodeTunnels[]> {
    const { containers, byIp } = await this.transportNodes();
    return Promise.all(
      nodes.map(async (node): Promise<NodeTunnels> => {
        const container = containers.find((c) => c.labels[LABEL_NODE] === node);
        if (!container) return { node, error: 'no such container', tunnels: [] };
        if (container.state !== 'running') return { node, error: `its container is ${container.state}`, tunnels: [] };
        try {
          const bridges = await readOvsState(this.runtime, container.name);
          const brInt = bridges.find((b) => b.name === 'br-int');
          const tunnels = (brInt?.interfaces ?? [])
            .filter((i) => TUNNEL_TYPES.has(i.type))
            .map((i) => {
              const ip = i.options.remote_ip ?? '';
              // A tunnel that runs BFD is up only once its session is: OVS forwards on it then.
              const up = i.ofport > 0 && i.linkState !== 'down' && (i.bfd === undefined || i.bfd.state === 'up');
              return { remote: byIp.get(ip) ?? ip, encap: i.type as Encap, up, name: i.name };
            });
          return { node, tunnels };
        } catch (error) {
          return { node, error: error instanceof Error ? error.message : String(error), tunnels: [] };
        }
      }),
    );
  }

  async ping(request: PingRequest): Promise<PingResult> {
    const target = await resolveExecTarget(this.runtime, request.from, this.lab);
    const result = await this.runtime.exec(
      target.container,
      target.wrap(['ping', '-n', '-q', '-c', String(request.count), '-i', '0.2', '-W', '1', request.ip]),
      { timeoutMs: 5_000 + request.count * 1_200 },
    );
    const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(result.stdout);
    // An address outside the VM's subnet with no router: nothing can leave, which is no reply.
    if (!m && /Network is unreachable/.test(result.stdout + result.stderr)) {
      return { sent: 0, received: 0, note: `${request.from} has no route to ${request.ip}` };
    }
    if (!m)
      throw new NvlabError('PING', `ping from ${request.from}: ${(result.stdout + result.stderr).trim() || `exit ${result.exitCode}`}`);
    const sent = Number(m[1]);
    const received = Number(m[2]);
    if (request.mac === undefined || received === 0) return { sent, received };
    // Tenants reuse addresses: only replies from the port meant count. The sender's ARP entry
    // says whose MAC answered.
    const neigh = await this.runtime.exec(target.container, target.wrap(['ip', 'neigh', 'show', request.ip]));
    const mac = /lladdr ([0-9a-f:]{17})/i.exec(neigh.stdout)?.[1]?.toLowerCase();
    if (mac && mac !== request.mac.toLowerCase())
      return { sent, received: 0, note: `the replies came from ${mac}, not ${request.to} (${request.mac})` };
    return { sent, received };
  }

  async flood(request: FloodRequest): Promise<FloodResult> {
    const result = await floodOnce(this.runtime, this.lab, request);
    this.lastCaptures = { kind: 'flood', files: result.captures };
    return { copies: result.copies, fromSource: result.fromSource };
  }

  connect(request: ConnectRequest): Promise<ConnectResult> {
    return connectOnce(this.runtime, this.lab, request);
  }

  async spoof(request: SpoofRequest): Promise<SpoofResult> {
    const { captures, ...result } = await spoofOnce(this.runtime, this.lab, request);
    this.lastCaptures = { kind: 'spoof', files: captures };
    return result;
  }

  async masterOf(node: string): Promise<string | undefined> {
    const members = await this.runtime.listContainers({ [LABEL_LAB]: this.lab, [LABEL_ROLE]: 'controller' });
    const access = await labApiAccess(this.lab, CLIENT);
    const claims = await Promise.all(
      members.map(async (m) => {
        const ip = Object.values(m.addresses)[0];
        // A member this run cut off cannot answer: asking it would only wait out the timeout.
        if (!ip || m.state !== 'running' || this.cut.has(m.labels[LABEL_NODE] ?? '')) return undefined;
        const status = await memberStatus(ip, { timeoutMs: 500, ...access });
        if (status.kind !== 'ok') return undefined; // a member that is down or cut off confirms nothing
        return status.value.masterOf?.includes(node) ? status.value.member : undefined;
      }),
    );
    const masters = claims.filter((c): c is string => c !== undefined);
    // Two members claiming one switch is a fault the check should see, not a coin toss.
    if (masters.length > 1) throw new NvlabError('TWO_MASTERS', `${masters.join(' and ')} both claim to be master of ${node}`);
    return masters[0];
  }

  async activeGateway(router: string, gateways: readonly string[]): Promise<string | undefined> {
    const { containers, byIp } = await this.transportNodes();
    const views = await Promise.all(
      gateways.map(async (node): Promise<GatewayView> => {
        const container = containers.find((c) => c.labels[LABEL_NODE] === node);
        // Cut off every network by this run, a gateway routes nothing, whatever it believes.
        if (container?.state !== 'running' || this.cut.has(node)) return { node, running: false, liveTunnelsTo: new Set() };
        // A running gateway whose OVS cannot be read is an attempt that failed, not an answer.
        return { node, running: true, liveTunnelsTo: liveTunnelsTo(await readOvsState(this.runtime, container.name), byIp) };
      }),
    );
    return activeGatewayOf(router, gateways, views);
  }

  async exec(on: string, cmd: string): Promise<ExecResult> {
    const target = await resolveExecTarget(this.runtime, on, this.lab);
    return this.runtime.exec(target.container, target.wrap(['sh', '-c', cmd]), { timeoutMs: 30_000 });
  }

  async node(action: NodeAction, target: string): Promise<void> {
    const { name: container, addresses, state } = await this.container(target);
    switch (action) {
      case 'kill':
        return this.runtime.kill(container);
      case 'stop':
        return this.runtime.stop(container);
      case 'start':
        // Like `docker start`: a node that runs already is left as it is.
        if (state === 'running') return;
        return this.runtime.start(container);
      case 'restart':
        await this.runtime.stop(container);
        return this.runtime.start(container);
      case 'partition': {
        if (this.cut.has(target)) throw new NvlabError('PARTITIONED', `${target} is already partitioned`);
        const attachments = Object.entries(addresses).map(([network, ip]) => ({ network, ip }));
        this.cut.set(target, attachments);
        await Promise.all(attachments.map((a) => this.runtime.disconnect(container, a.network)));
        return;
      }
      case 'heal': {
        const attachments = this.cut.get(target);
        if (!attachments) throw new NvlabError('NOT_PARTITIONED', `${target} is not partitioned`);
        await Promise.all(attachments.map((a) => this.runtime.connect(container, a)));
        this.cut.delete(target);
        return;
      }
    }
  }

  async link(node: string, state: 'up' | 'down'): Promise<void> {
    const { name: container, addresses } = await this.container(node);
    const underlay = await this.networkName('underlay');
    const ip = addresses[underlay];
    if (!ip) throw new NvlabError('NO_UNDERLAY', `${node} has no underlay link`);
    if (state === 'down') await this.runtime.disconnect(container, underlay);
    else await this.runtime.connect(container, { network: underlay, ip });
  }

  /** The lab's API as the scenario runner calls it (the members' audit logs say so). */
  private api(): Promise<NorthboundClient> {
    return labNorthbound(this.runtime, this.lab, CLIENT);
  }

  async addPort(port: PortChange): Promise<void> {
    await addPort(
      this.runtime,
      this.lab,
      { switch: port.switch, name: port.name, on: port.on, ip: port.ip, ...(port.mac ? { mac: port.mac } : {}) },
      await this.api(),
    );
  }

  async removePort(name: string): Promise<void> {
    await removePort(this.runtime, this.lab, name, await this.api());
  }

  async migrate(port: string, to: string): Promise<void> {
    await migratePort(this.runtime, this.lab, port, to, await this.api());
  }

  async addNode(node: NodeChange): Promise<void> {
    const spec = { name: node.name, role: node.role, ...(node.encap ? { encap: node.encap } : {}) };
    await addTransportNode(this.runtime, this.lab, spec, CLIENT);
  }

  async removeNode(name: string): Promise<void> {
    await removeTransportNode(this.runtime, this.lab, name, CLIENT);
  }

  startTraffic(request: TrafficRequest): Promise<TrafficHandle> {
    return startTraffic(this.runtime, this.lab, request);
  }

  /** The operations tool's trace of one packet in this lab: predicted, and observed by an
   *  injected packet beside it (the result's top level is what the packet really did). */
  async trace(request: TraceRequest): Promise<TraceResult> {
    const inject = await injectThroughApi(this.runtime, this.lab, CLIENT);
    return (await labTracer(this.runtime, this.lab, { inject, client: CLIENT }))(request);
  }

  async collectArtifacts(request: ArtifactRequest): Promise<{ files: string[] }> {
    const captures = this.lastCaptures?.kind === request.failed.kind ? this.lastCaptures.files : [];
    return collectArtifacts(this.runtime, this.lab, request.dir, {
      client: CLIENT,
      captures,
      ...(request.failed.trace ? { trace: request.failed.trace } : {}),
    });
  }
}
