// A logical router's write: the operations (one Logical_Router row, a row per interface and per
// gateway, all in one transaction) and the guards that make its references atomic on the leader.
import { op, type Operation } from '../../ovsdb/index.ts';
import { ConflictError, NotFoundError, type StoreError } from './errors.ts';
import { MAX_ROUTERS_PER_SWITCH, type LogicalPort, type LogicalRouter, type TransportNode } from '../../model/index.ts';
import { routerToRows, splitCidr } from './rows.ts';
import type { Txn } from './txn.ts';
import { withoutName } from './input.ts';

export const ROUTER_KIND = 'logical router';


/** Reads of the member's replica, only to word errors (never to decide a write). */
export interface RouterView {
  nodes(): TransportNode[];
  ports(): LogicalPort[];
  routers(): LogicalRouter[];
}

/** The operations that write `router`: insert it, or replace the stored one (first op: the
 *  update of its row, whose count says whether it existed). */
export function routerOps(router: LogicalRouter, mode: 'create' | 'update'): Operation[] {
  const rows = routerToRows(router);
  const children = [
    ...rows.interfaces.map((r) => op.insert('Logical_Router_Interface', r)),
    ...rows.gateways.map((r) => op.insert('Logical_Router_Gateway', r)),
  ];
  if (mode === 'create') return [op.insert('Logical_Router', rows.router), ...children];
  return [
    op.update('Logical_Router', [['name', '==', router.name]], withoutName(rows.router)),
    op.delete('Logical_Router_Interface', [['router', '==', router.name]]),
    op.delete('Logical_Router_Gateway', [['router', '==', router.name]]),
    ...children,
  ];
}

/**
 * Adds the guards of a router write to `txn`: each interface's switch exists and no logical port
 * of it has the interface's MAC or address; each gateway is an l3-gateway node; the uplink's MAC
 * and address are free on its network. Throws at once when a switch already has the most
 * routers it can take (MAX_ROUTERS_PER_SWITCH): checked against the replica, so two racing
 * writes could pass it; the pipeline then leaves out the routers past the limit, in name order.
 */
export function routerGuards(txn: Txn, router: LogicalRouter, view: RouterView): void {
  for (const i of router.interfaces) {
    const sw = i.switch;
    const others = view.routers().filter((r) => r.name !== router.name && r.interfaces.some((x) => x.switch === sw));
    if (others.length >= MAX_ROUTERS_PER_SWITCH) {
      throw new ConflictError(`logical switch "${sw}" already has ${others.length} routers, the most one switch can take`);
    }
    txn.mustExist('Logical_Switch', 'name', sw, () => new NotFoundError('logical switch', sw));
    txn.mustNotExist('Logical_Port', [['switch', '==', sw], ['mac', '==', i.mac]], () => {
      const p = view.ports().find((x) => x.switch === sw && x.mac === i.mac);
      return new ConflictError(`MAC ${i.mac} is already used on logical switch "${sw}"${p ? ` by port "${p.name}"` : ''}`);
    });
    const { ip } = splitCidr(i.ip);
    txn.mustNotExist('Logical_Port', [['switch', '==', sw], ['ip', '==', [ip]]], () => {
      const p = view.ports().find((x) => x.switch === sw && x.ip === ip);
      return new ConflictError(`IP ${ip} is already used on logical switch "${sw}"${p ? ` by port "${p.name}"` : ''}`);
    });
  }
  const up = router.uplink;
  if (!up) return;
  for (const g of up.gateways) {
    txn.mustEqual('Transport_Node', [['name', '==', g.node]], { name: g.node, role: 'l3-gateway' }, (): StoreError => {
      const node = view.nodes().find((n) => n.name === g.node);
      if (!node) return new NotFoundError('transport node', g.node);
      return new ConflictError(`transport node "${g.node}" is a ${node.role}, not an l3-gateway: only l3-gateway nodes host routers`);
    });
  }
  const { ip } = splitCidr(up.ip);
  const onNetwork = (r: LogicalRouter) => r.name !== router.name && r.uplink?.network === up.network;
  txn.mustNotExist('Logical_Router', [['uplink_network', '==', [up.network]], ['uplink_mac', '==', [up.mac]], ['name', '!=', router.name]], () => {
    const r = view.routers().find((x) => onNetwork(x) && x.uplink?.mac === up.mac);
    return new ConflictError(`uplink MAC ${up.mac} is already used on network "${up.network}"${r ? ` by router "${r.name}"` : ''}`);
  });
  txn.mustNotExist('Logical_Router', [['uplink_network', '==', [up.network]], ['uplink_ip', '==', [ip]], ['name', '!=', router.name]], () => {
    const r = view.routers().find((x) => onNetwork(x) && x.uplink !== undefined && splitCidr(x.uplink.ip).ip === ip);
    return new ConflictError(`uplink IP ${ip} is already used on network "${up.network}"${r ? ` by router "${r.name}"` : ''}`);
  });
}

/** The error for a unique-index clash of a router write: a duplicate name, or an interface's MAC
 *  or address that another router already has on that switch. */
export function routerIndexClash(router: LogicalRouter, table: string, columns: string[], view: RouterView): StoreError | undefined {
  if (table === 'Logical_Router' && columns.length === 1 && columns[0] === 'name') return new ConflictError(`${ROUTER_KIND} "${router.name}" already exists`);
  if (table !== 'Logical_Router_Interface') return undefined;
  const others = view.routers().filter((r) => r.name !== router.name);
  const key = columns.includes('mac') ? 'mac' : columns.includes('ip') ? 'ip' : undefined;
  if (!key) return undefined;
  const value = (i: LogicalRouter['interfaces'][number]) => (key === 'mac' ? i.mac : splitCidr(i.ip).ip);
  for (const mine of router.interfaces) {
    const other = others.find((r) => r.interfaces.some((x) => x.switch === mine.switch && value(x) === value(mine)));
    if (other) return new ConflictError(`${key === 'mac' ? 'MAC' : 'IP'} ${value(mine)} is already used on logical switch "${mine.switch}" by router "${other.name}"`);
  }
  return new ConflictError(`an interface ${key === 'mac' ? 'MAC' : 'IP'} is already used on its logical switch by another router`);
}
