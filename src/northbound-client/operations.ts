// The operations tools' reads of the northbound API: a transport node's status, a logical port's
// status and counters (src/model/status.ts), each as the member that answers sees it, and every
// member of the cluster as the answering one asked them.
import type { z } from 'zod';
import {
  API_PREFIX,
  ClusterMemberSchema,
  listOf,
  LogicalPortStatisticsSchema,
  LogicalPortStatusSchema,
  RESOURCES,
  TransportNodeStatusSchema,
  type ClusterMember,
  type LogicalPortStatistics,
  type LogicalPortStatus,
  type TransportNodeStatus,
} from '../model/index.ts';
import { outcomeOf, type Outcome } from './outcomes.ts';
import type { Transport } from './transport.ts';

export interface OperationsClient {
  transportNodeStatus(name: string): Promise<Outcome<TransportNodeStatus>>;
  logicalPortStatus(name: string): Promise<Outcome<LogicalPortStatus>>;
  logicalPortStatistics(name: string): Promise<Outcome<LogicalPortStatistics>>;
  /** GET /api/v1/members. */
  members(): Promise<Outcome<{ items: ClusterMember[] }>>;
}

export function operationsClient(t: Transport): OperationsClient {
  const get = async <S extends z.ZodType>(path: string, schema: S) => outcomeOf('GET', path, await t.exchange('GET', path), 'ok', schema);
  const item = (segment: string, name: string, what: string) => `${API_PREFIX}/${segment}/${encodeURIComponent(name)}/${what}`;
  return {
    transportNodeStatus: (name) => get(item(RESOURCES.transportNodes.segment, name, 'status'), TransportNodeStatusSchema),
    logicalPortStatus: (name) => get(item(RESOURCES.logicalPorts.segment, name, 'status'), LogicalPortStatusSchema),
    logicalPortStatistics: (name) => get(item(RESOURCES.logicalPorts.segment, name, 'statistics'), LogicalPortStatisticsSchema),
    members: () => get(`${API_PREFIX}/members`, listOf(ClusterMemberSchema)),
  };
}
