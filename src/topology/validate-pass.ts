// What every rule of validate.ts works with: the topology's sections, where issues go, and the
// checks the sections share (node references, addresses in subnets, keys owned once).
import type { PathIssue, IssuePath } from './issues.ts';
import { formatPath } from './issues.ts';
import type { Topology } from './schema.ts';
import type { Position } from './yaml-position.ts';
import { type Role, type Cidr, broadcast, contains, formatCidr, formatIp, lastHost, parseIp } from '../model/index.ts';

export interface ValidateOptions {
  /** Where a path is in the file: orders "used twice" by position and names the first place. */
  locate?: (path: IssuePath) => Position;
  /**
   * Names and top-level sections that were dropped because the schema rejected them: references
   * to them are not reported again as "does not exist".
   */
  unknownNames?: ReadonlySet<string>;
  unknownSections?: ReadonlySet<string>;
  /** Top-level sections some entries of which were dropped. */
  partialSections?: ReadonlySet<string>;
}

export const RESERVED_NAME = /^ctrl[1-5]$/;

export type Kind = 'transport node' | 'physical network' | 'host' | 'logical switch' | 'port' | 'logical router';
export type Add = (path: IssuePath, message: string, expected?: string, atKey?: boolean) => void;
export type Section<K extends keyof Topology> = NonNullable<Topology[K]>;

export function describeAddress(cidr: Cidr, ipText: string): string | undefined {
  const ip = parseIp(ipText);
  if (ip === undefined) return undefined; // the schema reports it
  const subnet = formatCidr(cidr);
  if (!contains(cidr, ip)) return `outside ${subnet}`;
  if (cidr.prefixLength < 31 && ip === cidr.network) return `the network address of ${subnet}`;
  if (cidr.prefixLength < 31 && ip === broadcast(cidr)) return `the broadcast address of ${subnet}`;
  return undefined;
}

export function article(word: string): string {
  return /^[aeiou]|^l[23]-/.test(word) ? 'an' : 'a';
}

export function usableRange(cidr: Cidr): string {
  const first = cidr.prefixLength >= 31 ? cidr.network : cidr.network + 1;
  return `an address from ${formatIp(first)} to ${formatIp(lastHost(cidr))}`;
}

/** `path (line N)` when positions are known, else the path alone: how a message names another place. */
export function placeOf(options: Pick<ValidateOptions, 'locate'>, path: IssuePath): string {
  const pos = options.locate?.(path);
  return pos ? `${formatPath(path)} (line ${pos.line})` : formatPath(path);
}

/** One validation pass: the topology's sections, where issues go, and the rules the sections share. */
export interface Pass {
  topology: Topology;
  options: ValidateOptions;
  nodes: Section<'transport-nodes'>;
  networks: Section<'physical-networks'>;
  switches: Section<'logical-switches'>;
  routers: Section<'logical-routers'>;
  add: Add;
  /** Whether a reference to `name` in `section` points at something the schema dropped. */
  unknown(section: string, name: string): boolean;
  /** A transport node reference must name a node of the given role. */
  checkNode(path: IssuePath, subject: string, ref: string, role: Role, why: string): void;
  /** An address must be a usable host address of its subnet. */
  checkAddress(path: IssuePath, subject: string, ipText: string, cidr: Cidr | undefined, scope: string): void;
  /** The first owner of a key keeps it; every later one is reported, naming the first. */
  claim<K>(
    table: Map<K, string> | undefined,
    key: K | undefined,
    owner: string,
    issue: { path: IssuePath; subject: string; scope?: string; expected: string; atKey?: boolean },
  ): void;
  networkList: string;
}

export function startPass(topology: Topology, options: ValidateOptions, issues: PathIssue[]): Pass {
  const add: Add = (path, message, expected, atKey) => {
    issues.push({ path, message, ...(expected === undefined ? {} : { expected }), ...(atKey ? { atKey } : {}) });
  };
  const nodes = topology['transport-nodes'] ?? {};
  const networks = topology['physical-networks'] ?? {};
  const unknown = (section: string, name: string): boolean =>
    (options.unknownNames?.has(name) ?? false) || (options.unknownSections?.has(section) ?? false);
  const namesOfRole = (role: Role): string =>
    Object.entries(nodes)
      .filter(([, n]) => n.role === role)
      .map(([k]) => k)
      .join(', ') || 'none in this lab';
  return {
    topology,
    options,
    nodes,
    networks,
    switches: topology['logical-switches'] ?? {},
    routers: topology['logical-routers'] ?? {},
    add,
    unknown,
    checkNode(path, subject, ref, role, why) {
      const node = nodes[ref];
      if (!node) {
        if (!unknown('transport-nodes', ref)) {
          add(path, `${subject} is on ${ref}, which is not a transport node`, `${article(role)} ${role}: ${namesOfRole(role)}`);
        }
      } else if (node.role !== role) {
        add(path, `${subject} is on ${ref}, ${article(node.role)} ${node.role}; ${why}`, `${article(role)} ${role}: ${namesOfRole(role)}`);
      }
    },
    checkAddress(path, subject, ipText, cidr, scope) {
      const problem = cidr && describeAddress(cidr, ipText);
      if (problem && cidr) add(path, `${subject} ${ipText} is ${problem} (${scope})`, usableRange(cidr));
    },
    claim(table, key, owner, issue) {
      if (!table || key === undefined) return;
      const other = table.get(key);
      if (other === undefined) table.set(key, owner);
      else {
        const scope = issue.scope === undefined ? '' : ` ${issue.scope}`;
        add(issue.path, `${issue.subject} is already used by ${other}${scope}`, issue.expected, issue.atKey);
      }
    },
    networkList: Object.keys(networks).join(', ') || 'none in this lab',
  };
}
