import { createHash } from 'node:crypto';
import { memoize } from '../../util/memo.ts';

/** Rendezvous hashing: each node goes to the live member with the highest score for it, so a
 *  member's loss moves only its own nodes, spread over the others. */
export function ownerOf(node: string, members: readonly string[]): string | undefined {
  let best: { member: string; score: bigint } | undefined;
  for (const member of members) {
    const score = scoreOf(node, member);
    if (!best || score > best.score) best = { member, score };
  }
  return best?.member;
}

// A member decides ownership on every change it hears of (many a second): remember the scores.
const scoreByKey = memoize((key) => BigInt(`0x${createHash('sha256').update(key).digest('hex').slice(0, 16)}`));
const scoreOf = (node: string, member: string): bigint => scoreByKey(`${node}/${member}`);
