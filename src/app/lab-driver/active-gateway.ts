// Which l3 gateway holds a logical router now, judged as the data plane judges it: a standby
// gateway takes over once every gateway ahead of it in the router's order is unreachable over
// its tunnel (BFD), so the active one is the first running gateway that sees no live tunnel to
// any gateway ahead of it. Two of them at once is a split brain, and an error.
import { TUNNEL_TYPES, type OvsBridgeState, type OvsInterfaceState } from '../ovs-state.ts';
import { andList } from '../../util/words.ts';
import { NvlabError } from '../../util/errors.ts';

/** What one gateway shows: whether its container runs, and which nodes it has a live tunnel to. */
export interface GatewayView {
  node: string;
  running: boolean;
  /** Remote nodes (by name) with a tunnel from this gateway that forwards. */
  liveTunnelsTo: ReadonlySet<string>;
}

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
  const view = new Map(views.map((v) => [v.node, v]));
  const active = order.filter((gw, k) => {
    const v = view.get(gw);
    return v?.running === true && order.slice(0, k).every((ahead) => !v.liveTunnelsTo.has(ahead));
  });
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
