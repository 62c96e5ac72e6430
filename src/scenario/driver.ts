// What the runner needs from a lab. The scenario module decides what to expect and judges what it
// sees; a driver only acts and observes, by name. The Docker lab implements it in src/app; unit
// tests use fakes. Every method may throw: in a check that counts as a failed attempt (retried),
// in an action it fails the step. Calls should bound their own time (a ping waits about a second
// per packet, not forever); the runner gives up on a call that outlives its step's budget.

import type { LoadedTopology } from '../topology/load.ts';
import type { StepResult } from './results.ts';
import type { Encap, Role } from '../model/index.ts';
import type { TraceRequest, TraceResult } from '../model/index.ts';

/** Node actions; their target is a controller member, a transport node or a physical host. */
export const NODE_ACTION_KINDS = ['kill', 'stop', 'start', 'restart', 'partition', 'heal'] as const;
export type NodeAction = (typeof NODE_ACTION_KINDS)[number];

export const FRAME_KINDS = ['broadcast', 'unknown-unicast', 'multicast'] as const;
export type FrameKind = (typeof FRAME_KINDS)[number];

/** The tunnels one transport node has, as its Open vSwitch reports them. */
export interface NodeTunnels {
  node: string;
  /** Set when the node's tunnels could not be read (stopped, unreachable); `tunnels` is then ignored. */
  error?: string;
  tunnels: {
    /** The remote transport node, by name; its underlay IP when no node of the lab has that IP. */
    remote: string;
    encap: Encap;
    /** Whether OVS reports the tunnel interface up (link_state, and BFD where configured). */
    up: boolean;
    /** The interface name, for messages (tun-hv2). */
    name?: string;
  }[];
}

export interface PingRequest {
  /** A port (from its VM) or a physical host. */
  from: string;
  /** What the step names: a port, a host or an IP address. */
  to: string;
  /** The address to ping: `to` itself, or the address of the port or host it names. */
  ip: string;
  /**
   * The MAC of the port `to` names, when known. Tenants may reuse addresses (from app1,
   * 10.0.1.12 is app2, not web2): a driver that can see who answered counts only replies from it.
   */
  mac?: string;
  count: number;
}

export interface PingResult {
  sent: number;
  received: number;
  /** Anything the driver saw that explains the result (`reply from 02:…:12, app2`). */
  note?: string;
}

export interface FloodRequest {
  from: string;
  frame: FrameKind;
  /** Ports and hosts whose copies to count. */
  watch: string[];
}

export interface FloodResult {
  /** Copies of the marked frame each watched port or host received (absent: none). */
  copies: Record<string, number>;
  /** Copies of it that left the sending transport node on the underlay. */
  fromSource: number;
}

export const CONNECT_PROTOS = ['tcp', 'udp'] as const;
export type ConnectProto = (typeof CONNECT_PROTOS)[number];
/** open: connected (TCP) or echoed (UDP); refused: a TCP reset or an ICMP unreachable; filtered: no answer. */
export const CONNECT_OUTCOMES = ['open', 'refused', 'filtered'] as const;
export type ConnectOutcome = (typeof CONNECT_OUTCOMES)[number];

export interface ConnectRequest {
  /** A port (from its VM) or a physical host. */
  from: string;
  /** A port or a host: the driver starts the listener where it lives. */
  to: string;
  /** The address connected to: the address of `to`. */
  ip: string;
  /** The MAC of the port `to` names, when known: an answer from another MAC is not from `to`. */
  mac?: string;
  proto: ConnectProto;
  port: number;
  /** Start a listener on `to` for the attempt (TCP: accepts and closes; UDP: echoes); false:
   *  nothing listens, so a reachable target answers with a reset or a port unreachable. */
  listen: boolean;
  /** How long the attempt waits for an answer. */
  timeoutMs: number;
}

export interface ConnectResult {
  outcome: ConnectOutcome;
  /** What answered, in words: `connected`, `echo`, `RST`, `ICMP port unreachable`, `no answer`. */
  seen: string;
  /** From the first packet sent to the answer (or to the end of the wait). */
  ms: number;
  /** Connections the listener accepted or datagrams it echoed; absent without a listener. */
  listenerGot?: number;
  /** The MAC that answered, when it is not the one asked for (tenants reuse addresses). */
  otherMac?: string;
}

export interface SpoofRequest {
  /** The port whose VM sends. */
  from: string;
  /** The forged source: exactly one of the two. */
  srcIp?: string;
  srcMac?: string;
  /** The port the unicast frames (ICMP echo requests) are sent to; absent: the subnet's broadcast. */
  to?: string;
  /** Frames of each kind (ICMP echo request, ARP request) sent forged, and as many with the
   *  port's own addresses (the control: they show the counting sees frames that get out). */
  count: number;
  /** Ports whose received frames count: the sender's switch's other ports. */
  watch: string[];
}

export interface SpoofResult {
  /** Forged frames sent, and how many of them were seen past the port (distinct frames). */
  sent: number;
  leaked: number;
  /** Copies of forged frames that left the sender's transport node on the underlay. */
  underlay: number;
  /** Copies of forged frames each watched port received (absent: none). */
  ports: Record<string, number>;
  /** The legitimate frames, sent the same way: how many of them were seen past the port. */
  control: { sent: number; passed: number };
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface PortChange {
  switch: string;
  name: string;
  /** The hypervisor hosting the new VM. */
  on: string;
  ip: string;
  /** Absent: the lab derives one, as for ports in the file. */
  mac?: string;
}

export interface NodeChange {
  name: string;
  role: Role;
  encap?: Encap;
}

export interface TrafficRequest {
  from: string;
  to: string;
  ip: string;
  mac?: string;
  intervalMs: number;
}

export interface TrafficStats {
  sent: number;
  received: number;
  /** sent - received, once replies still in flight at stop() have come in or timed out. */
  lost: number;
  /** Runs of consecutive lost packets, when the driver tracks sequence numbers. */
  outages?: { firstSeq: number; lost: number; ms: number }[];
}

/** Continuous pings started by startTraffic. */
export interface TrafficHandle {
  /** Stops sending, waits for the replies still due (about a second), and counts. */
  stop(): Promise<TrafficStats>;
}

export interface ArtifactRequest {
  scenario: string;
  /** nvlab-artifacts/<lab>/<scenario>: the driver creates it and writes there. */
  dir: string;
  /** The step that failed (the innermost one, inside traffic), for its captures. */
  failed: StepResult;
}

export interface LabDriver {
  /** The tunnels of each of `nodes`, in that order. */
  tunnels(nodes: readonly string[]): Promise<NodeTunnels[]>;
  ping(request: PingRequest): Promise<PingResult>;
  /** Sends one marked frame of `frame` kind from `from` and counts, by capture, where its copies went. */
  flood(request: FloodRequest): Promise<FloodResult>;
  /** The controller member that is OpenFlow master of the node's switch now; undefined: none. */
  masterOf(node: string): Promise<string | undefined>;
  /** The l3 gateway node that holds the router's uplink now, among its `gateways` (highest
   *  priority first); undefined: none. Two holding it at once is an error (a thrown one). */
  activeGateway(router: string, gateways: readonly string[]): Promise<string | undefined>;
  /** One connection attempt from `from` to `to` (with a listener there for it unless told not to). */
  connect(request: ConnectRequest): Promise<ConnectResult>;
  /** Sends frames with a forged source from a port's VM and counts, by capture, how many got out. */
  spoof(request: SpoofRequest): Promise<SpoofResult>;
  /** Runs `cmd` with a shell on a port's VM, a host, a transport node or a controller member. */
  exec(on: string, cmd: string): Promise<ExecResult>;
  node(action: NodeAction, target: string): Promise<void>;
  /** Takes a transport node's underlay link down or up. */
  link(node: string, state: 'up' | 'down'): Promise<void>;
  /** Logical changes go through the controller's northbound API and the runtime, as a cloud platform would. */
  addPort(port: PortChange): Promise<void>;
  removePort(name: string): Promise<void>;
  migrate(port: string, to: string): Promise<void>;
  addNode(node: NodeChange): Promise<void>;
  removeNode(name: string): Promise<void>;
  startTraffic(request: TrafficRequest): Promise<TrafficHandle>;
  /** Saves what a person needs to see why the scenario failed; returns the files written. */
  collectArtifacts(request: ArtifactRequest): Promise<{ files: string[] }>;
  /** The operations tool's trace of one packet (injected where the lab runs); a driver without
   *  it has no `trace` step, and failed checks go without a trace. */
  trace?(request: TraceRequest): Promise<TraceResult>;
}

// ---- how `nvlab run` gets a lab: implemented in src/app, passed to the CLI verb ----

export interface OpenLabRequest {
  loaded: LoadedTopology;
  /** Use this lab, already deployed, instead of deploying the file's. */
  lab?: string;
  /** Lines for people while the lab is deployed (the CLI prints them on stderr). */
  progress(line: string): void;
  /** Aborted on Ctrl-C: a deploy in progress should roll back. */
  signal: AbortSignal;
}

/** A lab a run of scenarios holds. */
export interface ScenarioLab {
  /** Its name: artifacts go under nvlab-artifacts/<name>/. */
  name: string;
  driver: LabDriver;
  /** Ends the run's hold: destroys a lab deployed for the run unless `keep`; never one it attached to. */
  release(options: { keep: boolean }): Promise<void>;
}

/** Deploys the lab of a topology file (a failure is an NvlabError with exit code 2), or attaches to one. */
export type OpenScenarioLab = (request: OpenLabRequest) => Promise<ScenarioLab>;
