// Matches and actions several stages write the same way.
import { act, type Action, type Match } from '../../../openflow/index.ts';

/** The frame's switch: metadata = its VNI (set in table 0). */
export const md = (vni: number): Match[number] => ({ field: 'metadata', value: BigInt(vni) });
/** Where the frame entered br-int: reg6 = From.VM or From.TUNNEL. */
export const from = (where: number): Match[number] => ({ field: 'reg6', value: where });
/** Into the tunnel at `ofport`, carrying the switch's VNI. */
export const toTunnel = (vni: number, ofport: number): Action[] => [
  act.setField({ field: 'tunnel_id', value: BigInt(vni) }),
  act.output(ofport),
];
