// Checks a name a step uses against the lab as it is at that step, and words what was expected
// when it is not there or is the wrong kind of thing ("a port, host or IPv4 address").

import type { LabModel } from './lab-model.ts';
import { type Role, isIp } from '../model/index.ts';
import { orList } from '../util/words.ts';

export type NameKind = 'port' | 'host' | 'node' | 'member' | 'switch' | 'router';

export interface Accept {
  kinds: readonly NameKind[];
  /** For kind 'node': only these roles. */
  roles?: readonly Role[];
  /** An IPv4 address is accepted too. */
  ip?: boolean;
  /** `master-of:NODE` is accepted too (resolved when the step runs). */
  masterOf?: boolean;
}

export const MASTER_OF = 'master-of:';

const NOUN: Record<NameKind, string> = {
  port: 'port',
  host: 'host',
  node: 'transport node',
  member: 'controller member',
  switch: 'logical switch',
  router: 'logical router',
};

function article(word: string): string {
  return /^[aeiou]|^l[23]-/.test(word) ? 'an' : 'a';
}

/** "a port, host or IPv4 address": one article, then the nouns. */
export function describeAccept(accept: Accept): string {
  const nouns = accept.kinds.map((k) => (k === 'node' && accept.roles ? accept.roles.join(' or ') : NOUN[k]));
  if (accept.ip) nouns.push('IPv4 address');
  if (accept.masterOf) nouns.push('master-of:NODE');
  return `${article(nouns[0] ?? '')} ${orList(nouns)}`;
}

/** What `name` is in the lab, if anything. */
export function kindOf(model: LabModel, name: string): { kind: NameKind; role?: Role } | undefined {
  const node = model.nodes.get(name);
  if (node) return { kind: 'node', role: node.role };
  if (model.ports.has(name)) return { kind: 'port' };
  if (model.hosts.has(name)) return { kind: 'host' };
  if (model.members.includes(name)) return { kind: 'member' };
  if (model.switches.has(name)) return { kind: 'switch' };
  if (model.routers.has(name)) return { kind: 'router' };
  return undefined;
}

function namesOfKind(model: LabModel, accept: Accept): string[] {
  const out: string[] = [];
  for (const kind of accept.kinds) {
    if (kind === 'port') out.push(...model.ports.keys());
    if (kind === 'host') out.push(...model.hosts.keys());
    if (kind === 'member') out.push(...model.members);
    if (kind === 'switch') out.push(...model.switches.keys());
    if (kind === 'router') out.push(...model.routers.keys());
    if (kind === 'node') {
      for (const n of model.nodes.values()) if (!accept.roles || accept.roles.includes(n.role)) out.push(n.name);
    }
  }
  return out;
}

// Edit distance counting a swap of two neighbours as one edit (optimal string alignment).
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The closest of `candidates` to `word`, when it is close enough to be a typo. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = distance(word, name);
    if (d <= Math.max(1, Math.floor(name.length / 3)) && (!best || d < best.d)) best = { name, d };
  }
  return best?.name;
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, 12).join(', ');
  return names.length > 12 ? `${shown}, …` : shown;
}

export interface NameProblem {
  message: string;
  expected: string;
}

/**
 * Why `value` does not name what `accept` asks for, or undefined when it does. `gone` holds
 * names an earlier step of the scenario removed, with where.
 */
export function checkName(model: LabModel, value: string, accept: Accept, gone?: ReadonlyMap<string, string>): NameProblem | undefined {
  const wanted = describeAccept(accept);
  const known = namesOfKind(model, accept);
  const expected = (extra = ''): string => {
    const listed = known.length > 0 ? `: ${listNames(known)}` : '';
    return `${wanted}${extra}${listed}`;
  };
  if (accept.masterOf && value.startsWith(MASTER_OF)) {
    if (model.members.length === 0) {
      return {
        message: `"${value}": the lab has no built-in controller cluster`,
        expected: describeAccept({ ...accept, masterOf: false }),
      };
    }
    const node = value.slice(MASTER_OF.length);
    if (model.nodes.has(node)) return undefined;
    const nodes = [...model.nodes.keys()];
    const hint = suggest(node, nodes);
    return {
      message: `"${node}" in ${value} is not a transport node${hint ? `; did you mean ${MASTER_OF}${hint}?` : ''}`,
      expected: `master-of:NODE with NODE a transport node: ${listNames(nodes)}`,
    };
  }
  if (accept.ip && isIp(value)) return undefined;
  const found = kindOf(model, value);
  if (found && accept.kinds.includes(found.kind)) {
    if (found.kind !== 'node' || !accept.roles || (found.role && accept.roles.includes(found.role))) return undefined;
    return { message: `"${value}" is ${article(found.role ?? '')} ${found.role}`, expected: expected() };
  }
  if (found) {
    const what =
      found.kind === 'node'
        ? `${article(found.role ?? '')} ${found.role} (a transport node)`
        : `${article(NOUN[found.kind])} ${NOUN[found.kind]}`;
    return { message: `"${value}" is ${what}`, expected: expected() };
  }
  if (isIp(value)) return { message: `"${value}" is an address, not a name`, expected: expected() };
  const where = gone?.get(value);
  if (where) return { message: `"${value}" is no longer in the lab: ${where} removed it`, expected: expected() };
  const hint = suggest(value, known);
  return { message: `unknown name "${value}"${hint ? `; did you mean ${hint}?` : ''}`, expected: expected() };
}
