// The active l3 gateway of a router, from the gateways' own OVS state as read in their
// containers (src/model/gateways.ts judges it). Two at once is a split brain, and an error.
import { TUNNEL_TYPES, type OvsBridgeState, type OvsInterfaceState } from '../ovs-state.ts';
import { andList } from '../../util/words.ts';
import { NvlabError } from '../../util/errors.ts';
import { activeGateways, type GatewayView } from '../../model/index.ts';

export type { GatewayView };

/** A tunnel forwards when OVS has its port up and, where BFD runs on it, BFD says forwarding. */
export function tunnelForwards(i: OvsInterfaceState): boolean {
  return i.ofport > 0 && i.linkState !== 'down' && (i.bfd === undefined || i.bfd.forwarding);
}

/** The remote nodes a node's br-int has a forwarding tunnel to; `byIp` names underlay addresses. */
export function liveTunnelsTo(bridges: readonly OvsBridgeState[], byIp: ReadonlyMap<string, string>): Set<string> {
  const brInt = bridges.find((b) => b.name === 'br-int');
  return new Set(
    (brInt?.interfaces ?? [])
      .filter((i) => TUNNEL_TYPES.has(i.type) && tunnelForwards(i))
      .map((i) => byIp.get(i.options.remote_ip ?? '') ?? i.options.remote_ip ?? ''),
  );
}

/** The active gateway of `router` among `order` (its gateways, highest priority first); undefined: none. */
export function activeGatewayOf(router: string, order: readonly string[], views: readonly GatewayView[]): string | undefined {
  const active = activeGateways(order, views);
  if (active.length > 1) {
    const why = active
      .slice(1)
      .map((gw) => `${gw} sees no live tunnel to ${andList(order.slice(0, order.indexOf(gw)).filter((a) => active.includes(a)))}`)
      .join('; ');
    throw new NvlabError(
      'TWO_ACTIVE',
      `${andList(active)} are ${active.length === 2 ? 'both' : 'all'} active for router ${router} (${why})`,
    );
  }
  return active[0];
}
