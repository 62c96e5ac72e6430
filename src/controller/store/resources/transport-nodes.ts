// A transport node: one Transport_Node row. It cannot be deleted while logical ports are bound to
// it or while it is a router's gateway, nor stop being an l3-gateway while it is one.
import { RESOURCES, type TransportNode } from '../../../model/index.ts';
import { oneRow, type StoreView, type StoredResource } from '../description.ts';
import { stillReferenced } from '../errors.ts';
import { nodeFromRow, nodeToRow } from '../rows.ts';
import type { Txn } from '../txn.ts';

export const transportNodes: StoredResource<TransportNode> = {
  model: RESOURCES.transportNodes,
  ...oneRow('Transport_Node', nodeToRow, nodeFromRow),
  guardWrite(txn, node, mode, view) {
    if (mode === 'update' && node.role !== 'l3-gateway') notARouterGateway(txn, node.name, view);
  },
  guardDelete(txn, name, view) {
    txn.mustNotExist('Logical_Port', [['node', '==', [name]]], () =>
      stillReferenced(
        `transport node "${name}" still has logical ports bound`,
        view.list('logicalPorts').filter((p) => p.node === name),
      ),
    );
    notARouterGateway(txn, name, view);
  },
};

function notARouterGateway(txn: Txn, node: string, view: StoreView): void {
  txn.mustNotExist(
    'Logical_Router_Gateway',
    [['node', '==', node]],
    () =>
      stillReferenced(
        `transport node "${node}" is a gateway of logical routers`,
        view.list('logicalRouters').filter((r) => r.uplink?.gateways.some((g) => g.node === node)),
      ),
    'router',
  );
}
