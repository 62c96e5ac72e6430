// What a member serves where: the northbound API's resources (apart from their schemas in
// northbound.ts) and the web console's files, so that a browser page (the console) can build its
// URLs without bringing zod along.
export const API_PREFIX = '/api/v1';

/** What every client of the API (CLI, scenarios, console) says, by name, when a member answers
 *  503 "no quorum": a write cannot commit anywhere until a majority of members is back. */
export const NO_QUORUM_MESSAGE = 'controller cluster has no quorum: a majority of its members is lost or cut off';

/** Each resource's URL segment under API_PREFIX, by resource. */
export const RESOURCE_SEGMENTS = {
  transportNodes: 'transport-nodes',
  logicalSwitches: 'logical-switches',
  securityGroups: 'security-groups',
  logicalPorts: 'logical-ports',
  logicalRouters: 'logical-routers',
} as const;

/** The bindings the distributed routers learned (listed, and forgotten one at a time as
 *  `{switch}/{ip}` below it; never created through the API). */
export const MAC_BINDINGS_PATH = `${API_PREFIX}/mac-bindings`;

/** Every transport node's status, and every logical port's counters, in one answer each (the
 *  console's first paint: a browser asks one origin only a few requests at a time). */
export const BULK_PATHS = {
  nodeStatuses: `${API_PREFIX}/status/transport-nodes`,
  portStatistics: `${API_PREFIX}/statistics/logical-ports`,
} as const;

/** Where a member lays out a graph of the lab (the console asks it: a member keeps what it laid
 *  out, so the console's next load, or the next person's, finds the layout made). */
export const GRAPH_LAYOUT_PATH = `${API_PREFIX}/graph/layout`;

/** The web console, at `/` of the API port: its page, its script (the chunks esbuild splits off it
 *  are served beside it), the script that lays out its graph in a worker, and its style sheet. */
export const CONSOLE_FILES = {
  html: 'index.html',
  script: 'console.js',
  layoutWorker: 'console-layout.js',
  style: 'console.css',
} as const;
