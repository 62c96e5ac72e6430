// Terminal output: stdout carries results, stderr carries progress and errors.
import chalk from 'chalk';
import { TopologyError, formatIssue, type TopologyIssue } from '../topology/issues.ts';
import { NvlabError } from '../util/errors.ts';
import { plural } from '../util/words.ts';

export const out = (line = '') => process.stdout.write(`${line}\n`);
export const err = (line = '') => process.stderr.write(`${line}\n`);
export const progress = (line: string) => err(chalk.dim(line));

/** Prints an error for people and returns the exit code the spec gives it. */
export function reportError(error: unknown): number {
  if (error instanceof TopologyError) {
    for (const issue of error.issues) err(`${chalk.red('error')} ${formatIssue(issue)}`);
    err(chalk.red(`${plural(error.issues.length, 'problem')}; nothing was deployed`));
    return error.exitCode;
  }
  if (error instanceof NvlabError) {
    err(`${chalk.red('error')} ${error.message}`);
    return error.exitCode;
  }
  err(`${chalk.red('internal error')} ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return 1;
}

/** A topology warning as people read it: the file stays valid, the line says what will not work. */
export function formatWarning(issue: TopologyIssue): string {
  return `${chalk.yellow('warning')} ${formatIssue(issue)}`;
}

/** A plain table: columns padded to their widest cell. */
export function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => stripAnsi(r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - stripAnsi(c).length)))
      .join('  ')
      .trimEnd();
  return [chalk.bold(line(headers)), ...rows.map(line)];
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
