// The runtime interface: what nvlab needs from a container engine, and nothing more. Nodes and
// use-cases hold a Runtime; only src/runtime/docker/ knows Docker. A namespace-based runtime can
// implement the same interface later, as a folder beside docker/ registered in registry.ts.
import type { UsedSubnet } from '../model/index.ts';

export type { UsedSubnet };

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface NetworkSpec {
  name: string;
  subnet: string;
  gateway: string;
  mtu: number;
  /** Reaches nothing outside the host. */
  internal: boolean;
  labels: Record<string, string>;
}

export interface NodeAttachment {
  network: string;
  ip: string;
  /** Prefix length of the address on that network (looked up when not given). */
  prefixLength?: number;
}

/** A file put into a node before it starts (e.g. the controller's bundle). */
export interface NodeFile {
  path: string;
  content: string | Buffer;
  mode?: number;
}

export interface NodeSpec {
  /** Runtime name (the container name). */
  name: string;
  hostname: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  /** The first attachment is the primary network. */
  networks: NodeAttachment[];
  files?: NodeFile[];
  /** Relative CPU weight when the host is busy (1024 is a default node's). */
  cpuWeight?: number;
}

export interface ResourceInfo {
  name: string;
  labels: Record<string, string>;
}

export interface NetworkInfo extends ResourceInfo {
  subnet: string;
  mtu?: number;
}

export interface ContainerInfo extends ResourceInfo {
  /** running, exited, created, ... */
  state: string;
  /** Runtime network name → IPv4 address. */
  addresses: Record<string, string>;
}

export interface ExecOptions {
  /** Kill the command after this long; the result then has exit code 124. */
  timeoutMs?: number;
  stdin?: string;
}

export interface Runtime {
  readonly kind: string;
  /** Makes sure nodes can be created (for Docker: the node image); idempotent. Returns what it
   *  prepared, for people (e.g. the image tag). */
  prepare(onProgress?: (line: string) => void): Promise<string>;
  /** Subnets already taken on this host, so a new lab can avoid them. */
  usedSubnets(): Promise<UsedSubnet[]>;
  createNetwork(spec: NetworkSpec): Promise<void>;
  /** Creates a node without starting it (its networks need not exist yet); `start` starts it. */
  createNode(spec: NodeSpec): Promise<void>;
  exec(name: string, cmd: string[], options?: ExecOptions): Promise<ExecResult>;
  /** Containers carrying every given label (value '' matches any value). */
  listContainers(labels: Record<string, string>): Promise<ContainerInfo[]>;
  listNetworks(labels: Record<string, string>): Promise<NetworkInfo[]>;
  removeContainer(name: string): Promise<void>;
  removeNetwork(name: string): Promise<void>;
  kill(name: string): Promise<void>;
  stop(name: string): Promise<void>;
  /** Starts a created or stopped node and waits for its agent to report ready. */
  start(name: string, options?: { readyTimeoutMs?: number }): Promise<void>;
  /** Cuts the node's link on `network` (the cable is pulled; the node keeps running). */
  disconnect(name: string, network: string): Promise<void>;
  /** Restores a link cut by disconnect (nodes get all their links when created). */
  connect(name: string, attachment: NodeAttachment): Promise<void>;
  logs(name: string, options?: { tail?: number }): Promise<string>;
}
