// Problems found in a topology file. Detection (load.ts, validate.ts) produces plain data;
// formatIssue turns one into the line people read. Keeping them apart lets reporters (json,
// junit, editors) render issues their own way.

import { NvlabError } from '../util/errors.ts';

export type IssuePath = (string | number)[];

export interface TopologyIssue {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Key path inside the file, e.g. ['logical-switches', 'web', 'ports', 'web1', 'ip']. */
  path: IssuePath;
  message: string;
  /** What would have been accepted, e.g. 'an IPv4 address inside 10.0.1.0/24'. */
  expected?: string;
}

/** A file-independent issue, as validate.ts finds it; load.ts adds the file and position. */
export interface PathIssue {
  path: IssuePath;
  message: string;
  expected?: string;
  /** Point at the key itself (e.g. a name used twice) rather than at its value. */
  atKey?: boolean;
}

/** `a.b[0].c`; the empty path is the top level. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

/** `file:line:column: a.b.c: message (expected …)`. */
export function formatIssue(issue: TopologyIssue): string {
  const where = `${issue.file}:${issue.line}:${issue.column}`;
  const path = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
  const expected = issue.expected === undefined ? '' : ` (expected ${issue.expected})`;
  return `${where}: ${path}${issue.message}${expected}`;
}

/** Sorts by position, then path, so reports read top to bottom. */
export function compareIssues(a: TopologyIssue, b: TopologyIssue): number {
  return a.line - b.line || a.column - b.column || formatPath(a.path).localeCompare(formatPath(b.path));
}

/** A topology file has problems; `issues` holds every one of them. Exit code 2. */
export class TopologyError extends NvlabError {
  declare readonly code: 'INVALID_TOPOLOGY';
  readonly issues: readonly TopologyIssue[];
  readonly file: string;

  constructor(file: string, issues: readonly TopologyIssue[], options: { cause?: unknown } = {}) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super('INVALID_TOPOLOGY', [`${file}: ${count}`, ...issues.map(formatIssue)].join('\n'), {
      ...options,
      exitCode: 2,
    });
    this.file = file;
    this.issues = issues;
  }
}
