// Learned MAC bindings in the store, OVN's MAC_Binding: the address of a host that no logical
// port has (behind an L2 gateway, e.g. a static route's next hop), learned by the member whose
// node saw the ARP reply to a distributed router, and part of the logical state so that every
// member's pipeline routes with it. One MAC_Binding row per (switch, address), unique by index;
// deleted with its switch (resources/logical-switches.ts), or forgotten through the API.
import { op, type Condition } from '../../ovsdb/index.ts';
import { bySwitchThenIp, MacBindingSchema, RESOURCES, type MacBinding } from '../../model/index.ts';
import type { Snapshot } from './description.ts';
import { ConflictError, NotFoundError } from './errors.ts';
import { parse, same } from './input.ts';
import type { ResourceContext } from './resource.ts';
import { macBindingFromRow, macBindingToRow } from './rows.ts';
import { Txn } from './txn.ts';

/** What learning a binding did: a new address, a known address's new MAC, or nothing. */
export type Learned = 'added' | 'changed' | 'same';

/** What the writes need of the store: its commits and its replica's pace. */
type Writes = Pick<ResourceContext, 'commit' | 'settle'>;

const KIND = 'MAC binding';
// Rounds of "change, else insert": a round after the first only follows an insert that lost the
// address to another member's, and then finds that row; five rounds means the address was
// inserted and forgotten between our two transactions five times over.
const MAX_ROUNDS = 5;

const at = (sw: string, ip: string): Condition[] => [
  ['logical_switch', '==', sw],
  ['ip', '==', ip],
];

/** Every binding, sorted by switch then address. */
export function macBindingsOf(s: Snapshot): MacBinding[] {
  return s.rows('MAC_Binding').map(macBindingFromRow).sort(bySwitchThenIp);
}

/**
 * Records what a member learned: inserts the binding, or changes the MAC of its address, or does
 * nothing (no write, so the logical state does not change). Decided in the leader's transactions,
 * not against the replica: members learning the same binding at once each get an answer, one
 * 'added' and the others 'same' (or 'changed' for a different MAC, the last one winning). A
 * switch that does not exist (deleted meanwhile) is a NotFoundError.
 */
export async function learnMacBinding(w: Writes, binding: MacBinding): Promise<Learned> {
  const b = parse(MacBindingSchema, binding, KIND);
  for (let round = 1; ; round++) {
    const change = new Txn();
    switchExists(change, b.switch);
    const changed = change.add(op.update('MAC_Binding', [...at(b.switch, b.ip), ['mac', '!=', b.mac]], { mac: b.mac }));
    const found = change.add(op.select('MAC_Binding', at(b.switch, b.ip), ['mac']));
    const results = await w.commit(change);
    if (results[changed]?.count) return settled(w, b, 'changed');
    if (results[found]?.rows?.length) return 'same';
    const insert = new Txn();
    switchExists(insert, b.switch);
    insert.add(op.insert('MAC_Binding', macBindingToRow(b)));
    try {
      await w.commit(insert);
      return settled(w, b, 'added');
    } catch (error) {
      // The unique (switch, address) index: another member inserted it since; look again.
      if (!(error instanceof ConflictError) || round >= MAX_ROUNDS) throw error;
    }
  }
}

/** Deletes the binding of `ip` on switch `sw`; a NotFoundError when there is none. */
export async function forgetMacBinding(w: Writes, sw: string, ip: string): Promise<void> {
  const txn = new Txn();
  const i = txn.add(op.delete('MAC_Binding', at(sw, ip)));
  if (!(await w.commit(txn))[i]?.count) throw new NotFoundError(KIND, `${sw}/${ip}`);
  await w.settle((s) => !s.rows('MAC_Binding').some((r) => r.logical_switch === sw && r.ip === ip));
}

function switchExists(txn: Txn, sw: string): void {
  txn.mustExist('Logical_Switch', 'name', sw, () => new NotFoundError(RESOURCES.logicalSwitches.kind, sw));
}

/** Read-your-writes: the outcome once this member's replica shows the binding. */
async function settled(w: Writes, b: MacBinding, outcome: Learned): Promise<Learned> {
  await w.settle((s) => macBindingsOf(s).some((x) => same(x, b)));
  return outcome;
}
