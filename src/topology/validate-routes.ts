// Semantic rules of a router's kind and static routes: a centralized router needs gateways to run
// on, and its routes follow the model's rules (routeIssues), worded with the file's keys.
import type { LogicalRouterSpec } from './schema.ts';
import { placeOf, type Pass } from './validate-pass.ts';
import { parseCidr, routeIssues, type RouterNetwork } from '../model/index.ts';

const EXPECTED = {
  prefix: "a prefix routed once, on none of the router's own subnets",
  nextHop: "a neighbour's address on one of the router's subnets",
} as const;

export function checkRouterRoutes(pass: Pass, rName: string, router: LogicalRouterSpec): void {
  const path = ['logical-routers', rName];
  // Without an uplink a router has no gateway: only the distributed pipeline can route it.
  if (router.distributed === false && !router.uplink)
    pass.add(
      [...path, 'distributed'],
      `router ${rName}: distributed: false needs an uplink (its gateways route it)`,
      'an uplink on l3 gateways, or distributed: true',
    );
  const routes = router.routes ?? [];
  if (routes.length === 0) return;
  const { networks, complete } = routerNetworks(pass, router);
  const found = routeIssues(
    routes.map((t) => ({ prefix: t.prefix, nextHop: t['next-hop'] })),
    networks,
    { place: (k) => placeOf(pass.options, [...path, 'routes', k]), complete },
  );
  for (const i of found)
    pass.add(
      [...path, 'routes', i.index, i.field === 'nextHop' ? 'next-hop' : 'prefix'],
      `router ${rName}'s ${i.message}`,
      EXPECTED[i.field],
    );
}

/** The router's networks with its addresses on them; `complete` is false when a switch or the
 *  uplink's network is missing or has no subnet (reported elsewhere). */
function routerNetworks(pass: Pass, router: LogicalRouterSpec): { networks: RouterNetwork[]; complete: boolean } {
  const networks: RouterNetwork[] = [];
  let complete = true;
  const add = (ip: string, subnet: string | undefined, name: string) => {
    const cidr = subnet === undefined ? undefined : parseCidr(subnet);
    if (cidr) networks.push({ ip: `${ip}/${cidr.prefixLength}`, name });
    else complete = false;
  };
  for (const [swName, ip] of Object.entries(router.switches ?? {}))
    add(ip, pass.switches[swName]?.subnet, `its interface on switch ${swName}`);
  if (router.uplink) add(router.uplink.ip, pass.networks[router.uplink.network]?.subnet, 'its uplink');
  return { networks, complete };
}
