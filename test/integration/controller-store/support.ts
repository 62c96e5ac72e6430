// A local 3-member NvStore cluster running the controller's schema. cluster-support.ts starts
// members from the OVSDB library's test fixture schema; we convert the (empty) clustered database
// online to src/controller/store/nvstore.ovsschema, as an upgrade of a running cluster would.
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { execa } from 'execa';
import { afterAll, beforeAll } from 'vitest';
import { createApi } from '../../../src/controller/index.ts';
import { Store } from '../../../src/controller/store/index.ts';
import { clusterStatus } from '../../../src/ovsdb/index.ts';
import { NVSTORE_DB, startLocalCluster, waitUntil, type LocalCluster } from '../ovsdb/cluster-support.ts';

export const CONTROLLER_SCHEMA = fileURLToPath(new URL('../../../src/controller/store/nvstore.ovsschema', import.meta.url));

/** Every member connected and exactly one leader. */
export async function healthy(remotes: string[]): Promise<boolean> {
  const s = await clusterStatus(remotes, NVSTORE_DB);
  return s.every((m) => m.info?.connected) && s.filter((m) => m.info?.leader).length === 1;
}

/** Converts the running cluster's database to `schema` online, as an upgrade of a running
 *  cluster would, and waits until every member serves it (stores cache the schema). */
export async function convertOnline(remotes: readonly string[], schema: string): Promise<void> {
  const version = (await execa('ovsdb-tool', ['schema-version', schema])).stdout;
  await execa('ovsdb-client', ['convert', remotes[0]!, schema]);
  await waitUntil(
    async () => {
      for (const r of remotes) if ((await execa('ovsdb-client', ['get-schema-version', r, NVSTORE_DB])).stdout !== version) return false;
      return true;
    },
    30_000,
    `members to serve the converted schema ${version}`,
  );
}

export async function startControllerCluster(size = 3, schema = CONTROLLER_SCHEMA): Promise<LocalCluster> {
  const cluster = await startLocalCluster(size);
  try {
    await waitUntil(() => healthy(cluster.remotes), 60_000, 'cluster to form and elect a leader');
    await convertOnline(cluster.remotes, schema);
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

/**
 * A 3-member cluster with the API on two members, for a test file: member 0's API is reached
 * through fastify's inject (`api0`, `post`), member 1's through a real HTTP listener (`http1`),
 * and `stores` holds a store on each member. Started in beforeAll, stopped in afterAll.
 */
export function useApiCluster() {
  let cluster: LocalCluster | undefined;
  let api0: FastifyInstance | undefined;
  let api1: FastifyInstance | undefined;
  let base1 = '';
  const stores: Store[] = [];
  const remotes: string[] = [];
  beforeAll(async () => {
    cluster = await startControllerCluster(3);
    remotes.push(...cluster.remotes);
    stores.push(...(await Promise.all(cluster.remotes.map((r) => Store.open([r])))));
    api0 = createApi({ store: stores[0]!, member: 'ctrl1' });
    api1 = createApi({ store: stores[1]!, member: 'ctrl2' });
    await api1.listen({ port: 0, host: '127.0.0.1' });
    const addr = api1.server.address() as { port: number };
    base1 = `http://127.0.0.1:${addr.port}`;
  });
  afterAll(async () => {
    await api0?.close();
    await api1?.close();
    for (const s of stores) await s.close();
    await cluster?.stop();
  });
  const inject = (opts: InjectOptions) => api0!.inject(opts);
  return {
    stores,
    /** The members' store remotes. */
    remotes,
    api0: { inject },
    post: (url: string, payload: unknown) => api0!.inject({ method: 'POST', url, payload: payload as object }),
    http1: async (path: string, init: RequestInit = {}) => {
      const res = await fetch(`${base1}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
    },
  };
}
