// How this host calls a lab's northbound API: with the credentials deploy left in the lab's state
// (lab-state.ts: its token, and its controllers' authority when it runs TLS) and the name of the
// tool that calls (the members' audit logs say who wrote what), so that nobody has to give either.
import type { ClientName } from '../model/index.ts';
import type { ApiAccess } from '../northbound-client/index.ts';
import { NvlabError } from '../util/errors.ts';
import { labStateDir, readApiCredentials } from './lab-state.ts';

/** `lab`'s credentials as this host holds them, for `client`. A lab whose state this host does
 *  not hold gets none (its API answers 401, which the client reports by name). */
export async function labApiAccess(lab: string, client: ClientName = 'cli'): Promise<ApiAccess> {
  try {
    const credentials = await readApiCredentials(lab);
    return credentials ? { credentials, client } : { client };
  } catch (error) {
    throw new NvlabError(
      'NO_CREDENTIALS',
      `the API token of lab ${lab} (in ${labStateDir(lab)}, readable by root only) cannot be read: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error, exitCode: 2 },
    );
  }
}
