// What every reporter is made with: a text sink to write to (stdout, stderr, a file stream, a
// string in tests) and whether to colour.

import type { Reporter } from '../scenario/reporter.ts';

/** Anything text can be written to; a terminal says so with isTTY. */
export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ReporterOptions {
  stream: TextSink;
  /** Colours (pretty only); default: when the stream is a terminal. */
  color?: boolean;
}

export type ReporterFactory = (options: ReporterOptions) => Reporter;
