// A marked packet routed on by a router (plan.routed): the router's ports on the gateway stay
// outputs of the shadows, and while the trace is armed the router's ARP request for its next hop
// is answered on the gateway's br-int itself, as the next hop would answer it. Without that, the
// router's request (an ordinary, unmarked packet) would be flooded to the VMs or out onto the
// physical network, which a trace must never reach. Pure.
import type { LogicalRouter } from '../../model/index.ts';
import { act, flowMod, Port, type OxmField } from '../../openflow/index.ts';
import { Table, traceCookie, type FlowModMsg } from '../pipeline/index.ts';
import type { Place } from './places.ts';
import type { TracePlan } from './plan.ts';
import { SHADOW_HARD_TIMEOUT_S } from './shadow.ts';

const ETH_ARP = 0x0806;
/** Above every shadow (their priorities are at most 0xffff, and a router's request is unmarked). */
const ANSWER_PRIORITY = 0xffff;
/** Shadow numbers of the answers: far above any shadow's, below the flush flow's (0xffffffff). */
const ANSWER_INDEX = 0xffffff00;

export interface RouterPass {
  /** OpenFlow ports of the routers' ports on the node: outputs there stay. */
  ports: Set<number>;
  /** One ARP answer per router port (trace cookies: the disarm removes them). */
  answers: FlowModMsg[];
}

/** A router port's MAC and address. */
function portAddress(router: LogicalRouter, place: Extract<Place, { kind: 'router-port' }>): { mac: string; ip: string } | undefined {
  const port = place.uplink ? router.uplink : router.interfaces.find((i) => i.switch === place.switch);
  return port ? { mac: port.mac, ip: port.ip.split('/')[0]! } : undefined;
}

/** What a node does for a routed trace: none where the trace is not routed. */
export function routerPass(
  places: ReadonlyMap<number, Place>,
  routers: readonly LogicalRouter[],
  routed: TracePlan['routed'],
  trace: number,
): RouterPass | undefined {
  if (!routed) return undefined;
  const pass: RouterPass = { ports: new Set(), answers: [] };
  for (const [port, place] of places) {
    if (place.kind !== 'router-port') continue;
    const router = routers.find((r) => r.name === place.router);
    const own = router && portAddress(router, place);
    if (!own) continue;
    pass.ports.add(port);
    const match: OxmField[] = [
      { field: 'in_port', value: port },
      { field: 'eth_type', value: ETH_ARP },
      { field: 'arp_op', value: 1 },
      { field: 'arp_tpa', value: routed.ip },
    ];
    const reply = [
      act.setField({ field: 'eth_dst', value: own.mac }),
      act.setField({ field: 'eth_src', value: routed.mac }),
      act.setField({ field: 'arp_op', value: 2 }),
      act.setField({ field: 'arp_sha', value: routed.mac }),
      act.setField({ field: 'arp_spa', value: routed.ip }),
      act.setField({ field: 'arp_tha', value: own.mac }),
      act.setField({ field: 'arp_tpa', value: own.ip }),
      act.output(Port.IN_PORT),
    ];
    pass.answers.push(
      flowMod({
        command: 'add',
        tableId: Table.CLASSIFY,
        priority: ANSWER_PRIORITY,
        cookie: traceCookie(trace, ANSWER_INDEX + pass.answers.length),
        match,
        instructions: [{ type: 'apply_actions', actions: reply }],
        hardTimeout: SHADOW_HARD_TIMEOUT_S,
      }),
    );
  }
  return pass;
}
