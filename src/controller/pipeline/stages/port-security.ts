// Port security (layout.ts, `portSecurity`, tables 1-4): reserved. It will check a local port's
// frames against the addresses the port owns (its MAC, its IP in ARP and IPv4) before they go
// on; until then classify sends frames straight to L2 forwarding and this stage writes nothing.
import { LAYOUT } from '../layout.ts';
import type { Stage } from './context.ts';

export const portSecurity: Stage = { layout: LAYOUT.portSecurity, build: () => ({ flows: [], groups: [] }) };
