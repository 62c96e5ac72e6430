// A logical port: one Logical_Port row, its MAC unique on its switch (an index). Every write
// checks that its switch (and node, and security groups) exist and that its MAC and IP are free
// on the switch.
import { RESOURCES, type LogicalPort, type LogicalRouter } from '../../../model/index.ts';
import { oneRow, type StoreView, type StoredResource } from '../description.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { portFromRow, portToRow } from '../rows.ts';

export const logicalPorts: StoredResource<LogicalPort> = {
  model: RESOURCES.logicalPorts,
  ...oneRow('Logical_Port', portToRow, portFromRow),
  guardWrite(txn, port, _mode, view) {
    txn.mustExist('Logical_Switch', 'name', port.switch, () => new NotFoundError(RESOURCES.logicalSwitches.kind, port.switch));
    if (port.node !== undefined) {
      const node = port.node;
      txn.mustExist('Transport_Node', 'name', node, () => new NotFoundError(RESOURCES.transportNodes.kind, node));
    }
    for (const group of port.securityGroups ?? [])
      txn.mustExist('Security_Group', 'name', group, () => new NotFoundError(RESOURCES.securityGroups.kind, group));
    txn.mustNotExist(
      'Logical_Router_Interface',
      [
        ['switch', '==', port.switch],
        ['mac', '==', port.mac],
      ],
      () => {
        const r = routerOnSwitch(view, port.switch, (i) => i.mac === port.mac);
        return new ConflictError(`MAC ${port.mac} is already used on logical switch "${port.switch}"${r ? ` by router "${r}"` : ''}`);
      },
      'router',
    );
    if (port.ip === undefined) return;
    const ip = port.ip;
    txn.mustNotExist(
      'Logical_Router_Interface',
      [
        ['switch', '==', port.switch],
        ['ip', '==', ip],
      ],
      () => {
        const r = routerOnSwitch(view, port.switch, (i) => i.ip.split('/')[0] === ip);
        return new ConflictError(`IP ${ip} is already used on logical switch "${port.switch}"${r ? ` by router "${r}"` : ''}`);
      },
      'router',
    );
    txn.mustNotExist(
      'Logical_Port',
      [
        ['switch', '==', port.switch],
        ['ip', '==', [ip]],
        ['name', '!=', port.name],
      ],
      () => {
        const other = view.list('logicalPorts').find((p) => p.switch === port.switch && p.ip === ip && p.name !== port.name);
        return new ConflictError(`IP ${ip} is already used on logical switch "${port.switch}"${other ? ` by port "${other.name}"` : ''}`);
      },
    );
  },
  clash(port, table, columns, view) {
    if (table !== 'Logical_Port' || !columns.includes('mac')) return undefined;
    const other = view.list('logicalPorts').find((p) => p.switch === port.switch && p.mac === port.mac && p.name !== port.name);
    return new ConflictError(
      `MAC ${port.mac} is already used on logical switch "${port.switch}"${other ? ` by port "${other.name}"` : ''}`,
    );
  },
};

function routerOnSwitch(view: StoreView, sw: string, match: (i: LogicalRouter['interfaces'][number]) => boolean): string | undefined {
  return view.list('logicalRouters').find((r) => r.interfaces.some((i) => i.switch === sw && match(i)))?.name;
}
