// Canonical text for matches, instructions and buckets, so a flow or group read back from Open
// vSwitch compares equal to the one we computed: OVS reorders OXM fields, drops all-ones masks,
// clears value bits outside the mask, reports output max_len 0 and orders instructions its way.
import type { Action, Bucket, Instruction, Match, OxmField } from '../../openflow/index.ts';
import { Port } from '../../openflow/index.ts';

// OpenFlow class * 128 + field, for a stable field order; NXM_1 (registers, tunnel ips) first.
const FIELD_NO: Record<string, number> = {
  in_port: 0x8000 * 128 + 0,
  in_phy_port: 0x8000 * 128 + 1,
  metadata: 0x8000 * 128 + 2,
  eth_dst: 0x8000 * 128 + 3,
  eth_src: 0x8000 * 128 + 4,
  eth_type: 0x8000 * 128 + 5,
  vlan_vid: 0x8000 * 128 + 6,
  vlan_pcp: 0x8000 * 128 + 7,
  ip_dscp: 0x8000 * 128 + 8,
  ip_ecn: 0x8000 * 128 + 9,
  ip_proto: 0x8000 * 128 + 10,
  ipv4_src: 0x8000 * 128 + 11,
  ipv4_dst: 0x8000 * 128 + 12,
  tcp_src: 0x8000 * 128 + 13,
  tcp_dst: 0x8000 * 128 + 14,
  udp_src: 0x8000 * 128 + 15,
  udp_dst: 0x8000 * 128 + 16,
  icmpv4_type: 0x8000 * 128 + 19,
  icmpv4_code: 0x8000 * 128 + 20,
  arp_op: 0x8000 * 128 + 21,
  arp_spa: 0x8000 * 128 + 22,
  arp_tpa: 0x8000 * 128 + 23,
  arp_sha: 0x8000 * 128 + 24,
  arp_tha: 0x8000 * 128 + 25,
  tunnel_id: 0x8000 * 128 + 38,
  tun_src: 128 + 31,
  tun_dst: 128 + 32,
  ...Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`reg${i}`, 128 + i])),
};

/** A field value (and mask) as a bigint, so every kind masks the same way. */
function toBig(v: number | bigint | string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  if (v.includes(':') || v.includes('-')) return BigInt(`0x${v.replace(/[:-]/g, '')}`); // MAC
  return v.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n); // IPv4
}

const WIDTH: Record<string, number> = {
  in_port: 32,
  in_phy_port: 32,
  metadata: 64,
  tunnel_id: 64,
  eth_dst: 48,
  eth_src: 48,
  arp_sha: 48,
  arp_tha: 48,
  eth_type: 16,
  vlan_vid: 16,
  tcp_src: 16,
  tcp_dst: 16,
  udp_src: 16,
  udp_dst: 16,
  arp_op: 16,
  ipv4_src: 32,
  ipv4_dst: 32,
  arp_spa: 32,
  arp_tpa: 32,
  tun_src: 32,
  tun_dst: 32,
};
const widthOf = (field: string) => WIDTH[field] ?? (field.startsWith('reg') ? 32 : 8);

/** Hex of an unmasked value that fits its field (as `toBig(v).toString(16)`); undefined: take
 *  the general path. */
function exactValueText(v: number | bigint | string, width: number): string | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 && (width > 52 || v < 2 ** width) ? v.toString(16) : undefined;
  if (typeof v === 'bigint') return v >= 0n && v < 1n << BigInt(width) ? v.toString(16) : undefined;
  if (v.includes(':') || v.includes('-')) {
    const hex = v.replace(/[:-]/g, '').toLowerCase();
    return width >= 48 && /^[0-9a-f]{1,12}$/.test(hex) ? hex.replace(/^0+(?=.)/, '') : undefined;
  }
  return undefined;
}

function oxmKey(f: OxmField): { order: number; text: string } | undefined {
  if (f.field === 'raw') {
    const exp = f.experimenter === undefined ? '' : `.${f.experimenter}`;
    return {
      order: f.oxmClass * 128 + f.oxmField,
      text: `raw${f.oxmClass}.${f.oxmField}${exp}${f.hasMask ? 'm' : ''}=${f.payload.toString('hex')}`,
    };
  }
  if (f.mask === undefined) {
    // The common case, without bigint arithmetic: an exact value, written as the slow path would.
    const text = exactValueText(f.value, widthOf(f.field));
    if (text !== undefined) return { order: FIELD_NO[f.field] ?? 0, text: `${f.field}=${text}` };
  }
  const all = (1n << BigInt(widthOf(f.field))) - 1n;
  const mask = f.mask === undefined ? all : toBig(f.mask) & all;
  if (mask === 0n) return undefined; // matches everything: as if absent
  const value = toBig(f.value) & mask;
  const text = mask === all ? `${f.field}=${value.toString(16)}` : `${f.field}=${value.toString(16)}/${mask.toString(16)}`;
  return { order: FIELD_NO[f.field] ?? 0, text };
}

// Keys are cached per array: a master reconciles its next change against the very objects it
// computed last time (see reconcile's `installed`), so most keys are computed once. Matches,
// instruction lists and buckets are never mutated after they are built.
const matchKeys = new WeakMap<Match, string>();
const instructionKeys = new WeakMap<readonly Instruction[], string>();
const bucketKeys = new WeakMap<readonly Bucket[], { ordered: string[]; unordered?: string }>();
const bucketKeyCache = new WeakMap<Bucket, string>();

function cached<K extends object>(cache: WeakMap<K, string>, key: K, compute: (key: K) => string): string {
  let text = cache.get(key);
  if (text === undefined) cache.set(key, (text = compute(key)));
  return text;
}

/** The match as canonical text: fields sorted, masks normalised. */
export function matchKey(match: Match): string {
  return cached(matchKeys, match, computeMatchKey);
}

function computeMatchKey(match: Match): string {
  return match
    .map(oxmKey)
    .filter((k): k is { order: number; text: string } => k !== undefined)
    .sort((a, b) => a.order - b.order || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
    .map((k) => k.text)
    .join(',');
}

export function actionKey(a: Action): string {
  switch (a.type) {
    case 'output':
      // max_len only means something for CONTROLLER; OVS reports 0 elsewhere.
      return a.port === Port.CONTROLLER ? `output:${a.port}:${a.maxLen ?? 0xffff}` : `output:${a.port}`;
    case 'set_field':
      return `set_field:${oxmKey(a.field)?.text ?? ''}`;
    case 'experimenter':
      return `experimenter:${a.experimenter}:${a.data.toString('hex')}`;
    case 'raw':
      return `raw:${a.actionType}:${a.body.toString('hex')}`;
    // Conntrack: by their fields, not JSON (a decoded action's properties come in another order).
    case 'nx_ct': {
      const zone = typeof a.zone === 'number' ? a.zone : `${a.zone.field}[${a.zone.ofs}..${a.zone.ofs + a.zone.nbits - 1}]`;
      return `ct:${a.flags}:${zone}:${a.table}:${a.alg}:(${a.actions.map(actionKey).join(',')})`;
    }
    case 'nx_ct_clear':
      return 'ct_clear';
    case 'nx_nat':
      return `nat:${a.flags}:${a.ipv4Min ?? ''}-${a.ipv4Max ?? ''}:${a.protoMin ?? ''}-${a.protoMax ?? ''}`;
    case 'nx_reg_load2':
      return `load:${oxmKey(a.field)?.text ?? ''}`;
    case 'nx_reg_load':
      return `reg_load:${JSON.stringify(a.dst)}:${a.value}`;
    case 'nx_resubmit_table':
      return `resubmit:${a.inPort}:${a.table}`;
    default:
      return JSON.stringify(a);
  }
}

// OVS prints and returns instructions in the order the 1.3 spec executes them.
const INSTRUCTION_ORDER: Record<Instruction['type'], number> = {
  meter: 0,
  apply_actions: 1,
  clear_actions: 2,
  write_actions: 3,
  write_metadata: 4,
  goto_table: 5,
  experimenter: 6,
};

function instructionKey(i: Instruction): string | undefined {
  switch (i.type) {
    case 'apply_actions':
    case 'write_actions':
      // apply_actions() with nothing in it does nothing; OVS omits it.
      if (i.type === 'apply_actions' && i.actions.length === 0) return undefined;
      return `${i.type}(${i.actions.map(actionKey).join(',')})`;
    case 'write_metadata':
      return `write_metadata:${(i.metadata & i.mask).toString(16)}/${i.mask.toString(16)}`;
    case 'goto_table':
      return `goto_table:${i.tableId}`;
    case 'meter':
      return `meter:${i.meterId}`;
    case 'clear_actions':
      return 'clear_actions';
    case 'experimenter':
      return `experimenter:${i.experimenter}:${i.data.toString('hex')}`;
  }
}

export function instructionsKey(list: readonly Instruction[]): string {
  return cached(instructionKeys, list, computeInstructionsKey);
}

function computeInstructionsKey(list: readonly Instruction[]): string {
  return [...list]
    .sort((a, b) => INSTRUCTION_ORDER[a.type] - INSTRUCTION_ORDER[b.type])
    .map(instructionKey)
    .filter((k) => k !== undefined)
    .join(';');
}

export function bucketKey(b: Bucket): string {
  return cached(bucketKeyCache, b, (x) => `w${x.weight},p${x.watchPort},g${x.watchGroup}:${x.actions.map(actionKey).join(',')}`);
}

/** Buckets of a group as canonical text; for type `all` their order does not matter. */
export function bucketsKey(groupType: string, buckets: readonly Bucket[]): string {
  let keys = bucketKeys.get(buckets);
  if (keys === undefined) bucketKeys.set(buckets, (keys = { ordered: buckets.map(bucketKey) }));
  if (groupType !== 'all') return `${groupType}|${keys.ordered.join('|')}`;
  keys.unordered ??= [...keys.ordered].sort().join('|');
  return `${groupType}|${keys.unordered}`;
}

type FlowPlace = { tableId: number; priority: number; match: Match };
const flowKeys = new WeakMap<FlowPlace, string>();

/** Where a flow lives: two flows with the same key are the same OpenFlow entry. */
export function flowKey(f: FlowPlace): string {
  return cached(flowKeys, f, (x) => `${x.tableId}/${x.priority}/${matchKey(x.match)}`);
}

/** flowKey, not remembered: for a flow seen once (a simulated switch's incoming FLOW_MOD), where
 *  caching on a short-lived object costs more than it saves. */
export function flowKeyOnce(f: FlowPlace): string {
  return [f.tableId, f.priority, computeMatchKey(f.match)].join('/'); // join: one flat string, no rope
}
