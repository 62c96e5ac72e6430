// `nvlab console`: where a running lab's web console is. Every controller member serves it at
// `/` of its API port; the Raft leader's comes first, then every other member that answers.
import { API_PORT } from '../model/index.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { NvlabError } from '../util/errors.ts';
import { labMembers } from './status/index.ts';

export interface ConsoleUrl {
  member: string;
  url: string;
  raft?: string | undefined;
}

export async function consoleUrls(runtime: Runtime, lab: string): Promise<ConsoleUrl[]> {
  const answering = (await labMembers(runtime, lab)).filter((m) => m.ip && m.error === undefined);
  if (answering.length === 0) throw new NvlabError('NO_ANSWER', `no controller member of lab ${lab} answers`);
  answering.sort((a, b) => Number(b.raft === 'leader') - Number(a.raft === 'leader'));
  return answering.map((m) => ({ member: m.name, url: `http://${m.ip}:${API_PORT}/`, raft: m.raft }));
}
