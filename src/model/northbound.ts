// The northbound API's contract: where each resource lives, its schemas, and the bodies of its
// answers (errors, status). The controller serves it, the OpenAPI document describes it, and the
// lab runner's client speaks it, all from these definitions.
import { z } from 'zod';
import {
  LogicalPortSchema,
  LogicalPortUpdateSchema,
  LogicalRouterSchema,
  LogicalRouterUpdateSchema,
  LogicalSwitchSchema,
  LogicalSwitchUpdateSchema,
  SecurityGroupSchema,
  SecurityGroupUpdateSchema,
  TransportNodeSchema,
  TransportNodeUpdateSchema,
} from './resources.ts';
import { RAFT_ROLES } from './status.ts';
import { RESOURCE_SEGMENTS } from './api-paths.ts';

/** A resource of the API: its URL segment, what people call one, its component name in the
 *  OpenAPI document, and its schemas (create, which is also the stored form, and update). */
export interface ResourceDescription<C extends z.ZodType = z.ZodType, U extends z.ZodType = z.ZodType> {
  segment: string;
  kind: string;
  component: string;
  schema: C;
  update: U;
}

const describe = <C extends z.ZodType, U extends z.ZodType>(r: ResourceDescription<C, U>) => r;

/** Every resource, in the order a configuration is pushed (each refers only to those before). */
export const RESOURCES = {
  transportNodes: describe({
    segment: RESOURCE_SEGMENTS.transportNodes,
    kind: 'transport node',
    component: 'TransportNode',
    schema: TransportNodeSchema,
    update: TransportNodeUpdateSchema,
  }),
  logicalSwitches: describe({
    segment: RESOURCE_SEGMENTS.logicalSwitches,
    kind: 'logical switch',
    component: 'LogicalSwitch',
    schema: LogicalSwitchSchema,
    update: LogicalSwitchUpdateSchema,
  }),
  // Before ports, which name the groups they are in.
  securityGroups: describe({
    segment: RESOURCE_SEGMENTS.securityGroups,
    kind: 'security group',
    component: 'SecurityGroup',
    schema: SecurityGroupSchema,
    update: SecurityGroupUpdateSchema,
  }),
  logicalPorts: describe({
    segment: RESOURCE_SEGMENTS.logicalPorts,
    kind: 'logical port',
    component: 'LogicalPort',
    schema: LogicalPortSchema,
    update: LogicalPortUpdateSchema,
  }),
  logicalRouters: describe({
    segment: RESOURCE_SEGMENTS.logicalRouters,
    kind: 'logical router',
    component: 'LogicalRouter',
    schema: LogicalRouterSchema,
    update: LogicalRouterUpdateSchema,
  }),
} as const;

export type ResourceName = keyof typeof RESOURCES;

export const IssueSchema = z.object({
  /** Dotted path into the body ("vni", "ports.0.mac"); "" for the body itself. */
  path: z.string(),
  message: z.string(),
});

/** Every error answer: a short word for the kind of error, and a sentence for people. */
export const ErrorSchema = z.object({
  error: z.string(),
  detail: z.string(),
});

export const ValidationErrorSchema = ErrorSchema.extend({
  error: z.literal('invalid'),
  issues: z.array(IssueSchema),
});

export const NoQuorumErrorSchema = ErrorSchema.extend({
  error: z.literal('no quorum'),
  /** "no": the write was not applied; "unknown": it reached the store and may still commit. */
  applied: z.enum(['no', 'unknown']),
});

export const StatusSchema = z
  .object({
    member: z.string(),
    store: z.object({
      remote: z.string().optional(),
      connected: z.boolean(),
      synced: z.boolean(),
      available: z.boolean(),
      model: z.string().optional(),
      clusterConnected: z.boolean().optional(),
      leader: z.boolean().optional(),
      /** This member's Raft role (from `leader` and `clusterConnected`). */
      role: z.enum(RAFT_ROLES).optional(),
      index: z.int().optional(),
    }),
    members: z.array(z.object({ name: z.string(), expires: z.int(), live: z.boolean() })),
    masterships: z.array(z.object({ node: z.string(), member: z.string(), generation: z.int() })),
    /** The transport nodes this member masters, and those of them fully programmed. */
    masterOf: z.array(z.string()).optional(),
    programmed: z.array(z.string()).optional(),
  })
  .catchall(z.unknown());

export const listOf = <S extends z.ZodType>(item: S) => z.object({ items: z.array(item) });

export type Issue = z.infer<typeof IssueSchema>;
export type ValidationErrorBody = z.infer<typeof ValidationErrorSchema>;
export type ErrorBody = z.infer<typeof ErrorSchema>;
export type NoQuorumErrorBody = z.infer<typeof NoQuorumErrorSchema>;
export type Status = z.infer<typeof StatusSchema>;

/**
 * What a client needs to call a lab's API: its token (`Authorization: Bearer`), and, when the
 * lab runs TLS, the PEM certificate of the authority that signed the members' certificates
 * (then the API is HTTPS and the client trusts that authority alone).
 */
export interface ApiCredentials {
  token: string;
  ca?: string;
}
