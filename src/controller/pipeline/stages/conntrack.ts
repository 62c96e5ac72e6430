// Conntrack as the ACL stage uses it: a VM's zone is its OpenFlow port (unique on the switch,
// below 0xff00, known to every member from the switch's facts), and connections are marked with
// the rule that allowed them (ct_mark).
import { act, type Action, type Match } from '../../../openflow/index.ts';

/** Through conntrack in the port's zone, then on in `table` with its state known. */
export const ctTrack = (zone: number, table: number): Action => act.ct({ zone, table });

/** Commits the connection in the port's zone, marked with the rule that allowed it. */
export const ctCommit = (zone: number, mark: number): Action =>
  act.ct({ commit: true, zone, exec: [act.setField({ field: 'ct_mark', value: mark })] });

export const ctMark = (mark: number): Match[number] => ({ field: 'ct_mark', value: mark });
