// What a decision does with each transport node (pure): the mastership rule's answer, the
// scheduler's decision and the node's own state in, one action out.

export type NodeAction =
  /** Not this member's: step down if it masters the node. */
  | 'relinquish'
  /** Another node's plug reaches it: in the next remote batch, and not programmed until then. */
  | 'defer'
  /** Program it now (or once more after the run in progress); takes it when not mastered yet. */
  | 'program'
  /** Nothing to do. */
  | 'keep';

export interface NodeStatus {
  /** This member's by the mastership rule (isMine). */
  mine: boolean;
  mastered: boolean;
  /** Its last run left nothing out. */
  complete: boolean;
  running: boolean;
  /** Its own switch state changed. */
  touched: boolean;
  /** The config change reaches it (affectedNodes). */
  reached: boolean;
  /** Its OVSDB session is up (the node is there to be taken). */
  connected: boolean;
}

export interface DecisionKind {
  reprogram: boolean;
  /** The reprogram comes of plugs alone. */
  batch: boolean;
  /** This member may take nodes (isQuorate). */
  quorate: boolean;
}

export function nodeAction(node: NodeStatus, decision: DecisionKind): NodeAction {
  if (!node.mine) return 'relinquish';
  if (decision.batch && node.reached && node.complete && !node.touched && !node.running) return 'defer';
  const due = node.touched || (decision.reprogram && (node.reached || !node.complete));
  // A node of its own not mastered yet is tried at every decision (its switch may just have
  // connected), while this member may take nodes and the node is there: a lab of a thousand
  // nodes not yet booted otherwise ran a thousand empty programming runs at every heartbeat.
  return (!node.mastered ? decision.quorate && node.connected : due) ? 'program' : 'keep';
}

/** A node whose own switch changed first: a VM just plugged in there waits for its flows. */
export function touchedFirst<N extends { name: string }>(nodes: readonly N[], touched: ReadonlySet<string>): readonly N[] {
  return touched.size === 0 ? nodes : [...nodes].sort((a, b) => Number(touched.has(b.name)) - Number(touched.has(a.name)));
}
