// A local 3-member NvStore cluster running the controller's schema. cluster-support.ts starts
// members from the OVSDB library's test fixture schema; we convert the (empty) clustered database
// online to src/controller/store/nvstore.ovsschema, as an upgrade of a running cluster would.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { execa } from 'execa';
import { afterAll, beforeAll } from 'vitest';
import { auditFile, createApi, type AuditEntry } from '../../../src/controller/index.ts';
import { Store } from '../../../src/controller/store/index.ts';
import { clusterStatus } from '../../../src/ovsdb/index.ts';
import { apiRequest, testApiSecurity, type ApiSecurity } from '../../support/api-security.ts';
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
 * A 3-member cluster with the API on two members, both wanting the lab's token and writing their
 * audit logs to files, for a test file: member 0's API is reached through fastify's inject
 * (`api0`, `post`; with the token, or `api0.anonymous` without), member 1's through a real HTTPS
 * listener with a certificate of the lab's authority (`http1`, with the lab's credentials), and
 * `stores` holds a store on each member. Started in beforeAll, stopped in afterAll.
 */
export function useApiCluster() {
  let cluster: LocalCluster | undefined;
  let api0: FastifyInstance | undefined;
  let api1: FastifyInstance | undefined;
  let port1 = 0;
  let security: ApiSecurity;
  let logs = '';
  const audits: ReturnType<typeof auditFile>[] = [];
  const stores: Store[] = [];
  const remotes: string[] = [];
  beforeAll(async () => {
    [cluster, security, logs] = await Promise.all([
      startControllerCluster(3),
      testApiSecurity('127.0.0.1'),
      mkdtemp(join(tmpdir(), 'nvlab-audit-')),
    ]);
    remotes.push(...cluster.remotes);
    stores.push(...(await Promise.all(cluster.remotes.map((r) => Store.open([r])))));
    audits.push(auditFile(join(logs, 'ctrl1.log')), auditFile(join(logs, 'ctrl2.log')));
    api0 = createApi({ store: stores[0]!, member: 'ctrl1', token: security.token, audit: audits[0] });
    api1 = createApi({ store: stores[1]!, member: 'ctrl2', token: security.token, tls: security.tls, audit: audits[1] });
    await api1.listen({ port: 0, host: '127.0.0.1' });
    port1 = (api1.server.address() as { port: number }).port;
  });
  afterAll(async () => {
    await api0?.close();
    await api1?.close();
    for (const a of audits) await a.close();
    for (const s of stores) await s.close();
    await cluster?.stop();
    if (logs) await rm(logs, { recursive: true, force: true });
  });
  const withToken = (opts: InjectOptions): InjectOptions => ({
    ...opts,
    headers: { authorization: `Bearer ${security.token}`, ...opts.headers },
  });
  return {
    stores,
    /** The members' store remotes. */
    remotes,
    api0: { inject: (opts: InjectOptions) => api0!.inject(withToken(opts)), anonymous: (opts: InjectOptions) => api0!.inject(opts) },
    post: (url: string, payload: unknown) => api0!.inject(withToken({ method: 'POST', url, payload: payload as object })),
    /** One request to member 1 over HTTPS with the lab's credentials; `body` is JSON text. */
    http1: async (path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) => {
      const res = await apiRequest({ port: port1 }, path, {
        ...init,
        payload: init.body,
        token: security.token,
        ca: security.credentials.ca!,
      });
      // Any, as JSON.parse gives: the tests read what they expect of each answer.
      return { status: res.status, headers: res.headers, body: JSON.parse(res.text || 'null') ?? undefined };
    },
    /** Member 1's HTTPS port and the lab's API security (its authority, the token). */
    secure: () => ({ port: port1, ...security }),
    /** What a member's audit log holds (ctrl1, ctrl2), line by line. */
    audit: async (member: 'ctrl1' | 'ctrl2'): Promise<AuditEntry[]> =>
      (await readFile(join(logs, `${member}.log`), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as AuditEntry),
  };
}
