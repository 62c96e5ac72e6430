// What the store keeps about the controller cluster itself, beside the logical resources.

/** A controller member's heartbeat lease. */
export interface MemberLease {
  name: string;
  /** Lease end, ms since the epoch. */
  expires: number;
}

/** Who masters a transport node's switch, with the generation that fences older masters. */
export interface Mastership {
  node: string;
  member: string;
  generation: number;
}
