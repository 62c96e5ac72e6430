// How a client proves itself to the northbound API, and says which of our clients it is: the
// lab's token as a bearer token on every /api/ route, and the client's name for the members'
// audit logs. Free of zod, so that the browser console can import it alone.

/** The authentication scheme of the `Authorization` header (`Bearer <token>`). */
export const AUTH_SCHEME = 'Bearer';

/** The header our clients name themselves in (the audit log's `who.client`); the API trusts it
 *  for nothing, it only says which tool a write came from. */
export const CLIENT_HEADER = 'x-nvlab-client';

/** The header our clients send to ask a member to say that it works on their request while it
 *  does (an interim `102 Processing` every PROGRESS_INTERVAL_MS): a client then waits for a member
 *  that is slow but working, and still leaves one that falls silent. */
export const PROGRESS_HEADER = 'x-nvlab-progress';
export const PROGRESS_INTERVAL_MS = 1000;

/** Our clients of the API: the CLI, the scenario runner, the web console, deploy (pushing the
 *  logical configuration), and a member asking its peers. */
export const CLIENT_NAMES = ['cli', 'scenario', 'console', 'deploy', 'member'] as const;
export type ClientName = (typeof CLIENT_NAMES)[number];

/** The holder of the lab's token (the audit log's `who.holder`); a refused request has none. */
export const TOKEN_HOLDER = 'owner';
export const ANONYMOUS = 'anonymous';

/** The key of the console URL's fragment that carries the token (`#token=...`): a fragment is
 *  never sent to the server, so the token stays out of access logs and Referer headers. */
export const CONSOLE_TOKEN_KEY = 'token';

/** What our clients say when the API refuses them for the token (401). */
export const UNAUTHORIZED_MESSAGE = "controller cluster refused the request for want of the lab's API token (missing, or not this lab's)";
