// Where the northbound API's resources live, apart from their schemas (northbound.ts) so that a
// browser page (the web console) can build its URLs without bringing zod along.
export const API_PREFIX = '/api/v1';

/** Each resource's URL segment under API_PREFIX, by resource. */
export const RESOURCE_SEGMENTS = {
  transportNodes: 'transport-nodes',
  logicalSwitches: 'logical-switches',
  logicalPorts: 'logical-ports',
  logicalRouters: 'logical-routers',
} as const;
