// The Docker runtime: the only place (with image.ts) that talks to the Docker engine.
import { networkInterfaces } from 'node:os';
import { PassThrough, type Readable } from 'node:stream';
import Docker from 'dockerode';
import { pack } from 'tar-stream';
import { NvlabError } from '../../util/errors.ts';
import type {
  ContainerInfo,
  ExecOptions,
  ExecResult,
  NetworkSpec,
  NodeAttachment,
  NodeFile,
  NodeSpec,
  ResourceInfo,
  Runtime,
  UsedSubnet,
} from '../runtime.ts';
import { ensureNodeImage } from './image.ts';

const READY = 'nvlab-node: ready';
const FAILED = 'nvlab-node: failed:';
const DEFAULT_READY_TIMEOUT_MS = 90_000;

/** OVS in a container needs these and no more (--privileged is not available everywhere). */
const CAPABILITIES = ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN'];

export class RuntimeError extends NvlabError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('RUNTIME', message, { ...options, exitCode: 2 });
  }
}

function statusCode(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'statusCode' in error
    ? (error as { statusCode?: number }).statusCode
    : undefined;
}

function reason(error: unknown): string {
  const json = (error as { json?: { message?: string } } | undefined)?.json;
  return json?.message ?? (error instanceof Error ? error.message : String(error));
}

/** Splits Docker's multiplexed stdout/stderr framing (non-TTY containers) from a whole buffer. */
export function demuxBuffer(buffer: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const kind = buffer[offset];
    const size = buffer.readUInt32BE(offset + 4);
    const payload = buffer.subarray(offset + 8, offset + 8 + size);
    (kind === 2 ? err : out).push(payload);
    offset += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

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
      throw new RuntimeError(
        'no Docker engine answers (is dockerd running? `bash scripts/bootstrap.sh` installs and starts one)',
        { cause: error },
      );
    }
    this.image = await ensureNodeImage(this.docker, onProgress ? { onProgress } : {});
    return this.image;
  }

  async usedSubnets(): Promise<UsedSubnet[]> {
    const used: UsedSubnet[] = [];
    for (const network of await this.docker.listNetworks()) {
      for (const config of network.IPAM?.Config ?? []) {
        if (config.Subnet?.includes('.')) used.push({ subnet: config.Subnet, owner: `Docker network ${network.Name}` });
      }
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
    try {
      await this.docker.createNetwork({
        Name: spec.name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Internal: spec.internal,
        Labels: spec.labels,
        IPAM: { Driver: 'default', Config: [{ Subnet: spec.subnet, Gateway: spec.gateway }] },
        Options: { 'com.docker.network.driver.mtu': String(spec.mtu) },
      });
    } catch (error) {
      throw new RuntimeError(`network ${spec.name} (${spec.subnet}): ${reason(error)}`, { cause: error });
    }
  }

  async createNode(spec: NodeSpec, options: { readyTimeoutMs?: number } = {}): Promise<void> {
    if (this.image === undefined) await this.prepare();
    const [primary, ...others] = spec.networks;
    if (primary === undefined) throw new RuntimeError(`node ${spec.name}: no network`);
    try {
      await this.docker.createContainer({
        name: spec.name,
        Hostname: spec.hostname,
        Image: this.image,
        Labels: spec.labels,
        Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
        HostConfig: {
          Init: true,
          CapAdd: CAPABILITIES,
          Devices: [{ PathOnHost: '/dev/net/tun', PathInContainer: '/dev/net/tun', CgroupPermissions: 'rwm' }],
          NetworkMode: primary.network,
          // Quiet nodes: no IPv6 autoconfiguration frames in captures and flood counts.
          Sysctls: { 'net.ipv6.conf.all.disable_ipv6': '1', 'net.ipv6.conf.default.disable_ipv6': '1' },
        },
        NetworkingConfig: { EndpointsConfig: { [primary.network]: { IPAMConfig: { IPv4Address: primary.ip } } } },
      });
      // Docker 20.10 takes one network at creation; the others are connected before start.
      for (const attachment of others) await this.connect(spec.name, attachment);
      if (spec.files?.length) {
        await this.docker.getContainer(spec.name).putArchive(await tarOf(spec.files), { path: '/' });
      }
    } catch (error) {
      if (error instanceof RuntimeError) throw error;
      throw new RuntimeError(`node ${spec.name}: ${reason(error)}`, { cause: error });
    }
    await this.startAndWait(spec.name, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  }

  /** Attaches to the node's output before starting it, so its ready line cannot be missed. */
  private async startAndWait(name: string, timeoutMs: number): Promise<void> {
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
      await ready;
    } catch (error) {
      if (error instanceof RuntimeError) throw error;
      throw new RuntimeError(`node ${name}: ${reason(error)}`, { cause: error });
    } finally {
      stream.destroy();
    }
  }

  async exec(name: string, cmd: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const command = options.timeoutMs
      ? ['timeout', '-s', 'KILL', `${Math.ceil(options.timeoutMs / 1000)}`, ...cmd]
      : cmd;
    try {
      const exec = await this.docker.getContainer(name).exec({
        Cmd: command,
        AttachStdout: true,
        AttachStderr: true,
        AttachStdin: options.stdin !== undefined,
      });
      const stream = (await exec.start({ hijack: true, stdin: options.stdin !== undefined })) as unknown as
        | (Readable & { end(data?: string): void });
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
      addresses: Object.fromEntries(
        Object.entries(c.NetworkSettings?.Networks ?? {}).map(([network, info]) => [network, info.IPAddress]),
      ),
    }));
  }

  async listNetworks(labels: Record<string, string>): Promise<ResourceInfo[]> {
    const list = await this.docker.listNetworks({ filters: { label: labelFilter(labels) } });
    return list.map((n) => ({ name: n.Name, labels: n.Labels ?? {} }));
  }

  async removeContainer(name: string): Promise<void> {
    await ignoreMissing(this.docker.getContainer(name).remove({ force: true, v: true }), `remove ${name}`);
  }

  async removeNetwork(name: string): Promise<void> {
    await ignoreMissing(this.docker.getNetwork(name).remove(), `remove network ${name}`);
  }

  async kill(name: string): Promise<void> {
    await wrap(this.docker.getContainer(name).kill(), `kill ${name}`);
  }

  async stop(name: string): Promise<void> {
    await wrap(this.docker.getContainer(name).stop({ t: 5 }), `stop ${name}`);
  }

  async start(name: string, options: { readyTimeoutMs?: number } = {}): Promise<void> {
    await this.startAndWait(name, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  }

  async disconnect(name: string, network: string): Promise<void> {
    await wrap(this.docker.getNetwork(network).disconnect({ Container: name, Force: true }), `disconnect ${name}`);
  }

  async connect(name: string, attachment: NodeAttachment): Promise<void> {
    await wrap(
      this.docker.getNetwork(attachment.network).connect({
        Container: name,
        EndpointConfig: { IPAMConfig: { IPv4Address: attachment.ip } },
      }),
      `connect ${name} to ${attachment.network}`,
    );
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

/** A tar archive of the files, paths relative to / (what Docker's putArchive takes). */
async function tarOf(files: NodeFile[]): Promise<Buffer> {
  const archive = pack();
  const chunks: Buffer[] = [];
  archive.on('data', (chunk: unknown) => {
    chunks.push(chunk as Buffer);
  });
  const done = new Promise<void>((resolve, reject) => {
    archive.on('end', resolve);
    archive.on('error', reject);
  });
  for (const file of files) {
    archive.entry({ name: file.path.replace(/^\/+/, ''), mode: file.mode ?? 0o644 }, file.content);
  }
  archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

function labelFilter(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([key, value]) => (value === '' ? key : `${key}=${value}`));
}

async function wrap<T>(promise: Promise<T>, what: string): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw new RuntimeError(`${what}: ${reason(error)}`, { cause: error });
  }
}

async function ignoreMissing(promise: Promise<unknown>, what: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if (statusCode(error) === 404) return;
    throw new RuntimeError(`${what}: ${reason(error)}`, { cause: error });
  }
}
