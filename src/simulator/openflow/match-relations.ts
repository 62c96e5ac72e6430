// How two matches relate, as OpenFlow's non-strict modify/delete, flow-stats filters and
// CHECK_OVERLAP need it. Read from the pipeline's canonical match text (normalize.ts matchKey:
// fields sorted, all-ones masks dropped, value bits outside the mask cleared), so the switch's
// idea of "the same match" is the one reconciliation has.
import { matchKey } from '../../controller/pipeline/normalize.ts';
import type { Match } from '../../openflow/match.ts';

/** One field: its value and mask (undefined: exact), or for a field we do not interpret
 *  (`raw...`), its text. */
interface Constraint {
  value: bigint;
  mask: bigint | undefined;
  text: string;
}

export type Constraints = ReadonlyMap<string, Constraint>;

const ALL_ONES = (1n << 128n) - 1n;

/** The constraints of a canonical match text (matchKey's, or a flow key's last part). */
export function parseMatchText(text: string): Constraints {
  const out = new Map<string, Constraint>();
  if (text === '') return out;
  for (const item of text.split(',')) {
    const eq = item.indexOf('=');
    const name = item.slice(0, eq);
    if (name.startsWith('raw')) {
      out.set(name, { value: 0n, mask: undefined, text: item });
      continue;
    }
    const [value, mask] = item.slice(eq + 1).split('/') as [string, string | undefined];
    out.set(name, { value: BigInt(`0x${value}`), mask: mask === undefined ? undefined : BigInt(`0x${mask}`), text: item });
  }
  return out;
}

export const matchConstraints = (match: Match): Constraints => parseMatchText(matchKey(match));

/** A flow key is `table/priority/match text`: its constraints. */
export function keyConstraints(key: string): Constraints {
  return parseMatchText(key.slice(key.indexOf('/', key.indexOf('/') + 1) + 1));
}

/** Every packet `rule` matches, `filter` matches too: the rule is as specific or more on every
 *  field the filter names (OpenFlow's non-strict selection). */
export function isWithin(rule: Constraints, filter: Constraints): boolean {
  for (const [name, f] of filter) {
    const r = rule.get(name);
    if (!r) return false;
    if (name.startsWith('raw')) {
      if (r.text !== f.text) return false;
    } else if (f.mask === undefined) {
      if (r.mask !== undefined || r.value !== f.value) return false;
    } else {
      if (r.mask !== undefined && (r.mask & f.mask) !== f.mask) return false;
      if ((r.value & f.mask) !== f.value) return false;
    }
  }
  return true;
}

/** Some packet could match both (CHECK_OVERLAP): they agree on the bits both constrain. */
export function overlaps(a: Constraints, b: Constraints): boolean {
  for (const [name, x] of a) {
    const y = b.get(name);
    if (!y) continue;
    if (name.startsWith('raw')) {
      if (x.text !== y.text) return false;
      continue;
    }
    const common = (x.mask ?? ALL_ONES) & (y.mask ?? ALL_ONES);
    if ((x.value & common) !== (y.value & common)) return false;
  }
  return true;
}
