// A lab's state on the host, in a temporary NVLAB_STATE_DIR: made at deploy (0700, files 0600),
// read back for a node added later, removed by destroy and by a deploy's rollback, and nothing
// else removed with it.
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { parseTopology } from '../topology/load.ts';
import { planLab } from '../topology/plan.ts';
import type { NodeSpec, Runtime } from '../runtime/runtime.ts';
import { LABEL_LAB, LABEL_NETWORK, PKI_FILES, TLS_ENV } from '../model/index.ts';
import {
  STATE_FILES,
  apiCredentialsOf,
  createLabState,
  hasLabState,
  labStateDir,
  readApiCredentials,
  readLabSecrets,
  removeLabState,
} from './lab-state.ts';
import { destroyLab } from './destroy.ts';
import { deployLab } from './deploy.ts';
import { addTransportNode } from './transport-nodes.ts';

let root: string;
const saved = process.env.NVLAB_STATE_DIR;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'nvlab-state-'));
  process.env.NVLAB_STATE_DIR = root;
});
afterEach(async () => {
  if (saved === undefined) delete process.env.NVLAB_STATE_DIR;
  else process.env.NVLAB_STATE_DIR = saved;
  await rm(root, { recursive: true, force: true });
});

const mode = async (path: string) => (await stat(path)).mode & 0o777;
const signedBy = (pem: string, ca: string) => new X509Certificate(pem).verify(new X509Certificate(ca).publicKey);

/** A runtime holding nothing but the networks given; what it was asked to create is recorded. */
function fakeRuntime(networks: { name: string; key: string; subnet: string }[] = [], hooks: Partial<Runtime> = {}) {
  const created: NodeSpec[] = [];
  const runtime = {
    kind: 'fake',
    prepare: async () => '',
    usedSubnets: async () => [],
    listContainers: async () => [],
    listNetworks: async () =>
      networks.map((n) => ({ name: n.name, subnet: n.subnet, labels: { [LABEL_LAB]: 'x', [LABEL_NETWORK]: n.key } })),
    createNetwork: async () => {},
    createNode: async (spec: NodeSpec) => void created.push(spec),
    start: async () => {},
    removeContainer: async () => {},
    removeNetwork: async () => {},
    ...hooks,
  } as unknown as Runtime;
  return { runtime, created };
}

describe('the state of a lab', () => {
  test('with TLS: a directory only root reads, holding a fresh token and both authorities', async () => {
    const secrets = await createLabState('lab1', { tls: true });
    const dir = labStateDir('lab1');
    expect(dir).toBe(join(root, 'labs', 'lab1'));
    expect(await mode(dir)).toBe(0o700);
    expect((await readdir(dir)).sort()).toEqual(Object.values(STATE_FILES).sort());
    for (const name of await readdir(dir)) expect([name, await mode(join(dir, name))]).toEqual([name, 0o600]);
    expect(secrets.apiToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { controllers, nodes } = secrets.authorities!;
    expect(new X509Certificate(controllers.certificate).subject).toBe('CN=nvlab lab1 controllers CA');
    expect(new X509Certificate(nodes.certificate).subject).toBe('CN=nvlab lab1 transport nodes CA');
    expect(await readLabSecrets('lab1')).toEqual({
      apiToken: secrets.apiToken,
      authorities: {
        controllers: { certificate: controllers.certificate, privateKey: controllers.privateKey },
        nodes: { certificate: nodes.certificate, privateKey: nodes.privateKey },
      },
    });
    expect(await readApiCredentials('lab1')).toEqual({ token: secrets.apiToken, ca: controllers.certificate });
    expect(apiCredentialsOf(secrets)).toEqual(await readApiCredentials('lab1'));
  });

  test('without TLS: the token alone; made again, it is fresh', async () => {
    const first = await createLabState('lab2', { tls: false });
    expect(await readdir(labStateDir('lab2'))).toEqual([STATE_FILES.token]);
    expect(await readApiCredentials('lab2')).toEqual({ token: first.apiToken });
    expect(apiCredentialsOf(first)).toEqual(await readApiCredentials('lab2'));
    const second = await createLabState('lab2', { tls: false });
    expect(second.apiToken).not.toBe(first.apiToken);
    expect(await readLabSecrets('lab2')).toEqual({ apiToken: second.apiToken });
  });

  test("is removed by destroy, and nothing else: not another lab's, not the labs' directory", async () => {
    await Promise.all([createLabState('gone', { tls: true }), createLabState('kept', { tls: false })]);
    const { runtime } = fakeRuntime();
    expect(await destroyLab(runtime, 'gone')).toEqual({ lab: 'gone', containers: 0, networks: 0 });
    expect(existsSync(labStateDir('gone'))).toBe(false);
    expect(await readdir(join(root, 'labs'))).toEqual(['kept']);
    // A lab without state (deployed before lab state, or already cleaned) is destroyed as before.
    await expect(destroyLab(runtime, 'gone')).resolves.toEqual({ lab: 'gone', containers: 0, networks: 0 });
    expect(await hasLabState('kept')).toBe(true);
  });

  test('destroy removes members first, tries a container the engine failed to remove again, and names one it never could', async () => {
    await createLabState('busy', { tls: false });
    const containers = ['nvlab-busy-hv1', 'nvlab-busy-ctrl1', 'nvlab-busy-hv2', 'nvlab-busy-ctrl2'].map((name) => ({
      name,
      labels: { [LABEL_LAB]: 'busy', 'nvlab.role': name.includes('ctrl') ? 'controller' : 'hypervisor' },
      state: 'running',
      addresses: {},
    }));
    const removed: string[] = [];
    const failures = new Map([['nvlab-busy-hv1', 2]]);
    const { runtime } = fakeRuntime([], {
      listContainers: async () => containers,
      removeContainer: async (name: string) => {
        const left = failures.get(name) ?? 0;
        if (left > 0) {
          failures.set(name, left - 1);
          throw new Error(`${name}: did not receive an exit event`);
        }
        removed.push(name);
      },
    });
    await destroyLab(runtime, 'busy', 1);
    expect(removed).toEqual(['nvlab-busy-ctrl1', 'nvlab-busy-ctrl2', 'nvlab-busy-hv2', 'nvlab-busy-hv1']);
    expect(await hasLabState('busy')).toBe(false);

    await createLabState('busy', { tls: false });
    failures.set('nvlab-busy-hv2', Infinity);
    await expect(destroyLab(runtime, 'busy')).rejects.toThrow(
      /destroy busy: 1 container\(s\) could not be removed \(nvlab-busy-hv2\): nvlab-busy-hv2: did not receive/,
    );
    expect(await hasLabState('busy')).toBe(true);
  });

  test('never leaves the labs directory, whatever the name', async () => {
    await mkdir(join(root, 'labs'), { recursive: true });
    await writeFile(join(root, 'precious'), 'x');
    expect(() => labStateDir('../precious')).toThrow(/not a lab name/);
    expect(await hasLabState('..')).toBe(false);
    expect(await removeLabState('../precious')).toBe(false);
    expect(existsSync(join(root, 'precious'))).toBe(true);
  });
});

const planOf = (...rows: string[]) => planLab(parseTopology(['name: roll', ...rows, ''].join('\n'), 'roll.yaml').topology);

describe('a deploy', () => {
  test('makes the state before the nodes, which carry its certificates; its rollback removes the state', async () => {
    // External controllers: no member, so no controller bundle is built here.
    const plan = planOf('controllers: { external: [tcp:192.0.2.10:6653] }', 'transport-nodes: { hv1: hypervisor }');
    const seen: { state: boolean; spec: NodeSpec }[] = [];
    const { runtime } = fakeRuntime([], {
      createNode: async (spec: NodeSpec) => void seen.push({ state: existsSync(labStateDir('roll')), spec }),
      createNetwork: async () => {
        throw new Error('injected failure');
      },
    });
    await expect(deployLab(runtime, plan)).rejects.toMatchObject({ code: 'DEPLOY', message: expect.stringContaining('injected failure') });
    expect(seen.map((s) => [s.spec.hostname, s.state])).toEqual([['hv1', true]]);
    expect(seen[0]?.spec.files?.map((f) => f.path)).toEqual([PKI_FILES.key, PKI_FILES.certificate, PKI_FILES.controllersCa]);
    expect(existsSync(labStateDir('roll'))).toBe(false);
    expect(existsSync(join(root, 'labs'))).toBe(true);
  });
});

describe('a transport node added at run time', () => {
  const networks = [
    { name: 'nvlab-x-mgmt', key: 'mgmt', subnet: '172.31.9.0/24' },
    { name: 'nvlab-x-underlay', key: 'underlay', subnet: '172.30.9.0/24' },
  ];

  test("gets its certificate from the nodes' authority in the lab's state", async () => {
    const secrets = await createLabState('x', { tls: true });
    const { runtime, created } = fakeRuntime(networks);
    await addTransportNode(runtime, 'x', { name: 'hv9', role: 'hypervisor' });
    const [spec] = created;
    expect(spec?.env[TLS_ENV]).toBe('1');
    const cert = String(spec?.files?.find((f) => f.path === PKI_FILES.certificate)?.content);
    expect(new X509Certificate(cert).subject).toBe('CN=hv9');
    expect(new X509Certificate(cert).checkIP('172.31.9.10')).toBe('172.31.9.10');
    expect(signedBy(cert, secrets.authorities!.nodes.certificate)).toBe(true);
    expect(spec?.files?.find((f) => f.path === PKI_FILES.controllersCa)?.content).toBe(secrets.authorities!.controllers.certificate);
  });

  test('joins a lab without TLS, or without state on this host, in the clear', async () => {
    for (const tls of [false, undefined]) {
      if (tls !== undefined) await createLabState('x', { tls });
      else await removeLabState('x');
      const { runtime, created } = fakeRuntime(networks);
      await addTransportNode(runtime, 'x', { name: 'hv9', role: 'hypervisor' });
      expect(created[0]?.env[TLS_ENV]).toBe('0');
      expect(created[0]?.files).toBeUndefined();
    }
  });
});
