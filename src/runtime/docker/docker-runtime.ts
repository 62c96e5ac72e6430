// The Docker runtime: the only place (with image.ts) that talks to the Docker engine.
import { networkInterfaces } from 'node:os';
import { PassThrough, type Readable } from 'node:stream';
import Docker from 'dockerode';
import { ignoreMissing, reason, RuntimeError, statusCode, wrap } from './docker-errors.ts';
import { demuxBuffer, labelFilter } from './engine-io.ts';
import type {
  ContainerInfo,
  ExecOptions,
  ExecResult,
  NetworkInfo,
  NetworkSpec,
  NodeAttachment,
  NodeSpec,
  Runtime,
  UsedSubnet,
} from '../runtime.ts';
import {
  bridgeName,
  connectHost,
  createBridge,
  deleteBridge,
  disconnectHost,
  listBridges,
  setLinkState,
  wireNode,
  type FabricNetwork,
  type Link,
} from './fabric.ts';
import { ensureNodeImage } from './image.ts';
import { enableMemoryMerging } from './memory-merging.ts';
import { enlargeNeighbourTable } from './neighbour-table.ts';
import { putNodeFiles } from './node-files.ts';
import { LABEL_LAB, LABEL_ROLE, labPrefix, nicName } from '../../model/index.ts';

export { RuntimeError } from './docker-errors.ts';

const READY = 'nvlab-node: ready';
/** A node's links (JSON), so a restart or another process can wire it again. */
const LABEL_LINKS = 'nvlab.links';
const FABRIC_ROLE = 'fabric';
/** '.' cannot occur in lab or node names, so no node can take the fabric's name. */
const fabricName = (lab: string) => `${labPrefix(lab)}.fabric`;
const FAILED = 'nvlab-node: failed:';
const DEFAULT_READY_TIMEOUT_MS = 90_000;

/** OVS in a container needs these and no more (--privileged is not available everywhere). */
const CAPABILITIES = ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN'];
/** Quiet nodes: no IPv6 autoconfiguration frames in captures and flood counts. */
const QUIET_SYSCTLS = { 'net.ipv6.conf.all.disable_ipv6': '1', 'net.ipv6.conf.default.disable_ipv6': '1' };

export class DockerRuntime implements Runtime {
  readonly kind = 'docker';
  readonly docker: Docker;
  private image: string | undefined;

  constructor(docker = new Docker()) {
    this.docker = docker;
  }

  async prepare(onProgress?: (line: string) => void): Promise<string> {
    try {
      await this.docker.ping();
    } catch (error) {
      throw new RuntimeError('no Docker engine answers (is dockerd running? `bash scripts/bootstrap.sh` installs and starts one)', {
        cause: error,
      });
    }
    this.image = await ensureNodeImage(this.docker, onProgress ? { onProgress } : {});
    for (const tuned of [await enableMemoryMerging(), await enlargeNeighbourTable()]) if (tuned) onProgress?.(tuned);
    return this.image;
  }

  async usedSubnets(): Promise<UsedSubnet[]> {
    const used: UsedSubnet[] = [];
    for (const network of await this.docker.listNetworks()) {
      for (const config of network.IPAM?.Config ?? []) {
        if (config.Subnet?.includes('.')) used.push({ subnet: config.Subnet, owner: `Docker network ${network.Name}` });
      }
    }
    for (const network of await this.fabricNetworks({})) {
      used.push({ subnet: network.subnet, owner: `network ${network.name}` });
    }
    // The host's own addresses are never ours to take.
    for (const [name, addresses] of Object.entries(networkInterfaces())) {
      for (const address of addresses ?? []) {
        if (address.family === 'IPv4' && !address.internal && address.cidr) {
          used.push({ subnet: address.cidr, owner: `host interface ${name}` });
        }
      }
    }
    return used;
  }

  async createNetwork(spec: NetworkSpec): Promise<void> {
    const lab = spec.labels[LABEL_LAB];
    if (!lab) throw new RuntimeError(`network ${spec.name}: no ${LABEL_LAB} label`);
    const network: FabricNetwork = {
      name: spec.name,
      bridge: bridgeName(spec.name),
      subnet: spec.subnet,
      gateway: spec.gateway,
      labels: spec.labels,
    };
    try {
      const pid = await this.fabricPid(lab, true);
      await createBridge(pid, network, spec.mtu);
      this.networks.set(spec.name, { ...network, mtu: spec.mtu });
      if (!spec.internal) await connectHost(pid, network, Number(spec.subnet.split('/')[1]), spec.mtu);
    } catch (error) {
      if (error instanceof RuntimeError) throw error;
      throw new RuntimeError(`network ${spec.name} (${spec.subnet}): ${reason(error)}`, { cause: error });
    }
  }

  /** Networks this process created or looked up, so nodes need no lookup of their own. */
  private networks = new Map<string, FabricNetwork>();

  private async network(lab: string, name: string): Promise<FabricNetwork | undefined> {
    if (!this.networks.has(name)) {
      for (const n of await this.fabricNetworks({ [LABEL_LAB]: lab })) this.networks.set(n.name, n);
    }
    return this.networks.get(name);
  }

  /** The lab's fabric container (see fabric.ts): created on first use, its PID cached. */
  private fabrics = new Map<string, Promise<number>>();

  private fabricPid(lab: string, create = false): Promise<number> {
    let pid = this.fabrics.get(lab);
    if (!pid) {
      pid = this.findOrCreateFabric(lab, create);
      this.fabrics.set(lab, pid);
      pid.catch(() => this.fabrics.delete(lab));
    }
    return pid;
  }

  private async findOrCreateFabric(lab: string, create: boolean): Promise<number> {
    const name = fabricName(lab);
    const running = async () => {
      const info = await this.docker.getContainer(name).inspect();
      if (!info.State.Running) throw new RuntimeError(`the fabric of lab ${lab} is not running`);
      return info.State.Pid;
    };
    try {
      return await running();
    } catch (error) {
      if (!create || statusCode(error) !== 404) throw error;
    }
    if (this.image === undefined) await this.prepare();
    await this.docker.createContainer({
      name,
      Hostname: 'fabric',
      Image: this.image,
      Labels: { [LABEL_LAB]: lab, [LABEL_ROLE]: FABRIC_ROLE },
      Env: ['NVLAB_ROLE=fabric'],
      HostConfig: { Init: true, CapAdd: CAPABILITIES, NetworkMode: 'none', Sysctls: QUIET_SYSCTLS },
    });
    await this.startAndWait(name, DEFAULT_READY_TIMEOUT_MS);
    return running();
  }

  /** Networks in every running fabric (or that of one lab). */
  private async fabricNetworks(labels: Record<string, string>): Promise<FabricNetwork[]> {
    const fabrics = await this.docker.listContainers({
      filters: { label: labelFilter({ ...(labels[LABEL_LAB] ? { [LABEL_LAB]: labels[LABEL_LAB] } : {}), [LABEL_ROLE]: FABRIC_ROLE }) },
    });
    const found = await Promise.all(
      fabrics.map(async (f) => {
        const pid = (await this.docker.getContainer(f.Id).inspect()).State.Pid;
        return listBridges(pid).catch(() => []);
      }),
    );
    return found.flat().filter((n) => Object.entries(labels).every(([k, v]) => (v === '' ? k in n.labels : n.labels[k] === v)));
  }

  async createNode(spec: NodeSpec): Promise<void> {
    if (this.image === undefined) await this.prepare();
    const lab = spec.labels[LABEL_LAB];
    if (!lab) throw new RuntimeError(`node ${spec.name}: no ${LABEL_LAB} label`);
    const links: Link[] = [];
    for (const [i, attachment] of spec.networks.entries()) {
      let prefixLength = attachment.prefixLength;
      if (prefixLength === undefined) {
        const network = await this.network(lab, attachment.network);
        if (!network) throw new RuntimeError(`node ${spec.name}: lab ${lab} has no network ${attachment.network}`);
        prefixLength = Number(network.subnet.split('/')[1]);
      }
      links.push({ nic: nicName(i), network: attachment.network, ip: attachment.ip, prefixLength });
    }
    try {
      await this.docker.createContainer({
        name: spec.name,
        Hostname: spec.hostname,
        Image: this.image,
        Labels: { ...spec.labels, [LABEL_LINKS]: JSON.stringify(links) },
        Env: [
          ...Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
          // The agent waits for these interfaces, which the runtime plugs in after start.
          `NVLAB_NICS=${links.map((l) => `${l.nic}=${l.ip}/${l.prefixLength}`).join(' ')}`,
        ],
        HostConfig: {
          Init: true,
          CapAdd: CAPABILITIES,
          Devices: [{ PathOnHost: '/dev/net/tun', PathInContainer: '/dev/net/tun', CgroupPermissions: 'rwm' }],
          NetworkMode: 'none',
          Sysctls: QUIET_SYSCTLS,
          ...(spec.cpuWeight ? { CpuShares: spec.cpuWeight } : {}),
        },
      });
      if (spec.files?.length) await putNodeFiles(this.docker, spec.name, spec.files);
    } catch (error) {
      if (error instanceof RuntimeError) throw error;
      throw new RuntimeError(`node ${spec.name}: ${reason(error)}`, { cause: error });
    }
  }

  /** Plugs a started node's links into its lab's fabric. */
  private async wire(name: string): Promise<void> {
    const info = await this.docker.getContainer(name).inspect();
    const lab = info.Config.Labels?.[LABEL_LAB];
    const links = JSON.parse(info.Config.Labels?.[LABEL_LINKS] ?? '[]') as Link[];
    if (!lab || links.length === 0) return;
    const mtus = new Map<string, number>();
    for (const link of links) mtus.set(link.network, (await this.network(lab, link.network))?.mtu ?? 1500);
    await wireNode(await this.fabricPid(lab), info.State.Pid, name, links, mtus);
  }

  /** Attaches to the node's output before starting it, so its ready line cannot be missed. */
  private async startAndWait(name: string, timeoutMs: number, afterStart?: () => Promise<void>): Promise<void> {
    const container = this.docker.getContainer(name);
    const stream = (await container.attach({ stream: true, stdout: true, stderr: true })) as unknown as Readable;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    container.modem.demuxStream(stream, stdout, stderr);
    let output = '';
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new RuntimeError(`node ${name}: not ready after ${timeoutMs} ms`)), timeoutMs);
      const settle = (error?: Error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(READY)) settle();
        const failed = output.split('\n').find((line) => line.startsWith(FAILED));
        if (failed) settle(new RuntimeError(`node ${name}: ${failed.slice(FAILED.length).trim()}`));
      };
      stdout.on('data', onData);
      stderr.on('data', onData);
      stream.on('end', () => settle(new RuntimeError(`node ${name} exited before it was ready:\n${output.trim()}`)));
    });
    // The agent may fail before start() returns; the rejection is awaited below.
    ready.catch(() => {});
    try {
      await container.start();
      await afterStart?.();
      await ready;
    } catch (error) {
      if (error instanceof RuntimeError) throw error;
      throw new RuntimeError(`node ${name}: ${reason(error)}`, { cause: error });
    } finally {
      stream.destroy();
    }
  }

  async exec(name: string, cmd: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const command = options.timeoutMs ? ['timeout', '-s', 'KILL', `${Math.ceil(options.timeoutMs / 1000)}`, ...cmd] : cmd;
    try {
      const exec = await this.docker.getContainer(name).exec({
        Cmd: command,
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: options.stdin !== undefined,
      });
      const stream = (await exec.start({ hijack: true, stdin: options.stdin !== undefined })) as unknown as Readable & {
        end(data?: string): void;
      };
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      const out = new PassThrough().on('data', (chunk: Buffer) => stdout.push(chunk));
      const err = new PassThrough().on('data', (chunk: Buffer) => stderr.push(chunk));
      this.docker.modem.demuxStream(stream, out, err);
      if (options.stdin !== undefined) stream.end(options.stdin);
      await new Promise<void>((resolve, reject) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', reject);
      });
      const info = await exec.inspect();
      const exitCode = info.ExitCode ?? 0;
      return {
        exitCode: exitCode === 137 && options.timeoutMs ? 124 : exitCode,
        stdout: Buffer.concat(stdout).toString(),
        stderr: Buffer.concat(stderr).toString(),
      };
    } catch (error) {
      throw new RuntimeError(`exec on ${name}: ${reason(error)}`, { cause: error });
    }
  }

  async listContainers(labels: Record<string, string>): Promise<ContainerInfo[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: labelFilter(labels) } });
    return list.map((c) => ({
      name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
      labels: c.Labels ?? {},
      state: c.State,
      addresses: Object.fromEntries((JSON.parse(c.Labels?.[LABEL_LINKS] ?? '[]') as Link[]).map((link) => [link.network, link.ip])),
    }));
  }

  async listNetworks(labels: Record<string, string>): Promise<NetworkInfo[]> {
    return (await this.fabricNetworks(labels)).map((n) => ({
      name: n.name,
      labels: n.labels,
      subnet: n.subnet,
      ...(n.mtu ? { mtu: n.mtu } : {}),
    }));
  }

  async removeContainer(name: string): Promise<void> {
    const fabricOf = /^nvlab-(.+)\.fabric$/.exec(name);
    if (fabricOf?.[1]) {
      const networks = await this.fabricNetworks({ [LABEL_LAB]: fabricOf[1] }).catch(() => []);
      await Promise.all(networks.map((n) => disconnectHost(n.name)));
    }
    await ignoreMissing(this.docker.getContainer(name).remove({ force: true, v: true }), `remove ${name}`);
    if (fabricOf?.[1]) {
      this.fabrics.delete(fabricOf[1]);
      for (const [key, network] of this.networks) if (network.labels[LABEL_LAB] === fabricOf[1]) this.networks.delete(key);
    }
  }

  async removeNetwork(name: string): Promise<void> {
    const owner = (await this.fabricNetworks({})).find((n) => n.name === name);
    if (!owner) return; // gone with its fabric
    const pid = await this.fabricPid(owner.labels[LABEL_LAB] ?? '');
    await wrap(deleteBridge(pid, owner.bridge), `remove network ${name}`);
  }

  async kill(name: string): Promise<void> {
    await wrap(this.docker.getContainer(name).kill(), `kill ${name}`);
  }

  async stop(name: string): Promise<void> {
    await wrap(this.docker.getContainer(name).stop({ t: 5 }), `stop ${name}`);
  }

  async start(name: string, options: { readyTimeoutMs?: number } = {}): Promise<void> {
    // A started container has a new network namespace: its links are plugged in again.
    await this.startAndWait(name, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS, () => this.wire(name));
  }

  /** Pulls the cable of the node's link on `network`; the node keeps running. */
  async disconnect(name: string, network: string): Promise<void> {
    await this.setLink(name, network, false);
  }

  /** Plugs the cable back in (the link must exist: nodes get their links when created). */
  async connect(name: string, attachment: NodeAttachment): Promise<void> {
    await this.setLink(name, attachment.network, true);
  }

  private async setLink(name: string, network: string, up: boolean): Promise<void> {
    const info = await wrap(this.docker.getContainer(name).inspect(), `inspect ${name}`);
    const links = JSON.parse(info.Config.Labels?.[LABEL_LINKS] ?? '[]') as Link[];
    const link = links.find((l) => l.network === network);
    const lab = info.Config.Labels?.[LABEL_LAB];
    if (!link || !lab) throw new RuntimeError(`node ${name} has no link on ${network}`);
    await wrap(setLinkState(await this.fabricPid(lab), name, link.nic, up), `${up ? 'connect' : 'disconnect'} ${name}`);
  }

  async logs(name: string, options: { tail?: number } = {}): Promise<string> {
    const buffer = (await wrap(
      this.docker.getContainer(name).logs({ stdout: true, stderr: true, follow: false, ...(options.tail ? { tail: options.tail } : {}) }),
      `logs of ${name}`,
    )) as unknown as Buffer;
    const { stdout, stderr } = demuxBuffer(buffer);
    return stdout + stderr;
  }
}
