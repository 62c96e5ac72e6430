// `spoof`: a VM writes frames with a forged source, and as many with its own addresses, on its
// NIC; captures on its node's underlay NIC (tunnel packets, read inside) and at the other ports of
// its switch count which of them got past the port.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Runtime } from '../../runtime/runtime.ts';
import type { SpoofRequest, SpoofResult } from '../../scenario/driver.ts';
import { NvlabError } from '../../util/errors.ts';
import { broadcast, formatIp, LABEL_LAB, parseCidr } from '../../model/index.ts';
import { inPoint, quote, resolveCapturePoints, sourceUnderlays, type CapturePoint } from './capture-point.ts';
import { followingSpecs, startCaptures } from './captures.ts';
import { runProbe } from './net-probe.ts';
import { BROADCAST_MAC } from './pcap.ts';
import { MARKER_LENGTH, countSpoofed, spoofFrames, type Endpoint } from './spoof-frames.ts';

export interface SpoofOptions extends SpoofRequest {
  /** How long copies may take to arrive after the frames are sent; default 500 ms. */
  settleMs?: number;
}

export interface SpoofOutcome extends SpoofResult {
  /** Every capture taken (watched ports, then `<node>-underlay`), for artifacts. */
  captures: { label: string; pcap: Buffer }[];
}

const DEFAULT_SETTLE_MS = 500;
const EXEC_MS = 10_000;

/** A VM's MAC and IPv4 address on its NIC, and its subnet's broadcast address. */
async function addresses(runtime: Runtime, point: CapturePoint): Promise<Endpoint & { broadcast: string }> {
  const dev = quote(point.iface);
  const cmd = `${inPoint(point, `ip -o link show dev ${dev}`)}; ${inPoint(point, `ip -o -4 addr show dev ${dev}`)}`;
  const result = await runtime.exec(point.container, ['sh', '-c', cmd], { timeoutMs: EXEC_MS });
  const mac = /link\/ether ([0-9a-f:]{17})/.exec(result.stdout)?.[1];
  const inet = /inet (\d+\.\d+\.\d+\.\d+\/\d+)/.exec(result.stdout)?.[1];
  const cidr = inet ? parseCidr(inet, false) : undefined;
  if (!mac || !inet || !cidr) throw new NvlabError('SPOOF', `${point.label} has no MAC or IPv4 address on ${point.iface}`);
  return { mac, ip: inet.split('/')[0] as string, broadcast: formatIp(broadcast(cidr)) };
}

/** Forgets `ip` in the neighbour tables of the VMs at `points`: a forged ARP request taught them
 *  the sender's MAC for it, and the address may be a neighbour's. */
async function forget(runtime: Runtime, points: readonly CapturePoint[], ip: string): Promise<void> {
  const byContainer = new Map<string, string[]>();
  for (const p of points) if (p.netns) byContainer.set(p.container, [...(byContainer.get(p.container) ?? []), p.netns]);
  await Promise.all(
    [...byContainer].map(([container, namespaces]) => {
      const cmd = namespaces.map((ns) => `ip netns exec ${quote(ns)} ip neigh del ${quote(ip)} dev eth0 2>/dev/null`).join('; ');
      return runtime.exec(container, ['sh', '-c', `${cmd}; true`], { timeoutMs: EXEC_MS }).catch(() => undefined);
    }),
  );
}

/** Sends the step's frames from `from` and counts, by capture, which got past its port. */
export async function spoofOnce(runtime: Runtime, lab: string, request: SpoofOptions): Promise<SpoofOutcome> {
  const watch = [...new Set(request.watch)].filter((n) => n !== request.from);
  const containers = await runtime.listContainers({ [LABEL_LAB]: lab });
  const points = await resolveCapturePoints(runtime, lab, [request.from, ...(request.to ? [request.to] : []), ...watch], containers);
  const sender = points.get(request.from) as CapturePoint;
  if (!sender.netns) throw new NvlabError('SPOOF', `${request.from} is a host: spoof sends from a port's VM`);
  const [sources, own, target] = await Promise.all([
    sourceUnderlays(runtime, lab, sender, containers),
    addresses(runtime, sender),
    request.to ? addresses(runtime, points.get(request.to) as CapturePoint) : undefined,
  ]);
  const marker = randomBytes(MARKER_LENGTH);
  const frames = spoofFrames({
    sender: own,
    target: target ?? { mac: BROADCAST_MAC, ip: own.broadcast },
    forged: { ...(request.srcIp ? { ip: request.srcIp } : {}), ...(request.srcMac ? { mac: request.srcMac } : {}) },
    count: request.count,
    marker,
  });
  const specs = followingSpecs(points, watch, 'arp or icmp', sources);
  const running = await startCaptures(runtime, marker.toString('hex'), specs);
  let files;
  try {
    const sent = await runProbe(runtime, sender, ['send', sender.iface, ...frames.map((f) => f.bytes.toString('hex'))], EXEC_MS);
    if (sent.exitCode !== 0 || !/^sent \d+/m.test(sent.stdout))
      throw new NvlabError(
        'SPOOF',
        `${request.from} could not send its frames: ${(sent.stdout + sent.stderr).trim() || `exit ${sent.exitCode}`}`,
      );
    await sleep(request.settleMs ?? DEFAULT_SETTLE_MS);
  } finally {
    files = await running.stop().catch(() => undefined); // no capture is left running
    if (request.srcIp)
      await forget(
        runtime,
        [...points.values()].filter((p) => p !== sender),
        request.srcIp,
      );
  }
  const unread = (files ?? []).filter((f) => !f.pcap);
  if (!files || unread.length > 0)
    throw new NvlabError('SPOOF', `no capture from ${unread.map((f) => `${f.label} (${f.error})`).join(', ') || 'any place'}`);
  const captures = files.map((f) => ({ label: f.label, pcap: f.pcap as Buffer }));
  const count = countSpoofed(
    captures.map((c, i) => ({ ...c, tunnelled: i >= watch.length })),
    marker,
  );
  const underlay = captures.slice(watch.length).reduce((sum, c) => sum + (count.copies[c.label] ?? 0), 0);
  const perFrame = frames.length / 2;
  return {
    sent: perFrame,
    leaked: count.distinct.forged,
    underlay,
    ports: Object.fromEntries(watch.map((name) => [name, count.copies[name] ?? 0])),
    control: { sent: perFrame, passed: count.distinct.legit },
    captures,
  };
}
