// The member's side of `reject` rules: their flows send the rejected packet to the controller
// (acl stage; only a switch's master gets packet-ins, OpenFlow 1.3's default for its role), and
// the master answers it with a packet-out, as the rejecting side's stack would answer.
// - Ingress reject (table ACL_IN_DECIDE; reg5 = the destination VM's port): the answer enters the
//   pipeline as the destination VM would send it, past its own port security and egress ACL
//   (which would call an ICMP error about a connection its zone never saw invalid): from its port,
//   its switch in metadata, "from a VM" in reg6, into L2 forwarding. So it reaches the sender
//   wherever it is, through the sender's own ingress ACL, where it is related to its connection.
// - Egress reject (table ACL_OUT_DECIDE): straight back out of the sender's port.
// - A distributed router's TTL run out (table 10, ROUTER_TTL): ICMP time exceeded from the router's
//   address (in reg4), back to the sender through the switch's L2 lookup (tagged again for a
//   host behind an L2 gateway's NIC).
// A token bucket per switch bounds the work a flood of rejected packets costs the member.
import { act, type OpenFlowConnection, type OpenFlowController, type PacketIn, packetOut } from '../../openflow/index.ts';
import { onPacketIns, packetInField } from '../southbound/packet-ins.ts';
import { CookieKind, From, ROUTER_ADDRESS_REG, Table } from '../pipeline/index.ts';
import { cookieKind } from '../pipeline/ids.ts';
import { rejectReply, timeExceededReply } from './reply-frame.ts';
import { TokenBucket } from './token-bucket.ts';

/** Answers per second and burst, per switch: enough for a person's connection attempts and a
 *  scan's first packets; the rest of a flood is dropped without an answer, as a firewall does. */
export const REJECT_RATE = { perSecond: 100, burst: 50 } as const;

/** The packet-out answering a distributed router's packet-in for a TTL run out: ICMP time
 *  exceeded from the router's address (reg4), back out of the port the packet came in on. */
function timeExceededAnswer(pin: PacketIn): ReturnType<typeof packetOut> | undefined {
  const router = packetInField(pin, `reg${ROUTER_ADDRESS_REG}`);
  const metadata = packetInField(pin, 'metadata');
  if (router === undefined || metadata === undefined) return undefined;
  const from = Buffer.alloc(4);
  from.writeUInt32BE(Number(router) >>> 0);
  const reply = timeExceededReply(pin.data, from);
  // Delivered by the switch's own L2 lookup, as if from a tunnel: to the sender's port, or out an
  // L2 gateway's NIC tagged again for a host behind it (never into a tunnel).
  return (
    reply &&
    packetOut(reply, [
      act.setField({ field: 'metadata', value: BigInt(metadata) }),
      act.setField({ field: 'reg6', value: From.TUNNEL }),
      act.resubmit(Table.L2),
    ])
  );
}

/** Packet-ins this module answers: a reject rule's, a TTL a distributed router saw run out. */
const ANSWERED: ReadonlySet<number> = new Set([CookieKind.ACL_RULE, CookieKind.ROUTER_TTL]);

/** The packet-out answering a reject rule's packet-in (or a router's TTL run out), or undefined
 *  (another flow's packet-in, or a packet that gets no answer). */
export function rejectAnswer(pin: PacketIn): ReturnType<typeof packetOut> | undefined {
  if (cookieKind(pin.cookie) === CookieKind.ROUTER_TTL) return timeExceededAnswer(pin);
  if (cookieKind(pin.cookie) !== CookieKind.ACL_RULE) return undefined;
  const inPort = packetInField(pin, 'in_port');
  const reply = rejectReply(pin.data);
  if (!reply || inPort === undefined) return undefined;
  if (pin.tableId === Table.ACL_OUT_DECIDE) return packetOut(reply, [act.output(Number(inPort))]);
  if (pin.tableId !== Table.ACL_IN_DECIDE) return undefined;
  const destination = packetInField(pin, 'reg5');
  const metadata = packetInField(pin, 'metadata');
  if (destination === undefined || metadata === undefined) return undefined;
  return packetOut(
    reply,
    [act.setField({ field: 'metadata', value: BigInt(metadata) }), act.setField({ field: 'reg6', value: From.VM }), act.resubmit(Table.L2)],
    Number(destination),
  );
}

export class RejectResponder {
  private readonly buckets = new WeakMap<OpenFlowConnection, TokenBucket>();
  /** Answers sent and packet-ins left unanswered by the rate limit, since the start. */
  readonly counts = { answered: 0, limited: 0 };

  constructor(
    private readonly options: {
      /** Whether this member masters the switch now (a packet-in from a switch it lost is left). */
      isMaster?: (sw: OpenFlowConnection) => boolean;
      log?: (line: string) => void;
      rate?: { perSecond: number; burst: number };
    } = {},
  ) {}

  /** Handles the packet-ins of every switch that connects to `controller`. */
  attach(controller: OpenFlowController): void {
    onPacketIns(controller, (sw, pin) => this.onPacketIn(sw, pin));
  }

  private onPacketIn(sw: OpenFlowConnection, pin: PacketIn): void {
    if (!ANSWERED.has(cookieKind(pin.cookie))) return;
    if (this.options.isMaster && !this.options.isMaster(sw)) return;
    let bucket = this.buckets.get(sw);
    if (!bucket) this.buckets.set(sw, (bucket = new TokenBucket(this.options.rate ?? REJECT_RATE)));
    if (!bucket.take()) {
      // One line per second of flood at most: the log must not become the load.
      if (this.counts.limited++ % REJECT_RATE.perSecond === 0) this.options.log?.(`reject: rate limit on ${sw.remoteAddress}`);
      return;
    }
    const answer = rejectAnswer(pin);
    if (!answer || !sw.isOpen) return;
    sw.send(answer);
    this.counts.answered++;
  }
}
