// A logical router: one Logical_Router row (its uplink) and a row per interface, gateway and route,
// all written in one transaction, the child rows replaced as a whole on update. Its guards make
// its references atomic on the leader; its interfaces' MACs and addresses are unique per switch
// among routers (indexes) and among ports (guards).
import { MAX_ROUTERS_PER_SWITCH, RESOURCES, type LogicalRouter } from '../../../model/index.ts';
import type { StoreView, StoredResource } from '../description.ts';
import { ConflictError, NotFoundError, type StoreError } from '../errors.ts';
import { routerFromRows, routerToRows, splitCidr } from '../rows.ts';
import type { Txn } from '../txn.ts';

export const logicalRouters: StoredResource<LogicalRouter> = {
  model: RESOURCES.logicalRouters,
  table: 'Logical_Router',
  children: [
    { table: 'Logical_Router_Interface', owner: 'router' },
    { table: 'Logical_Router_Gateway', owner: 'router' },
    { table: 'Logical_Router_Route', owner: 'router' },
  ],
  toRows(router) {
    const rows = routerToRows(router);
    return {
      row: rows.router,
      children: { Logical_Router_Interface: rows.interfaces, Logical_Router_Gateway: rows.gateways, Logical_Router_Route: rows.routes },
    };
  },
  read(s) {
    const interfaces = s.rows('Logical_Router_Interface');
    const gateways = s.rows('Logical_Router_Gateway');
    const routes = s.rows('Logical_Router_Route');
    return s.rows('Logical_Router').map((r) => routerFromRows(r, interfaces, gateways, routes));
  },
  guardWrite: (txn, router, _mode, view) => routerGuards(txn, router, view),
  clash: routerIndexClash,
};

/**
 * Adds the guards of a router write to `txn`: each interface's switch exists and no logical port
 * of it has the interface's MAC or address; each gateway is an l3-gateway node; the uplink's MAC
 * and address are free on its network. Throws at once when a switch already has the most
 * routers it can take (MAX_ROUTERS_PER_SWITCH): checked against the replica, so two racing
 * writes could pass it; the pipeline then leaves out the routers past the limit, in name order.
 */
function routerGuards(txn: Txn, router: LogicalRouter, view: StoreView): void {
  for (const i of router.interfaces) {
    const sw = i.switch;
    const others = view.list('logicalRouters').filter((r) => r.name !== router.name && r.interfaces.some((x) => x.switch === sw));
    if (others.length >= MAX_ROUTERS_PER_SWITCH) {
      throw new ConflictError(`logical switch "${sw}" already has ${others.length} routers, the most one switch can take`);
    }
    txn.mustExist('Logical_Switch', 'name', sw, () => new NotFoundError(RESOURCES.logicalSwitches.kind, sw));
    txn.mustNotExist(
      'Logical_Port',
      [
        ['switch', '==', sw],
        ['mac', '==', i.mac],
      ],
      () => {
        const p = view.list('logicalPorts').find((x) => x.switch === sw && x.mac === i.mac);
        return new ConflictError(`MAC ${i.mac} is already used on logical switch "${sw}"${p ? ` by port "${p.name}"` : ''}`);
      },
    );
    const { ip } = splitCidr(i.ip);
    txn.mustNotExist(
      'Logical_Port',
      [
        ['switch', '==', sw],
        ['ip', '==', [ip]],
      ],
      () => {
        const p = view.list('logicalPorts').find((x) => x.switch === sw && x.ip === ip);
        return new ConflictError(`IP ${ip} is already used on logical switch "${sw}"${p ? ` by port "${p.name}"` : ''}`);
      },
    );
  }
  const up = router.uplink;
  if (!up) return;
  for (const g of up.gateways) {
    txn.mustEqual('Transport_Node', [['name', '==', g.node]], { name: g.node, role: 'l3-gateway' }, (): StoreError => {
      const node = view.list('transportNodes').find((n) => n.name === g.node);
      if (!node) return new NotFoundError(RESOURCES.transportNodes.kind, g.node);
      return new ConflictError(`transport node "${g.node}" is a ${node.role}, not an l3-gateway: only l3-gateway nodes host routers`);
    });
  }
  const { ip } = splitCidr(up.ip);
  const onNetwork = (r: LogicalRouter) => r.name !== router.name && r.uplink?.network === up.network;
  txn.mustNotExist(
    'Logical_Router',
    [
      ['uplink_network', '==', [up.network]],
      ['uplink_mac', '==', [up.mac]],
      ['name', '!=', router.name],
    ],
    () => {
      const r = view.list('logicalRouters').find((x) => onNetwork(x) && x.uplink?.mac === up.mac);
      return new ConflictError(`uplink MAC ${up.mac} is already used on network "${up.network}"${r ? ` by router "${r.name}"` : ''}`);
    },
  );
  txn.mustNotExist(
    'Logical_Router',
    [
      ['uplink_network', '==', [up.network]],
      ['uplink_ip', '==', [ip]],
      ['name', '!=', router.name],
    ],
    () => {
      const r = view.list('logicalRouters').find((x) => onNetwork(x) && x.uplink !== undefined && splitCidr(x.uplink.ip).ip === ip);
      return new ConflictError(`uplink IP ${ip} is already used on network "${up.network}"${r ? ` by router "${r.name}"` : ''}`);
    },
  );
}

/** The error for a unique-index clash of a router write beside its name: an interface's MAC or
 *  address that another router already has on that switch. */
function routerIndexClash(router: LogicalRouter, table: string, columns: string[], view: StoreView): StoreError | undefined {
  if (table !== 'Logical_Router_Interface') return undefined;
  const others = view.list('logicalRouters').filter((r) => r.name !== router.name);
  const key = columns.includes('mac') ? 'mac' : columns.includes('ip') ? 'ip' : undefined;
  if (!key) return undefined;
  const value = (i: LogicalRouter['interfaces'][number]) => (key === 'mac' ? i.mac : splitCidr(i.ip).ip);
  for (const mine of router.interfaces) {
    const other = others.find((r) => r.interfaces.some((x) => x.switch === mine.switch && value(x) === value(mine)));
    if (other)
      return new ConflictError(
        `${key === 'mac' ? 'MAC' : 'IP'} ${value(mine)} is already used on logical switch "${mine.switch}" by router "${other.name}"`,
      );
  }
  return new ConflictError(`an interface ${key === 'mac' ? 'MAC' : 'IP'} is already used on its logical switch by another router`);
}
