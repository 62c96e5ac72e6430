// Which of a router's gateways is active, by the same rule its gates apply on the switches: for
// tools that read BFD state off the nodes (the scenario driver's `expect: active-gateway`).
import { gateEncap, routerGateways } from './routers.ts';
import { tunnelName } from './tunnels.ts';
import type { LogicalState } from './types.ts';

/** The tunnel a gateway of `routerName` watches towards the better gateway `towards`. */
export function gateTunnel(logical: LogicalState, routerName: string, towards: string): string | undefined {
  const router = logical.routers?.find((r) => r.name === routerName);
  return router ? tunnelName(towards, gateEncap(logical, router)) : undefined;
}

export interface GatewayView {
  /** The node's ovs-vswitchd runs. */
  runs(node: string): boolean;
  /** On node `from`, tunnel interface `tunnel` has `bfd_status:forwarding=true`. */
  forwarding(from: string, tunnel: string): boolean;
}

/**
 * The active gateway of `routerName`: the first in priority order that runs and for which every
 * better gateway's gate tunnel, as it sees it, is not forwarding; undefined when none is (or the
 * router is unknown or has no gateway).
 */
export function activeGateway(logical: LogicalState, routerName: string, view: GatewayView): string | undefined {
  const router = logical.routers?.find((r) => r.name === routerName);
  if (!router) return undefined;
  const encap = gateEncap(logical, router);
  const gateways = routerGateways(logical, router).map((g) => g.node);
  return gateways.find((g, k) => view.runs(g) && gateways.slice(0, k).every((better) => !view.forwarding(g, tunnelName(better, encap))));
}
