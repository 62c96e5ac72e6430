// `nvlab connectivity` for people: the matrix as a grid (rows send, columns receive), then each
// broken pair with where and why. Pure: returns the lines.
import chalk from 'chalk';
import type { ConnectivityMatrix, ConnectivityPair } from '../model/index.ts';
import { plural } from '../util/words.ts';
import { table } from './output.ts';

const MARKS: Record<ConnectivityPair['status'], string> = { reachable: '✓', isolated: '·', broken: '✗' };
const paint: Record<ConnectivityPair['status'], (s: string) => string> = {
  reachable: (s) => chalk.green(s),
  isolated: (s) => chalk.dim(s),
  broken: (s) => chalk.red(s),
};

function grid(matrix: ConnectivityMatrix): string[] {
  const names = matrix.ports.map((p) => p.name);
  const cell = (from: string, to: string) => {
    if (from === to) return chalk.dim('-');
    const pair = matrix.pairs.find((p) => p.from === from && p.to === to);
    return pair ? paint[pair.status](MARKS[pair.status]) : '';
  };
  return table(
    ['from \\ to', ...names],
    names.map((from) => [from, ...names.map((to) => cell(from, to))]),
  );
}

export function connectivityLines(matrix: ConnectivityMatrix): string[] {
  const how = matrix.injected ? 'predicted, then confirmed by an injected packet' : 'predicted';
  const scope = matrix.switch === undefined ? `lab ${matrix.lab}` : `switch ${matrix.switch} of lab ${matrix.lab}`;
  const lines = [
    `port connectivity of ${scope}: ${plural(matrix.ports.length, 'port')}, ${plural(matrix.pairs.length, 'pair')} (${how})`,
    '',
  ];
  lines.push(
    ...grid(matrix),
    '',
    `${paint.reachable('✓')} reachable  ${paint.isolated('·')} isolated by design  ${paint.broken('✗')} broken`,
  );
  const broken = matrix.pairs.filter((p) => p.status === 'broken');
  if (broken.length > 0) {
    lines.push('', chalk.bold(`Broken (${broken.length})`));
    for (const p of broken)
      lines.push(`  ${p.from} → ${p.to}  ${chalk.red(p.reason ?? 'broken')}${p.node ? ` at ${p.node}` : ''}: ${p.detail ?? ''}`);
  }
  const s = matrix.summary;
  lines.push('', `${s.reachable} reachable, ${s.isolated} isolated, ${s.broken} broken`);
  return lines;
}
