// The member's side of ARP for distributed routers without gateways (pipeline README,
// "Distributed routing"): a packet for an address no port has and no binding gives comes to the
// node's master (ROUTER_RESOLVE), which sends an ARP request from the router into the switch;
// the reply to the router's address comes back as a packet-in (ROUTER_LEARN), and the master
// stores the binding, from which every member routes to it (OVN's MAC_Binding). The packet that
// asked is dropped, as a host drops what waits too long for ARP.
import { act, packetOut, type OpenFlowConnection, type OpenFlowController, type PacketIn } from '../../openflow/index.ts';
import { onPacketIns, packetInField } from '../southbound/packet-ins.ts';
import { CookieKind, NEXT_HOP_REG, ROUTER_ADDRESS_REG, Table } from '../pipeline/index.ts';
import { cookieKind, cookieVni } from '../pipeline/ids.ts';
import { TokenBucket } from '../reject/index.ts';
import { arpReplySender, arpRequest, frameSource, ipv4Destination } from './arp-frame.ts';

/** One request per address and switch at most this often, as a host's ARP retries. */
export const RESOLVE_EVERY_MS = 1000;
/** Requests per second and burst, per switch: a scan of a subnet must not become the member's load. */
export const RESOLVE_RATE = { perSecond: 50, burst: 20 } as const;

export interface LearnedBinding {
  /** The switch's VNI (the switch the router sent the request into). */
  vni: number;
  ip: string;
  mac: string;
}

/** The packet-out asking for the address a ROUTER_RESOLVE packet-in is about: a broadcast ARP
 *  request from the router, flooded into the switch (table 52). */
export function resolveRequest(pin: PacketIn): { target: number; out: ReturnType<typeof packetOut> } | undefined {
  const router = packetInField(pin, `reg${ROUTER_ADDRESS_REG}`);
  const nextHop = Number(packetInField(pin, `reg${NEXT_HOP_REG}`) ?? 0);
  const target = nextHop || ipv4Destination(pin.data);
  if (router === undefined || !target) return undefined;
  const vni = cookieVni(pin.cookie);
  const frame = arpRequest(frameSource(pin.data), Number(router), target);
  // Table 52 floods it into the switch from this node, whether it carries the switch or not.
  const actions = [act.setField({ field: 'metadata', value: BigInt(vni) }), act.resubmit(Table.RESOLVE_OUT)];
  return { target, out: packetOut(frame, actions) };
}

export class RouterArp {
  private readonly buckets = new WeakMap<OpenFlowConnection, TokenBucket>();
  /** When each (VNI, address) was last asked for. */
  private readonly asked = new Map<string, number>();
  readonly counts = { requests: 0, learned: 0 };

  constructor(
    private readonly options: {
      isMaster?: (sw: OpenFlowConnection) => boolean;
      /** Stores a binding learned from a reply (the member: in the store, for every member). */
      learn: (binding: LearnedBinding) => void;
      now?: () => number;
    },
  ) {}

  /** Handles the packet-ins of every switch that connects to `controller`. */
  attach(controller: OpenFlowController): void {
    onPacketIns(controller, (sw, pin) => this.onPacketIn(sw, pin));
  }

  private onPacketIn(sw: OpenFlowConnection, pin: PacketIn): void {
    const kind = cookieKind(pin.cookie);
    if (kind !== CookieKind.ROUTER_RESOLVE && kind !== CookieKind.ROUTER_LEARN) return;
    if (this.options.isMaster && !this.options.isMaster(sw)) return;
    if (kind === CookieKind.ROUTER_LEARN) {
      const sender = arpReplySender(pin.data);
      if (!sender) return;
      this.counts.learned++;
      this.options.learn({ vni: cookieVni(pin.cookie), ...sender });
      return;
    }
    const request = resolveRequest(pin);
    if (!request || !sw.isOpen) return;
    const now = (this.options.now ?? Date.now)();
    const key = `${cookieVni(pin.cookie)} ${request.target}`;
    if (now - (this.asked.get(key) ?? -Infinity) < RESOLVE_EVERY_MS) return;
    let bucket = this.buckets.get(sw);
    if (!bucket) this.buckets.set(sw, (bucket = new TokenBucket(RESOLVE_RATE)));
    if (!bucket.take()) return;
    this.asked.set(key, now);
    if (this.asked.size > 10_000) this.asked.clear(); // bounded: forgetting only asks again sooner
    sw.send(request.out);
    this.counts.requests++;
  }
}
