// What each kind of node carries of the lab's secrets: which files (all root-only) with which
// certificates, NVLAB_TLS in every node's environment, and ssl: targets to the members.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { createAuthority } from '../pki/index.ts';
import { parseTopology } from '../topology/load.ts';
import { planLab } from '../topology/plan.ts';
import type { NodeFile, NodeSpec } from '../runtime/runtime.ts';
import { API_TOKEN_FILE, PKI_FILES, TLS_ENV } from '../model/index.ts';
import { membersOf, nodeKinds, type LabSecrets } from './index.ts';
import { memberSecretFiles, secretFilesByNode } from './secrets.ts';

const topology = (...extra: string[]) =>
  planLab(
    parseTopology(
      [
        'name: t',
        'transport-nodes: { hv1: hypervisor, sn1: service-node, gw1: l2-gateway, gw2: l3-gateway }',
        'physical-networks: { office: { subnet: 192.168.10.0/24, hosts: { printer: 192.168.10.50 } } }',
        'logical-switches:',
        '  web: { subnet: 10.0.1.0/24, ports: { web1: { on: hv1, ip: 10.0.1.11 } }, l2-gateway: { on: gw1, network: office } }',
        ...extra,
        '',
      ].join('\n'),
      't.yaml',
    ).topology,
  );

/** Every node's spec as deploy makes it: each kind's prepare (the controller's assets left out:
 *  they are a bundle build, and not secrets), then specs. */
async function deployedSpecs(plan: ReturnType<typeof topology>, secrets: LabSecrets): Promise<NodeSpec[]> {
  const prepared = new Map<string, unknown>();
  for (const role of nodeKinds.roles()) {
    if (role === 'controller') {
      const files = await secretFilesByNode(membersOf(plan), (m) => memberSecretFiles(secrets, m));
      prepared.set(role, { assets: { files: [] }, secrets: files });
    } else prepared.set(role, await nodeKinds.get(role).prepare?.(plan, secrets));
  }
  return nodeKinds.specs(plan, prepared);
}

const text = (files: NodeFile[] | undefined, path: string) => String(files?.find((f) => f.path === path)?.content);
const paths = (spec: NodeSpec | undefined) => (spec?.files ?? []).map((f) => f.path);

describe('a lab with TLS (the default)', () => {
  const plan = topology();
  let secrets: LabSecrets;
  let specs: NodeSpec[];
  const spec = (node: string) => specs.find((s) => s.hostname === node);
  const signedBy = (pem: string, ca: string) => new X509Certificate(pem).verify(new X509Certificate(ca).publicKey);

  beforeAll(async () => {
    const [controllers, nodes] = await Promise.all([createAuthority('t controllers'), createAuthority('t nodes')]);
    secrets = { apiToken: 'tok-en_1', authorities: { controllers, nodes } };
    specs = await deployedSpecs(plan, secrets);
  });

  test('members get their key and certificate, both authorities and the API token, all root-only', () => {
    const { controllers, nodes } = secrets.authorities!;
    for (const member of membersOf(plan)) {
      const files = spec(member.name)?.files;
      expect(paths(spec(member.name))).toEqual([
        PKI_FILES.key,
        PKI_FILES.certificate,
        PKI_FILES.controllersCa,
        PKI_FILES.nodesCa,
        API_TOKEN_FILE,
      ]);
      expect(files?.map((f) => f.mode)).toEqual(Array(5).fill(0o600));
      const cert = new X509Certificate(text(files, PKI_FILES.certificate));
      expect(cert.subject).toBe(`CN=${member.name}`);
      expect(cert.checkIP(member.mgmtIp)).toBe(member.mgmtIp);
      expect(cert.checkHost(member.name)).toBe(member.name);
      expect(signedBy(cert.toString(), controllers.certificate)).toBe(true);
      expect(cert.checkPrivateKey(createPrivateKey(text(files, PKI_FILES.key)))).toBe(true);
      expect(text(files, PKI_FILES.controllersCa)).toBe(controllers.certificate);
      expect(text(files, PKI_FILES.nodesCa)).toBe(nodes.certificate);
      expect(text(files, API_TOKEN_FILE)).toBe('tok-en_1\n');
    }
    // Each member its own key.
    expect(new Set(membersOf(plan).map((m) => text(spec(m.name)?.files, PKI_FILES.key))).size).toBe(3);
  });

  test("transport nodes get their own key and certificate from the nodes' authority and the controllers' authority, nothing more", () => {
    const { controllers, nodes } = secrets.authorities!;
    for (const node of plan.transportNodes) {
      const files = spec(node.name)?.files;
      expect(paths(spec(node.name))).toEqual([PKI_FILES.key, PKI_FILES.certificate, PKI_FILES.controllersCa]);
      expect(files?.map((f) => f.mode)).toEqual([0o600, 0o600, 0o600]);
      const cert = text(files, PKI_FILES.certificate);
      expect(new X509Certificate(cert).subject).toBe(`CN=${node.name}`);
      // Signed by the nodes' authority only: a switch's certificate opens no member-to-member channel.
      expect(signedBy(cert, nodes.certificate)).toBe(true);
      expect(signedBy(cert, controllers.certificate)).toBe(false);
      expect(new X509Certificate(cert).checkPrivateKey(createPrivateKey(text(files, PKI_FILES.key)))).toBe(true);
      expect(text(files, PKI_FILES.controllersCa)).toBe(controllers.certificate);
    }
  });

  test('hosts get no files; every node has NVLAB_TLS=1', () => {
    expect(spec('printer')?.files).toBeUndefined();
    expect(specs.map((s) => [s.hostname, s.env[TLS_ENV]])).toEqual(specs.map((s) => [s.hostname, '1']));
  });

  test("transport nodes reach every member's OVSDB and OpenFlow ports over ssl:", () => {
    const ips = membersOf(plan).map((m) => m.mgmtIp);
    for (const node of plan.transportNodes) {
      expect(spec(node.name)?.env.NVLAB_MANAGERS).toBe(ips.map((ip) => `ssl:${ip}:6640`).join(' '));
      expect(spec(node.name)?.env.NVLAB_CONTROLLERS).toBe(ips.map((ip) => `ssl:${ip}:6653`).join(' '));
    }
  });

  test('issues the certificates of a 200-node lab in about a second', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => `  hv${i + 1}: hypervisor`);
    const big = planLab(parseTopology(['name: big', 'transport-nodes:', ...rows, ''].join('\n'), 'big.yaml').topology);
    const started = performance.now();
    const made = await nodeKinds.get('hypervisor').prepare?.(big, secrets);
    const ms = performance.now() - started;
    expect((made as ReadonlyMap<string, NodeFile[]>).size).toBe(200);
    // About 1 s on 2 busy cores; the bound leaves room for a loaded test machine.
    expect(ms).toBeLessThan(5_000);
  });
});

describe('a lab with tls: false', () => {
  const plan = topology('security: { tls: false }');
  let specs: NodeSpec[];
  const spec = (node: string) => specs.find((s) => s.hostname === node);

  beforeAll(async () => {
    specs = await deployedSpecs(plan, { apiToken: 'plain-token' });
  });

  test('members still get the API token, and nothing else of TLS; other nodes get no files', () => {
    for (const member of membersOf(plan)) {
      expect(spec(member.name)?.files).toEqual([{ path: API_TOKEN_FILE, content: 'plain-token\n', mode: 0o600 }]);
    }
    for (const node of [...plan.transportNodes.map((n) => n.name), 'printer']) expect(spec(node)?.files).toBeUndefined();
  });

  test('every node has NVLAB_TLS=0, and transport nodes reach the members over tcp:', () => {
    expect(new Set(specs.map((s) => s.env[TLS_ENV]))).toEqual(new Set(['0']));
    const ips = membersOf(plan).map((m) => m.mgmtIp);
    expect(spec('hv1')?.env.NVLAB_MANAGERS).toBe(ips.map((ip) => `tcp:${ip}:6640`).join(' '));
    expect(spec('hv1')?.env.NVLAB_CONTROLLERS).toBe(ips.map((ip) => `tcp:${ip}:6653`).join(' '));
  });
});

describe('external controllers', () => {
  test('are used as given, with TLS on or off; the lab has no member to manage OVSDB', () => {
    for (const tls of ['true', 'false']) {
      const plan = topology('controllers: { external: [tcp:192.0.2.10:6653] }', `security: { tls: ${tls} }`);
      const hv1 = nodeKinds.specs(plan).find((s) => s.hostname === 'hv1');
      expect(hv1?.env).toMatchObject({
        NVLAB_CONTROLLERS: 'tcp:192.0.2.10:6653',
        NVLAB_MANAGERS: '',
        [TLS_ENV]: tls === 'true' ? '1' : '0',
      });
    }
  });
});

describe('specs without prepare', () => {
  test('carry what the plan alone gives: the environment, no secrets', () => {
    const specs = nodeKinds.specs(topology());
    expect(specs.every((s) => s.env[TLS_ENV] === '1')).toBe(true);
    expect(specs.flatMap((s) => s.files ?? [])).toEqual([]);
  });
});
