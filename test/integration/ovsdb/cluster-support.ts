// A private 3-member (or 5-member) clustered ovsdb-server running our own schema: one temp dir,
// one ovsdb-server child process per member, Raft on 127.0.0.1. Members are our children (not
// --detach), so we can kill one to force an election and are sure to reap them all in stop().
import { mkdtemp, rm } from 'node:fs/promises';
import { freePort } from '../../support/free-port.ts';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa, type ResultPromise } from 'execa';

export const NVSTORE_SCHEMA = resolve(import.meta.dirname, '../../fixtures/ovsdb/nvstore.ovsschema');
export const NVSTORE_DB = 'NvStore';

export interface ClusterMember {
  index: number;
  remote: string;
  raftRemote: string;
  dbFile: string;
  process: ResultPromise | undefined;
}

export interface LocalCluster {
  dir: string;
  members: ClusterMember[];
  remotes: string[];
  /** SIGKILLs one member's ovsdb-server and waits for it to be gone. */
  kill(remote: string): Promise<void>;
  /** ovs-appctl against one member's ovsdb-server. */
  appctl(remote: string, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Files of a member's key, certificate and the authority it takes clients and Raft peers from. */
export interface MemberSsl {
  key: string;
  cert: string;
  ca: string;
}

/** `ssl`: every member's clients and Raft peers over TLS (ssl:, pssl:), as a lab's members with
 *  TLS (image/lib/controller.sh), with member i's files. */
export async function startLocalCluster(size = 3, options: { ssl?: (index: number) => MemberSsl } = {}): Promise<LocalCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'nvlab-ovsdb-cluster-'));
  const members: ClusterMember[] = [];
  const proto = options.ssl ? 'ssl' : 'tcp';
  for (let i = 0; i < size; i++) {
    members.push({
      index: i,
      remote: `${proto}:127.0.0.1:${await freePort()}`,
      raftRemote: `${proto}:127.0.0.1:${await freePort()}`,
      dbFile: join(dir, `m${i}.db`),
      process: undefined,
    });
  }
  const start = (m: ClusterMember) => {
    const port = m.remote.split(':')[2]!;
    const ssl = options.ssl?.(m.index);
    m.process = execa(
      'ovsdb-server',
      [
        `--remote=p${proto}:${port}:127.0.0.1`,
        ...(ssl ? [`--private-key=${ssl.key}`, `--certificate=${ssl.cert}`, `--ca-cert=${ssl.ca}`] : []),
        `--pidfile=${join(dir, `m${m.index}.pid`)}`,
        `--unixctl=${join(dir, `m${m.index}.ctl`)}`,
        `--log-file=${join(dir, `m${m.index}.log`)}`,
        m.dbFile,
      ],
      { reject: false, stdio: 'ignore', env: { OVS_RUNDIR: dir, OVS_LOGDIR: dir, OVS_DBDIR: dir } },
    );
  };
  const cluster: LocalCluster = {
    dir,
    members,
    remotes: members.map((m) => m.remote),
    kill: async (remote) => {
      const m = members.find((x) => x.remote === remote);
      if (!m?.process) return;
      m.process.kill('SIGKILL');
      await m.process;
      m.process = undefined;
    },
    appctl: async (remote, ...args) => {
      const m = members.find((x) => x.remote === remote)!;
      return (await execa('ovs-appctl', ['-t', join(dir, `m${m.index}.ctl`), ...args])).stdout;
    },
    stop: async () => {
      for (const m of members) {
        if (!m.process) continue;
        m.process.kill('SIGTERM');
        const timer = setTimeout(() => m.process?.kill('SIGKILL'), 5000);
        await m.process;
        clearTimeout(timer);
        m.process = undefined;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    const [first, ...rest] = members;
    await execa('ovsdb-tool', ['create-cluster', first!.dbFile, NVSTORE_SCHEMA, first!.raftRemote]);
    for (const m of rest) await execa('ovsdb-tool', ['join-cluster', m.dbFile, NVSTORE_DB, m.raftRemote, first!.raftRemote]);
    for (const m of members) start(m);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/** Polls `probe` until it returns a truthy value (no fixed sleeps in tests). */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false | null> | T | undefined | false | null,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`, { cause: lastError });
    await new Promise((r) => setTimeout(r, 100));
  }
}
