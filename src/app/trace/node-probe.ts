// Asking transport nodes: every ofproto/trace a node is asked in one level of a trace goes in one
// exec (an exec costs far more than a trace), with the node's interfaces (names, OpenFlow port
// numbers, iface-ids, BFD) read in the same exec the first time, as inspect reads them.
import type { ExecResult } from '../../runtime/runtime.ts';
import { OVS_STATE_COMMAND, parseOvsState, type OvsBridgeState } from '../ovs-state.ts';

/** Runs a command on a transport node; rejects when the node cannot be asked (not running). */
export type NodeExec = (node: string, cmd: string[]) => Promise<ExecResult>;

/** Separates the answers of one exec. */
export const ANSWER_MARK = '@@nvlab-trace@@';
/** What a flow may hold: names, numbers, MACs, addresses. Nothing the shell would read. */
const SAFE_FLOW = /^[\w=,:./-]+$/;

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** The shell script of one exec: the node's state (when asked for) and each flow's trace. */
export function probeScript(withState: boolean, flows: readonly string[]): string {
  const parts = withState ? [`${OVS_STATE_COMMAND.map(quote).join(' ')} 2>&1`] : [];
  for (const flow of flows) {
    if (!SAFE_FLOW.test(flow)) throw new Error(`not a flow ofproto/trace can be given: ${flow}`);
    parts.push(`ovs-appctl ofproto/trace br-int ${quote(flow)} 2>&1`);
  }
  return parts.join(`; echo ${ANSWER_MARK}; `);
}

/** A node that could not be asked, and why. */
export class NodeUnreachable extends Error {
  constructor(
    readonly node: string,
    why: string,
  ) {
    super(`${node} could not be asked: ${why}`);
  }
}

export class NodeProbes {
  private readonly states = new Map<string, Promise<OvsBridgeState[]>>();
  /** How many execs were made, by node (for tests and timing). */
  readonly execs = new Map<string, number>();

  constructor(private readonly exec: NodeExec) {}

  private async run(node: string, withState: boolean, flows: readonly string[]): Promise<string[]> {
    this.execs.set(node, (this.execs.get(node) ?? 0) + 1);
    let result: ExecResult;
    try {
      result = await this.exec(node, ['sh', '-c', probeScript(withState, flows)]);
    } catch (error) {
      throw new NodeUnreachable(node, error instanceof Error ? error.message : String(error));
    }
    if (result.exitCode === 124) throw new NodeUnreachable(node, 'it did not answer in time');
    const answers = result.stdout.split(`${ANSWER_MARK}\n`);
    if (answers.length !== flows.length + (withState ? 1 : 0))
      throw new NodeUnreachable(node, (result.stderr || result.stdout).trim() || `exit ${result.exitCode}`);
    return answers;
  }

  private parseState(node: string, text: string): OvsBridgeState[] {
    try {
      return parseOvsState(text);
    } catch {
      throw new NodeUnreachable(node, text.trim() || 'its Open vSwitch database did not answer');
    }
  }

  private remember(node: string, state: Promise<OvsBridgeState[]>): void {
    // Handled here: a node that could not be asked is reported where its state is awaited, if it is.
    state.catch(() => undefined);
    this.states.set(node, state);
  }

  /** The node's OVS bridges and interfaces, read once. */
  state(node: string): Promise<OvsBridgeState[]> {
    let state = this.states.get(node);
    if (!state) {
      state = this.run(node, true, []).then(([text]) => this.parseState(node, text ?? ''));
      this.remember(node, state);
    }
    return state;
  }

  /** ofproto/trace of each flow on the node, in one exec (its state too, the first time). */
  async trace(node: string, flows: readonly string[]): Promise<string[]> {
    if (this.states.has(node)) return this.run(node, false, flows);
    const answers = this.run(node, true, flows);
    this.remember(
      node,
      answers.then(([text]) => this.parseState(node, text ?? '')),
    );
    return (await answers).slice(1);
  }
}
