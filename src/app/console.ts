// `nvlab console`: where a running lab's web console is. Every controller member serves it at
// `/` of its API port; the Raft leader's comes first, then every other member that answers. Each
// URL carries the lab's API token in its fragment (`#token=...`), which a browser never sends to
// the server: the page takes it from there, so the user gives nothing.
import { API_PORT, CONSOLE_TOKEN_KEY, type ApiCredentials } from '../model/index.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { NvlabError } from '../util/errors.ts';
import { labApiAccess } from './lab-api.ts';
import { labStateDir, STATE_FILES } from './lab-state.ts';
import { labMembers } from './status/index.ts';

export interface ConsoleUrl {
  member: string;
  url: string;
  raft?: string | undefined;
}

export interface ConsoleUrls {
  urls: ConsoleUrl[];
  /** Over HTTPS: the file of the lab's own authority, which signed the members' certificates
   *  (a browser that does not trust it asks the user first). */
  authority?: string;
}

/** The console of the member at `ip`: HTTPS when the lab runs TLS, the token in the fragment. */
export function consoleUrl(ip: string, credentials: ApiCredentials | undefined): string {
  const fragment = credentials ? `#${CONSOLE_TOKEN_KEY}=${encodeURIComponent(credentials.token)}` : '';
  return `${credentials?.ca ? 'https' : 'http'}://${ip}:${API_PORT}/${fragment}`;
}

export async function consoleUrls(runtime: Runtime, lab: string): Promise<ConsoleUrl[]> {
  return (await labConsole(runtime, lab)).urls;
}

export async function labConsole(runtime: Runtime, lab: string): Promise<ConsoleUrls> {
  const access = await labApiAccess(lab);
  const answering = (await labMembers(runtime, lab)).filter((m) => m.ip && m.error === undefined);
  if (answering.length === 0) throw new NvlabError('NO_ANSWER', `no controller member of lab ${lab} answers`);
  answering.sort((a, b) => Number(b.raft === 'leader') - Number(a.raft === 'leader'));
  const urls = answering.map((m) => ({ member: m.name, url: consoleUrl(m.ip!, access.credentials), raft: m.raft }));
  return { urls, ...(access.credentials?.ca ? { authority: `${labStateDir(lab)}/${STATE_FILES.controllersCa}` } : {}) };
}
