// The operations tools' trace contract (docs/operations.md): what a trace asks for and what it
// reports. `nvlab trace`, the northbound API's traceflows and the scenario `trace` step all
// speak it; other tools read its JSON, so fields are only ever added, never renamed.
import { z } from 'zod';
import { encapSchema, ipv4Schema, macSchema, nameSchema } from './fields.ts';
import { DROP_REASONS, pathNodes, TRACE_FRAMES, type DropReason } from './trace-vocabulary.ts';

export { DROP_REASONS, pathNodes, TRACE_FRAMES, type DropReason, type TraceFrame } from './trace-vocabulary.ts';

/** What a hop is, logically or physically. */
export const TRACE_COMPONENTS = [
  'port',
  'logical-switch',
  'logical-router',
  'tunnel',
  'service-node',
  'l2-gateway',
  'l3-gateway',
  'physical-network',
  'host',
] as const;
export type TraceComponent = (typeof TRACE_COMPONENTS)[number];

/** What happened to the packet at a hop. `delivered`: it reached its destination port or host
 *  (an injected trace packet is never handed to a VM: it is observed where it would be). */
export const OBSERVATIONS = ['received', 'forwarded', 'replicated', 'delivered', 'dropped'] as const;
export type Observation = (typeof OBSERVATIONS)[number];

const DROP_REASON_NAMES = Object.keys(DROP_REASONS) as [DropReason, ...DropReason[]];

/** The addresses of a trace's frames, the same for the predicted and the injected trace so that
 *  both follow one packet: the broadcast MAC, an administratively scoped IPv4 multicast group and
 *  its MAC, and a unicast MAC nobody has (06: is locally administered and unicast; ports use 02:,
 *  routers 0a:). */
export const TRACE_BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';
export const TRACE_MULTICAST = { mac: '01:00:5e:7f:00:01', ip: '239.255.0.1' } as const;
export const TRACE_UNKNOWN_MAC = '06:6e:76:00:00:01';

/** The protocol of a trace: `icmp` (an echo request), `arp` (a request), `tcp:PORT`, `udp:PORT`. */
export const TRACE_PROTO = /^(icmp|arp|(tcp|udp):([1-9]\d{0,4}))$/;

const PROTO_EXPECTED = 'icmp, arp, tcp:PORT or udp:PORT';
export const traceProtoSchema = z
  .string({ error: PROTO_EXPECTED })
  .refine((s) => TRACE_PROTO.test(s) && (s.includes(':') ? Number(s.split(':')[1]) <= 65535 : true), { error: PROTO_EXPECTED });

/** A physical host as the lab knows it: the controller's store has no hosts, so a request that
 *  names one says where it is (its physical network) and its addresses. */
export const TraceHostSchema = z.strictObject({
  network: nameSchema,
  ip: ipv4Schema,
  mac: macSchema.optional(),
});
export type TraceHost = z.output<typeof TraceHostSchema>;

/** A trace request: from a logical port or a physical host, to a port, a host or an address. */
export const TraceRequestSchema = z.strictObject({
  from: nameSchema,
  /** A logical port, a physical host, or an IPv4 address. */
  to: z.string({ error: 'a port, host or IPv4 address' }).min(1, { error: 'a port, host or IPv4 address' }),
  proto: traceProtoSchema.default('icmp'),
  frame: z.enum(TRACE_FRAMES, { error: `a frame kind: ${TRACE_FRAMES.join(', ')}` }).optional(),
  /** The physical hosts `from` or `to` name, by name (an injected trace needs their addresses). */
  hosts: z.record(nameSchema, TraceHostSchema).optional(),
});
export type TraceRequest = z.output<typeof TraceRequestSchema>;
export type TraceRequestInput = z.input<typeof TraceRequestSchema>;

/** The OpenFlow rule a hop went through, and the logical object that made it (by its cookie). */
export const TraceRuleSchema = z.object({
  /** 0x-prefixed, 16 hex digits. */
  cookie: z.string(),
  table: z.int(),
  priority: z.int().optional(),
  /** What the rule is for, in the words of the logical network ("classify port web1 on switch web"). */
  meaning: z.string(),
});
export type TraceRule = z.infer<typeof TraceRuleSchema>;

export const TraceHopSchema = z.object({
  /** Transport node, controller member or host the hop is on. */
  node: z.string(),
  component: z.enum(TRACE_COMPONENTS),
  observation: z.enum(OBSERVATIONS),
  /** The logical object's name (port, switch, router, physical network, host). */
  logical: z.string().optional(),
  tunnel: z.object({ encap: encapSchema, vni: z.int(), remote: z.string() }).optional(),
  rule: TraceRuleSchema.optional(),
  /** Replicated: how many copies left here. */
  copies: z.int().optional(),
  /** Dropped: why. */
  reason: z.enum(DROP_REASON_NAMES).optional(),
  /** For people: what happened, in a sentence. */
  detail: z.string().optional(),
});
export type TraceHop = z.infer<typeof TraceHopSchema>;

/** One path: delivered or not (and why), its hops in order (a replicated packet's copies follow
 *  the hop that made them, each copy's hops in a row). */
export const TracePathSchema = z.object({
  delivered: z.boolean(),
  reason: z.enum(DROP_REASON_NAMES).optional(),
  hops: z.array(TraceHopSchema),
});
export type TracePath = z.infer<typeof TracePathSchema>;

/** Where an observed path first differs from the predicted one. */
export const TraceDivergenceSchema = z.object({
  /** Index into the observed hops (its length when the observed path stopped early). */
  hop: z.int(),
  node: z.string(),
  predicted: z.string(),
  observed: z.string(),
});

/**
 * What `nvlab trace --format json` prints. The top level is the path that counts: the observed
 * one where the packet was injected, else the predicted one; both are given apart too.
 */
export const TraceResultSchema = TracePathSchema.extend({
  from: z.string(),
  to: z.string(),
  proto: z.string(),
  frame: z.enum(TRACE_FRAMES).optional(),
  predicted: TracePathSchema.optional(),
  observed: TracePathSchema.optional(),
  divergence: TraceDivergenceSchema.optional(),
  /** Why no packet was injected where one was asked for (the prediction stands alone). */
  notInjected: z.string().optional(),
});
export type TraceResult = z.infer<typeof TraceResultSchema>;

/** A trace in one line, for a failed check's message: where it was dropped and why, or that it arrived. */
export function summarizeTrace(path: TracePath & { to?: string }): string {
  const via = pathNodes(path).join(' → ');
  if (path.delivered) return `the packet reaches ${path.to ?? 'its destination'} (${via})`;
  const drop = path.hops.find((h) => h.observation === 'dropped');
  if (!drop) return `the packet goes ${via} and never reaches ${path.to ?? 'its destination'}`;
  const why = drop.detail ?? (drop.reason ? DROP_REASONS[drop.reason] : 'dropped');
  return `dropped at ${drop.node}${drop.reason ? ` (${drop.reason})` : ''}: ${why}; path ${via}`;
}

/** A place a packet enters or leaves a node's br-int (a trace's per-node passes speak of these). */
export const TraceEndpointSchema = z.discriminatedUnion('kind', [
  /** A VM (logical port) on this node. */
  z.object({ kind: z.literal('port'), port: z.string() }),
  /** A tunnel, to or from another transport node, carrying the switch's VNI. */
  z.object({ kind: z.literal('tunnel'), remote: z.string(), encap: encapSchema, vni: z.int() }),
  /** A gateway's NIC on a physical network (an L2 gateway's VLAN, an L3 gateway's uplink NIC). */
  z.object({ kind: z.literal('nic'), nic: z.string(), network: z.string(), vlan: z.int().optional(), host: z.string().optional() }),
  /** A logical router's port on an L3 gateway: its interface on a switch, or its uplink. */
  z.object({ kind: z.literal('router-port'), router: z.string(), switch: z.string().optional(), uplink: z.literal(true).optional() }),
]);
export type TraceEndpoint = z.infer<typeof TraceEndpointSchema>;

/** What one packet did on one node, as JSON (a rule's cookie in hex): where it entered, the rules
 *  it matched in table order, where each copy left, and why nothing did when nothing did. */
export const TracePassSchema = z.object({
  node: z.string(),
  entry: TraceEndpointSchema,
  rules: z.array(z.object({ table: z.int(), cookie: z.string(), priority: z.int().optional() })),
  exits: z.array(TraceEndpointSchema),
  drop: z.object({ reason: z.enum(DROP_REASON_NAMES), detail: z.string().optional() }).optional(),
  route: z.object({ router: z.string(), destination: z.string(), ttl: z.int().optional(), snat: z.string().optional() }).optional(),
});
export type TracePass = z.infer<typeof TracePassSchema>;

/** An injected trace's life: running (queued behind another one, or under way), then completed
 *  (the observed path) or failed (a member or node did not answer in time; what was seen is kept). */
export const TRACEFLOW_STATES = ['running', 'completed', 'failed'] as const;
export type TraceflowState = (typeof TRACEFLOW_STATES)[number];

/** A traceflow of the northbound API (`POST /api/v1/traceflows`, `GET /api/v1/traceflows/{id}`). */
export const TraceflowSchema = z.object({
  id: z.string(),
  state: z.enum(TRACEFLOW_STATES),
  request: TraceRequestSchema,
  /** The observed path (completed; failed too, with what was seen, and `unreachable` where a
   *  node could not be asked). */
  path: TracePathSchema.optional(),
  /** The per-node passes the path was assembled from. */
  passes: z.array(TracePassSchema).optional(),
  /** Failed: why, naming the members and nodes that did not answer. */
  error: z.string().optional(),
  /** From the request to the answer, in ms. */
  durationMs: z.int().optional(),
});
export type Traceflow = z.infer<typeof TraceflowSchema>;

/** The answer to `POST /api/v1/traceflows`: where to look for the result. */
export const TraceflowCreatedSchema = TraceflowSchema.pick({ id: true, state: true });
export type TraceflowCreated = z.infer<typeof TraceflowCreatedSchema>;
