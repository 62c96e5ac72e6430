// What a member reads from its switches for the operations tools: node and port status, and a
// port's counters (served at /api/v1/transport-nodes/{name}/status and /logical-ports/{name}/...).
export { SouthboundStatus, type SouthboundReader, type StatusDeps } from './reader.ts';
export { tunnelStatuses, bfdStatus, ovsdbCounters, portCounters, type InterfaceRow } from './tunnel-status.ts';
