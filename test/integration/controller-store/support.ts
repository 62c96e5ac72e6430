// A local 3-member NvStore cluster running the controller's schema. cluster-support.ts starts
// members from the OVSDB library's test fixture schema; we convert the (empty) clustered database
// online to src/controller/store/nvstore.ovsschema, as an upgrade of a running cluster would.
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { clusterStatus } from '../../../src/ovsdb/index.ts';
import { NVSTORE_DB, startLocalCluster, waitUntil, type LocalCluster } from '../ovsdb/cluster-support.ts';

export const CONTROLLER_SCHEMA = fileURLToPath(new URL('../../../src/controller/store/nvstore.ovsschema', import.meta.url));

/** Every member connected and exactly one leader. */
export async function healthy(remotes: string[]): Promise<boolean> {
  const s = await clusterStatus(remotes, NVSTORE_DB);
  return s.every((m) => m.info?.connected) && s.filter((m) => m.info?.leader).length === 1;
}

export async function startControllerCluster(size = 3): Promise<LocalCluster> {
  const cluster = await startLocalCluster(size);
  try {
    await waitUntil(() => healthy(cluster.remotes), 60_000, 'cluster to form and elect a leader');
    await execa('ovsdb-client', ['convert', cluster.remotes[0]!, CONTROLLER_SCHEMA]);
    // Every member must serve the new schema before stores connect (they cache it).
    await waitUntil(
      async () => {
        for (const r of cluster.remotes) {
          const { stdout } = await execa('ovsdb-client', ['list-tables', r, NVSTORE_DB]);
          if (!stdout.includes('Transport_Node')) return false;
        }
        return true;
      },
      30_000,
      'members to serve the converted schema',
    );
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** SIGSTOP / SIGCONT one member: it stays "up" but answers nobody, like a partitioned host. */
export function freeze(cluster: LocalCluster, remote: string, frozen: boolean): void {
  const m = cluster.members.find((x) => x.remote === remote);
  if (m?.process?.pid) process.kill(m.process.pid, frozen ? 'SIGSTOP' : 'SIGCONT');
}

export { NVSTORE_DB, waitUntil, type LocalCluster };
