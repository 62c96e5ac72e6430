// The last stage (layout.ts, `tableMiss`): an explicit drop at priority 0 in every table any
// frame may reach. OpenFlow 1.3 drops a frame no flow matches anyway; these make dumps say so.
import { flowMod } from '../../../openflow/index.ts';
import { cookie } from '../ids.ts';
import { CookieKind, LAYOUT, Priority } from '../layout.ts';
import type { NodeContext, Stage } from './context.ts';

export const tableMiss: Stage = {
  layout: LAYOUT.tableMiss,
  build: (node: NodeContext) => ({
    flows: LAYOUT.tableMiss.writes.map((tableId) =>
      node.reuse(`miss|${tableId}`, () => flowMod({ tableId, priority: Priority.MISS, cookie: cookie(CookieKind.TABLE_MISS, 0, tableId) })),
    ),
    groups: [],
  }),
};
