// ACLs (layout.ts, `acl`, tables 5-9): reserved for security groups, whose rules will look at
// conntrack state (ct() recirculating into the tables after 5). Until then classify sends frames
// straight to L2 forwarding and this stage writes nothing.
import { LAYOUT } from '../layout.ts';
import type { Stage } from './context.ts';

export const acl: Stage = { layout: LAYOUT.acl, build: () => ({ flows: [], groups: [] }) };
