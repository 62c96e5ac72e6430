// Every resource the store holds, each described once (see ../description.ts), by its name in
// RESOURCES. A new resource is a description here and its rows in ../rows.ts.
import type { ResourceName } from '../../../model/index.ts';
import type { ResourceObject, StoredResource, TableName } from '../description.ts';
import { logicalPorts } from './logical-ports.ts';
import { logicalRouters } from './logical-routers.ts';
import { logicalSwitches } from './logical-switches.ts';
import { securityGroups } from './security-groups.ts';
import { transportNodes } from './transport-nodes.ts';

export const STORED: { [N in ResourceName]: StoredResource<ResourceObject<N>> } = {
  transportNodes,
  logicalSwitches,
  securityGroups,
  logicalPorts,
  logicalRouters,
};

/** The tables the logical resources are made of (their own, their child tables and what was
 *  learned about them): the logical state is built from these. */
export const LOGICAL_TABLES: readonly TableName[] = Object.values(STORED).flatMap((d: StoredResource<{ name: string }>) => [
  d.table,
  ...(d.children ?? []).map((c) => c.table),
  ...(d.learned ?? []).map((c) => c.table),
]);
