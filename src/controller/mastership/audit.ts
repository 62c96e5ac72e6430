// OpenFlow 1.3 switches do not tell a master it was demoted: a master asks each switch it masters
// which role it holds (every AUDIT_EVERY heartbeats), and asserts again where another member took
// over meanwhile (after a partition heals).
import type { ControllerRole } from '../../openflow/index.ts';

export interface AuditedSwitch {
  role(role: 'nochange', generationId: bigint): Promise<{ role: ControllerRole }>;
}

export interface Audited {
  sw: AuditedSwitch;
  /** When the master means to read the switch's flows again (its periodic repair). */
  verifyAt: number;
}

export interface AuditHooks<M> {
  /** The node is due for a read of its switch: the audit passes by every mastered node anyway. */
  verify(node: string): void;
  /** The switch gives this member another role than master, and the node is still mastered as
   *  it was when asked. */
  demoted(node: string, mastered: M): void;
}

export async function auditRoles<M extends Audited>(masters: ReadonlyMap<string, M>, hooks: AuditHooks<M>): Promise<void> {
  await Promise.all(
    [...masters].map(async ([node, mastered]) => {
      try {
        if (Date.now() > mastered.verifyAt) hooks.verify(node); // re-reads the switch
        const { role } = await mastered.sw.role('nochange', 0n);
        if (role !== 'master' && masters.get(node) === mastered) hooks.demoted(node, mastered);
      } catch {
        // a switch that does not answer is handled by its disconnect
      }
    }),
  );
}
