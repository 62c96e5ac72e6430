// `flood`: one marked BUM frame from a port or host, and where its copies went, by capture.
//
// The frame is a single ICMP echo request whose payload repeats a random marker (ping -p), sent
// to the subnet broadcast address, to an unknown unicast MAC (a static neighbour entry), or to a
// multicast group. Receivers capture inbound frames only, so the sender never counts its own
// frame; a copy counts when it is the marked request to the expected L2 destination, so replies
// (which echo the payload) never do. Copies that left the source are the tunnel packets on the
// source transport node's underlay NIC whose inner frame is that request.
import { randomBytes } from 'node:crypto';
import type { Runtime } from '../../runtime/runtime.ts';
import type { FloodRequest, FloodResult, FrameKind } from '../../scenario/driver.ts';
import { NvlabError } from '../../util/errors.ts';
import { seconds } from '../../util/seconds.ts';
import { inPoint, quote, resolveCapturePoints, sourceUnderlays, type CapturePoint } from './capture-point.ts';
import { followingSpecs, startCaptures } from './captures.ts';
import { BROADCAST_MAC, countDelivered, countEncapsulated, type MarkedFrame } from './pcap.ts';
import { LABEL_LAB } from '../../model/index.ts';

export { resolveCapturePoint, type CapturePoint } from './capture-point.ts';

export interface FloodOptions extends FloodRequest {
  /** How long copies may take to arrive after the frame is sent; default 500 ms. */
  settleMs?: number;
}

export interface FloodCapture {
  label: string;
  pcap: Buffer;
}

export interface FloodOutcome extends FloodResult {
  /** Every capture taken (watched points, then `<node>-underlay`), for artifacts. */
  captures: FloodCapture[];
}

const DEFAULT_SETTLE_MS = 500;

interface FramePlan {
  dstMac: string;
  /** The sending command, run where the sender lives. */
  send: string;
}

/** The sender's address: a.b.c.d, prefix length and broadcast, from `ip -o -4 addr`. */
async function senderAddress(runtime: Runtime, sender: CapturePoint): Promise<{ ip: string; broadcast: string }> {
  const result = await runtime.exec(sender.container, ['sh', '-c', inPoint(sender, `ip -o -4 addr show dev ${quote(sender.iface)}`)], {
    timeoutMs: 10_000,
  });
  const m = /inet (\d+\.\d+\.\d+\.\d+)\/(\d+)(?: brd (\d+\.\d+\.\d+\.\d+))?/.exec(result.stdout);
  if (!m) throw new NvlabError('FLOOD', `${sender.label} has no IPv4 address on ${sender.iface}`);
  const ip = m[1] as string;
  if (m[3]) return { ip, broadcast: m[3] };
  const value = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const hostBits = 2 ** (32 - Number(m[2])) - 1;
  const brd = value - (value % (hostBits + 1)) + hostBits;
  return { ip, broadcast: [24, 16, 8, 0].map((s) => Math.floor(brd / 2 ** s) % 256).join('.') };
}

function framePlan(kind: FrameKind, marker: Buffer, sender: CapturePoint, broadcast: string, settleMs: number): FramePlan {
  const wait = seconds(settleMs);
  const ping = (extra: string, ip: string) => `ping -n -c 1 -W ${wait} ${extra} -p ${marker.toString('hex')} ${ip}`.replace(/ +/g, ' ');
  const dev = quote(sender.iface);
  switch (kind) {
    case 'broadcast':
      return { dstMac: BROADCAST_MAC, send: ping('-b', broadcast) };
    case 'multicast': {
      // An administratively scoped group; -I picks the NIC (a VM has no multicast route).
      const [a = 0, b = 0] = marker;
      return {
        dstMac: `01:00:5e:7f:${a.toString(16).padStart(2, '0')}:${b.toString(16).padStart(2, '0')}`,
        send: ping(`-t 1 -I ${dev}`, `239.255.${a}.${b}`),
      };
    }
    case 'unknown-unicast': {
      // A TEST-NET address routed onto the NIC, with a permanent neighbour entry for a MAC no one
      // has (06: is locally administered and unicast; ports use 02:, routers 0a:): no ARP is
      // sent, the one frame goes out, and the entries are removed whatever ping did.
      const mac = `06:6e:76:${[...marker.subarray(0, 3)].map((x) => x.toString(16).padStart(2, '0')).join(':')}`;
      const ip = `192.0.2.${1 + ((marker[3] ?? 0) % 254)}`;
      const script = [
        `ip route replace ${ip}/32 dev ${dev}`,
        `ip neigh replace ${ip} lladdr ${mac} dev ${dev} nud permanent`,
        `${ping('', ip)}; r=$?`,
        `ip neigh del ${ip} dev ${dev}; ip route del ${ip}/32 dev ${dev}; exit $r`,
      ].join('\n');
      return { dstMac: mac, send: `sh -c ${quote(script)}` };
    }
  }
}

/** Sends one marked frame of `frame` kind from `from` and counts, by capture, where its copies went. */
export async function floodOnce(runtime: Runtime, lab: string, request: FloodOptions): Promise<FloodOutcome> {
  const settleMs = request.settleMs ?? DEFAULT_SETTLE_MS;
  const marker = randomBytes(8);
  const watch = [...new Set(request.watch)];
  const containers = await runtime.listContainers({ [LABEL_LAB]: lab });
  const points = await resolveCapturePoints(runtime, lab, [request.from, ...watch], containers);
  const sender = points.get(request.from) as CapturePoint;
  // Independent look-ups, done together: each is a round trip into a container.
  const [sources, { broadcast }] = await Promise.all([sourceUnderlays(runtime, lab, sender, containers), senderAddress(runtime, sender)]);
  const plan = framePlan(request.frame, marker, sender, broadcast, settleMs);
  const want: MarkedFrame = { dstMac: plan.dstMac, marker };

  const specs = followingSpecs(points, watch, 'icmp[icmptype] == icmp-echo', sources);
  const running = await startCaptures(runtime, marker.toString('hex'), specs);
  let sent;
  try {
    sent = await runtime.exec(sender.container, ['sh', '-c', inPoint(sender, plan.send)], { timeoutMs: settleMs + 10_000 });
  } catch (error) {
    await running.stop().catch(() => undefined); // no capture is left running
    throw error;
  }
  const files = await running.stop();
  if (!/\b1 packets transmitted/.test(sent.stdout)) {
    throw new NvlabError(
      'FLOOD',
      `${request.from} could not send the ${request.frame} frame: ${(sent.stdout + sent.stderr).trim() || `exit ${sent.exitCode}`}`,
    );
  }
  const unread = files.filter((f) => !f.pcap);
  if (unread.length > 0) throw new NvlabError('FLOOD', `no capture from ${unread.map((f) => `${f.label} (${f.error})`).join(', ')}`);
  const captures = files.map((f) => ({ label: f.label, pcap: f.pcap as Buffer }));
  const copies = Object.fromEntries(watch.map((name, i) => [name, countDelivered(captures[i]!.pcap, want)]));
  const fromSource = captures.slice(watch.length).reduce((sum, c) => sum + countEncapsulated(c.pcap, want), 0);
  return { copies, fromSource, captures };
}
