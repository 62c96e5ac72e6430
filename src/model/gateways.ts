// Which l3 gateway holds a logical router, judged as the data plane judges it: a standby
// gateway takes over once every gateway ahead of it in the router's order is unreachable over
// its tunnel (BFD). Used wherever the active gateway is shown or checked (scenarios, graphs,
// the console), from whatever the gateways' state was read from.

/** What one gateway shows: whether it runs, and which nodes it has a live tunnel to. */
export interface GatewayView {
  node: string;
  running: boolean;
  /** Remote nodes (by name) with a tunnel from this gateway that forwards. */
  liveTunnelsTo: ReadonlySet<string>;
}

/** Every gateway of `order` (highest priority first) that holds the router now: the running ones
 *  that see no live tunnel to any gateway ahead of them. More than one is a split brain. */
export function activeGateways(order: readonly string[], views: readonly GatewayView[]): string[] {
  const view = new Map(views.map((v) => [v.node, v]));
  return order.filter((gw, k) => {
    const v = view.get(gw);
    return v?.running === true && order.slice(0, k).every((ahead) => !v.liveTunnelsTo.has(ahead));
  });
}
