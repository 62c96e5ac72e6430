// A logical switch: one Logical_Switch row, its VNI unique. It cannot be deleted while it has
// logical ports or router interfaces; its learned MAC bindings are deleted with it.
import { RESOURCES, type LogicalSwitch } from '../../../model/index.ts';
import { oneRow, type StoredResource } from '../description.ts';
import { ConflictError, stillReferenced } from '../errors.ts';
import { switchFromRow, switchToRow } from '../rows.ts';

export const logicalSwitches: StoredResource<LogicalSwitch> = {
  model: RESOURCES.logicalSwitches,
  ...oneRow('Logical_Switch', switchToRow, switchFromRow),
  // What the routers learned on it goes with it; a binding never keeps a switch from going.
  learned: [{ table: 'MAC_Binding', owner: 'logical_switch' }],
  guardDelete(txn, name, view) {
    txn.mustNotExist('Logical_Port', [['switch', '==', name]], () =>
      stillReferenced(
        `logical switch "${name}" still has logical ports`,
        view.list('logicalPorts').filter((p) => p.switch === name),
      ),
    );
    // Refused rather than cascaded: a router's interface is configuration the caller wrote, and
    // deleting it behind their back would cut the router off that subnet without a word.
    txn.mustNotExist(
      'Logical_Router_Interface',
      [['switch', '==', name]],
      () =>
        stillReferenced(
          `logical switch "${name}" still has router interfaces`,
          view.list('logicalRouters').filter((r) => r.interfaces.some((x) => x.switch === name)),
        ),
      'router',
    );
  },
  clash(ls, table, columns, view) {
    if (table !== 'Logical_Switch' || columns.length !== 1 || columns[0] !== 'vni') return undefined;
    const other = view.list('logicalSwitches').find((s) => s.vni === ls.vni && s.name !== ls.name);
    return new ConflictError(`VNI ${ls.vni} is already used${other ? ` by logical switch "${other.name}"` : ''}`);
  },
};
