import { createHash } from 'node:crypto';

/** Rendezvous hashing: each node goes to the live member with the highest score for it, so a
 *  member's loss moves only its own nodes, spread over the others. */
export function ownerOf(node: string, members: readonly string[]): string | undefined {
  let best: { member: string; score: bigint } | undefined;
  for (const member of members) {
    const score = BigInt(`0x${createHash('sha256').update(`${node}/${member}`).digest('hex').slice(0, 16)}`);
    if (!best || score > best.score) best = { member, score };
  }
  return best?.member;
}
