// What a member serves where: the northbound API's resources (apart from their schemas in
// northbound.ts) and the web console's files, so that a browser page (the console) can build its
// URLs without bringing zod along.
export const API_PREFIX = '/api/v1';

/** Each resource's URL segment under API_PREFIX, by resource. */
export const RESOURCE_SEGMENTS = {
  transportNodes: 'transport-nodes',
  logicalSwitches: 'logical-switches',
  logicalPorts: 'logical-ports',
  logicalRouters: 'logical-routers',
} as const;

/** The web console, at `/` of the API port: its page, its script (the chunks esbuild splits off it
 *  are served beside it), the script that lays out its graph in a worker, and its style sheet. */
export const CONSOLE_FILES = {
  html: 'index.html',
  script: 'console.js',
  layoutWorker: 'console-layout.js',
  style: 'console.css',
} as const;
