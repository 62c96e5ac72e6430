// The error a caller throws when the northbound API answered other than it needed: its message
// is the failure as people read it (the request, the status and the body the member sent).
import { NvlabError } from '../util/errors.ts';
import type { Failure } from './outcomes.ts';

export class NorthboundError extends NvlabError {
  /** The failure behind it, when it came from an answer of the API (or the lack of one). */
  readonly outcome: Failure | undefined;

  constructor(message: string, options: { cause?: unknown; outcome?: Failure } = {}) {
    super('NORTHBOUND', message, { ...options, exitCode: 2 });
    this.outcome = options.outcome;
  }
}
