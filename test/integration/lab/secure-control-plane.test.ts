// The secure control plane on a real lab (five members, two hypervisors, TLS by default): every
// control connection is TLS (the switches' and members' connection tables, and a capture of the
// management network with no OVSDB, OpenFlow or HTTP in the clear); a rogue container on the
// management network gets nothing with no certificate, with its own, or with hv1's (which cannot
// pass for hv2); and without a majority of members, writes answer "no quorum" at once while
// reads answer and the VMs keep talking.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addPort } from '../../../src/app/ports.ts';
import { readApiCredentials } from '../../../src/app/lab-state.ts';
import { pcapFrames, ipv4Offset } from '../../../src/app/lab-driver/pcap.ts';
import { LIVENESS_PORT } from '../../../src/controller/mastership/liveness.ts';
import {
  API_PORT,
  NO_QUORUM_MESSAGE,
  OPENFLOW_PORT,
  OVSDB_MANAGER_PORT,
  PKI_FILES,
  STORE_PORT,
  STORE_RAFT_PORT,
  formatIp,
  nthHost,
  parseCidr,
  type ApiCredentials,
} from '../../../src/model/index.ts';
import { createAuthority, issueCertificate } from '../../../src/pki/index.ts';
import { nodeLabels } from '../../../src/nodes/labels.ts';
import { labTopology, useLab } from './harness.ts';
import { eventually, runtime } from './support.ts';
import { apiRequest } from '../../support/api-security.ts';

const testLab = useLab(labTopology('secure.yaml'));
const lab = testLab.name;
const node = testLab.container;
const ROGUE = 'rogue';
const rogue = () => node(ROGUE);
const members = () => (testLab.plan.controllers.kind === 'builtin' ? testLab.plan.controllers.members : []);
const memberIp = (name: string) => members().find((m) => m.name === name)!.mgmtIp;
const CONTROL_PORTS = [OVSDB_MANAGER_PORT, OPENFLOW_PORT, STORE_PORT, STORE_RAFT_PORT, LIVENESS_PORT, API_PORT];
let credentials: ApiCredentials;

async function sh(container: string, script: string, stdin?: string) {
  return runtime.exec(container, ['sh', '-c', script], { timeoutMs: 60_000, ...(stdin === undefined ? {} : { stdin }) });
}

interface Probe {
  handshake: boolean;
  bytes: number;
  text: string;
  error?: string;
}

/** A connection from the rogue container (test/fixtures/security/probe.mjs): what came back. */
async function probe(options: { host: string; port: number; tls: boolean; key?: string; cert?: string; ca?: string; send?: string }) {
  const payload = { ...options, send: options.send === undefined ? undefined : Buffer.from(options.send).toString('base64') };
  const result = await runtime.exec(rogue(), ['node', '/tmp/probe.mjs', JSON.stringify(payload)], { timeoutMs: 20_000 });
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Probe;
}

/** What each port is sent once connected (the members' OVSDB and OpenFlow ports speak first). */
const FIRST_WORDS: Record<number, string | undefined> = {
  [STORE_PORT]: '{"method":"list_dbs","params":[],"id":1}',
  [STORE_RAFT_PORT]: '{"method":"list_dbs","params":[],"id":1}',
  [LIVENESS_PORT]: 'x',
  [API_PORT]: 'GET /api/v1/status HTTP/1.1\r\nHost: member\r\nConnection: close\r\n\r\n',
};

/** One request to a member's API from the host, with the lab's credentials, timed. */
async function api(ip: string, method: string, path: string, body?: unknown) {
  const started = Date.now();
  const answer = await apiRequest({ ip, port: API_PORT }, path, { method, body, token: credentials.token, ca: credentials.ca! });
  return { status: answer.status, json: answer.body, ms: Date.now() - started };
}

/** TCP payloads of a pcap by flow (client port and server port), in capture order. */
function tcpPayloads(pcap: Buffer, ports: readonly number[]): Map<string, Buffer[]> {
  const flows = new Map<string, Buffer[]>();
  for (const frame of pcapFrames(pcap)) {
    const ip = ipv4Offset(frame);
    if (ip === undefined || frame[ip + 9] !== 6) continue;
    const tcp = ip + ((frame[ip] ?? 0) & 0x0f) * 4;
    const [src, dst] = [frame.readUInt16BE(tcp), frame.readUInt16BE(tcp + 2)];
    const server = ports.includes(dst) ? dst : ports.includes(src) ? src : undefined;
    if (server === undefined) continue;
    const payload = frame.subarray(tcp + ((frame[tcp + 12] ?? 0) >> 4) * 4, ip + frame.readUInt16BE(ip + 2));
    if (payload.length === 0) continue;
    const key = `${server}:${frame.subarray(ip + 12, ip + 20).toString('hex')}:${src}-${dst}`;
    flows.set(key, [...(flows.get(key) ?? []), payload]);
  }
  return flows;
}

/** Whether a flow's bytes are a run of TLS records (from the first record boundary seen: a
 *  capture may begin inside one). */
function isTlsStream(segments: Buffer[]): boolean {
  const isHeader = (b: Buffer, at: number) =>
    at + 5 <= b.length && b[at]! >= 20 && b[at]! <= 23 && b[at + 1] === 3 && b[at + 2]! <= 4 && b.readUInt16BE(at + 3) <= 18432;
  const start = segments.findIndex((s) => isHeader(s, 0));
  if (start < 0 || start > 1) return false;
  const stream = Buffer.concat(segments.slice(start));
  let at = 0;
  while (at + 5 <= stream.length) {
    if (!isHeader(stream, at)) return false;
    at += 5 + stream.readUInt16BE(at + 3);
  }
  return true;
}

beforeAll(async () => {
  credentials = (await readApiCredentials(lab))!;
  expect(credentials?.ca, 'the lab holds its CA and token on the host').toBeDefined();
  // The rogue: a container of the lab (so destroy takes it) on the management network only.
  const mgmt = testLab.plan.networks.mgmt;
  const cidr = parseCidr(mgmt.subnet)!;
  await runtime.createNode({
    name: rogue(),
    hostname: ROGUE,
    labels: nodeLabels(lab, ROGUE, 'host'),
    env: { NVLAB_ROLE: 'host', NVLAB_NODE: ROGUE, NVLAB_HOST_IP: `${formatIp(nthHost(cidr, 200)!)}/${cidr.prefixLength}` },
    networks: [{ network: mgmt.name, ip: formatIp(nthHost(cidr, 200)!), prefixLength: cidr.prefixLength }],
    files: [{ path: '/tmp/probe.mjs', content: await readFile(new URL('../../fixtures/security/probe.mjs', import.meta.url)) }],
  });
  await runtime.start(rogue());
  // What the rogue may hold: the lab's CA certificate (public), its own CA's pair, hv1's pair.
  const own = await createAuthority('rogue CA');
  const ownPair = await issueCertificate(own, { commonName: 'hv2' });
  const hv1 = await sh(node('hv1'), `cat ${PKI_FILES.key} ${PKI_FILES.certificate}`);
  const [hv1Key, hv1Cert] = hv1.stdout.split(/(?=-----BEGIN CERTIFICATE-----)/);
  const files: Record<string, string> = {
    'lab-ca.pem': credentials.ca!,
    'own-ca.pem': own.certificate,
    'own-key.pem': ownPair.privateKey,
    'own-cert.pem': ownPair.certificate,
    'hv1-key.pem': hv1Key!,
    'hv1-cert.pem': hv1Cert!,
  };
  for (const [name, text] of Object.entries(files)) expect((await sh(rogue(), `cat > /tmp/${name}`, text)).exitCode).toBe(0);
}, 120_000);

describe('every control channel is TLS', () => {
  test("the switches' managers and controllers are ssl: targets, all connected", async () => {
    for (const hv of ['hv1', 'hv2']) {
      for (const table of ['manager', 'controller']) {
        const rows = await eventually(
          async () => (await sh(node(hv), `ovs-vsctl --format=csv --no-headings --columns=target,is_connected list ${table}`)).stdout,
          (out) =>
            out
              .trim()
              .split('\n')
              .every((line) => line.endsWith(',true')),
          20_000,
        );
        const lines = rows.trim().split('\n');
        expect(lines, `${hv} ${table}`).toHaveLength(5);
        for (const line of lines) expect(line, `${hv} ${table}`).toMatch(/^"*ssl:[\d.]+:\d+"*,true$/);
      }
    }
  });

  test("each node's key, certificates and token are root's alone", async () => {
    for (const [who, files] of [
      ['hv1', 'key.pem cert.pem controllers-ca.pem'],
      ['ctrl1', 'key.pem cert.pem controllers-ca.pem nodes-ca.pem'],
    ] as const) {
      const paths = files.split(' ').map((f) => `/etc/nvlab/pki/${f}`);
      const modes = (await sh(node(who), `stat -c '%a %U %n' /etc/nvlab/pki ${paths.join(' ')}`)).stdout.trim().split('\n');
      expect(modes, who).toEqual([`700 root /etc/nvlab/pki`, ...paths.map((p) => `600 root ${p}`)]);
    }
    expect((await sh(node('ctrl1'), `stat -c '%a %U' /etc/nvlab /etc/nvlab/api-token`)).stdout.trim()).toBe('700 root\n600 root');
  });

  test('no member port answers in the clear; each is TLS and wants a certificate of the lab', async () => {
    const listening = (await sh(node('ctrl1'), 'ss -Htln')).stdout;
    for (const port of CONTROL_PORTS) expect(listening, `ctrl1 listens on ${port}`).toMatch(new RegExp(`:${port}\\s`));
    for (const port of CONTROL_PORTS) {
      const clear = await probe({
        host: memberIp('ctrl1'),
        port,
        tls: false,
        send: FIRST_WORDS[port] ?? '{"method":"echo","params":[],"id":0}',
      });
      expect(clear.text, `port ${port} in the clear`).not.toMatch(/"result"|"method"|HTTP\/1\.1 [24]\d\d/);
      expect(clear.text.startsWith('\x04\x00'), `port ${port} sends no OpenFlow HELLO in the clear`).toBe(false);
    }
  });

  test('a capture of the management network holds TLS records only', async () => {
    const filter = CONTROL_PORTS.map((p) => `tcp port ${p}`).join(' or ');
    const capture = (container: string) =>
      sh(container, `timeout -s INT 6 tcpdump -i eth0 -U -w /tmp/cp.pcap '${filter}' 2>/dev/null; base64 -w0 /tmp/cp.pcap`);
    // An API call and a member's status read happen during the capture, beside the echoes,
    // Raft heartbeats and liveness ticks of a lab at rest.
    const during = (async () => {
      await new Promise((r) => setTimeout(r, 2000));
      expect((await api(memberIp('ctrl2'), 'GET', '/api/v1/status')).status).toBe(200);
    })();
    const [member, hv] = await Promise.all([capture(node('ctrl1')), capture(node('hv1')), during]);
    for (const [where, out] of [
      ['ctrl1', member],
      ['hv1', hv],
    ] as const) {
      const flows = tcpPayloads(Buffer.from(out.stdout.trim(), 'base64'), CONTROL_PORTS);
      const ports = new Set([...flows.keys()].map((k) => Number(k.split(':')[0])));
      const segments = [...flows.values()].reduce((n, f) => n + f.length, 0);
      console.log(`capture at ${where}: ${flows.size} connections, ${segments} segments, ports ${[...ports].join(' ')}`);
      expect(segments, `segments captured at ${where}`).toBeGreaterThan(20);
      for (const [flow, payloads] of flows) {
        expect(isTlsStream(payloads), `${where} ${flow} is TLS`).toBe(true);
        const clear = Buffer.concat(payloads).toString('latin1');
        expect(clear, `${where} ${flow}`).not.toMatch(/"method"|"jsonrpc"|"params"|HTTP\/1\.1|Authorization|Bearer/);
      }
      if (where === 'ctrl1')
        for (const p of [OVSDB_MANAGER_PORT, OPENFLOW_PORT, STORE_RAFT_PORT, LIVENESS_PORT]) expect(ports).toContain(p);
    }
  }, 60_000);
});

describe('a rogue container on the management network', () => {
  const holders = [
    { who: 'no certificate', key: undefined, cert: undefined },
    { who: 'its own CA', key: '/tmp/own-key.pem', cert: '/tmp/own-cert.pem' },
  ];

  test.each(holders)('with $who, gets nothing from any member port', async ({ key, cert }) => {
    for (const port of CONTROL_PORTS.filter((p) => p !== API_PORT)) {
      const got = await probe({ host: memberIp('ctrl2'), port, tls: true, key, cert, send: FIRST_WORDS[port] });
      expect(got.bytes, `port ${port}: ${JSON.stringify(got)}`).toBe(0);
    }
    // The store with OVS's own client, as a switch's tools would try it.
    const opts = key ? `-p ${key} -c ${cert} -C /tmp/lab-ca.pem` : '';
    const store = await sh(rogue(), `timeout 10 ovsdb-client ${opts} list-dbs ssl:${memberIp('ctrl2')}:${STORE_PORT}`);
    expect(store.exitCode, store.stdout).not.toBe(0);
  });

  test('with the lab CA but no token, or a wrong one, the API answers 401 to reads and writes', async () => {
    for (const headers of ['', 'Authorization: Bearer not-the-token\r\n']) {
      for (const request of [
        `GET /api/v1/logical-switches HTTP/1.1\r\nHost: m\r\n${headers}Connection: close\r\n\r\n`,
        `POST /api/v1/logical-switches HTTP/1.1\r\nHost: m\r\n${headers}Content-Type: application/json\r\nContent-Length: 24\r\nConnection: close\r\n\r\n{"name":"evil","vni":99}`,
      ]) {
        const got = await probe({ host: memberIp('ctrl3'), port: API_PORT, tls: true, ca: '/tmp/lab-ca.pem', send: request });
        expect(got.text, request).toMatch(/^HTTP\/1\.1 401/);
      }
    }
    expect((await api(memberIp('ctrl1'), 'GET', '/api/v1/logical-switches/evil')).status).toBe(404);
  });

  test("with hv1's certificate, it cannot reach the store and cannot pass for hv2", async () => {
    for (const port of [STORE_PORT, STORE_RAFT_PORT, LIVENESS_PORT]) {
      const got = await probe({
        host: memberIp('ctrl1'),
        port,
        tls: true,
        key: '/tmp/hv1-key.pem',
        cert: '/tmp/hv1-cert.pem',
        send: FIRST_WORDS[port],
      });
      expect(got.bytes, `port ${port}: ${JSON.stringify(got)}`).toBe(0);
    }
    const before = await api(memberIp('ctrl1'), 'GET', '/api/v1/status');
    const hv2Dpid = (await sh(node('hv2'), 'ovs-vsctl get bridge br-int datapath_id')).stdout.trim().replace(/"/g, '');
    const managers = members().map((m) => `ssl:${m.mgmtIp}:${OVSDB_MANAGER_PORT}`);
    const controllers = members().map((m) => `ssl:${m.mgmtIp}:${OPENFLOW_PORT}`);
    // A real OVS in the rogue, with hv1's certificate, saying it is hv2 (system-id and datapath).
    const started = await sh(
      rogue(),
      `set -e
mkdir -p /run/openvswitch /etc/openvswitch
ovsdb-tool create /etc/openvswitch/conf.db /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server /etc/openvswitch/conf.db --remote=punix:/run/openvswitch/db.sock \\
  --remote=db:Open_vSwitch,Open_vSwitch,manager_options --private-key=db:Open_vSwitch,SSL,private_key \\
  --certificate=db:Open_vSwitch,SSL,certificate --ca-cert=db:Open_vSwitch,SSL,ca_cert --pidfile --detach --log-file
ovs-vsctl --no-wait init -- set-ssl /tmp/hv1-key.pem /tmp/hv1-cert.pem /tmp/lab-ca.pem \\
  -- set open_vswitch . external_ids:system-id=hv2 external_ids:hostname=hv2 -- set-manager ${managers.join(' ')}
ovs-vswitchd --pidfile --detach --log-file
ovs-vsctl --timeout=30 add-br br-int -- set bridge br-int datapath_type=netdev fail-mode=secure protocols=OpenFlow13 \\
  other_config:datapath-id=${hv2Dpid} -- set-controller br-int ${controllers.join(' ')}`,
    );
    expect(started.exitCode, started.stderr).toBe(0);
    // Long enough for several connection attempts to every member (OVS retries within 1-8 s).
    await new Promise((r) => setTimeout(r, 8000));
    const logs = await Promise.all(members().map((m) => sh(node(m.name), 'cat /var/log/nvlab/controller.log')));
    const refusals = logs.flatMap((l) => l.stdout.split('\n')).filter((line) => /hv1/.test(line) && /hv2/.test(line));
    console.log(`refusals logged: ${refusals.length}; first: ${refusals[0]}`);
    expect(refusals.length, 'members log refusing hv1 passing for hv2').toBeGreaterThan(0);
    const connected = (await sh(rogue(), 'ovs-vsctl --format=csv --no-headings --columns=role list controller')).stdout;
    expect(connected, 'no member made the rogue a master or slave').not.toMatch(/master|slave/);
    // hv2 as the members see it: the same master, still connected and programmed.
    const after = await api(memberIp('ctrl1'), 'GET', '/api/v1/status');
    const masterOf = (s: unknown) => (s as { masterships: { node: string; member: string }[] }).masterships.find((m) => m.node === 'hv2');
    expect(masterOf(after.json)).toEqual(masterOf(before.json));
    // Asked of hv2's master, the only member that knows whether it programmed it.
    const master = masterOf(after.json)!.member;
    const hv2 = await api(memberIp(master), 'GET', '/api/v1/transport-nodes/hv2/status');
    expect(hv2.json).toMatchObject({ member: master, connected: { ovsdb: true, openflow: true }, programmed: true });
    expect((await runtime.exec(node('hv1'), ['ip', 'netns', 'exec', 'web1', 'ping', '-c', '2', '-W', '2', '10.0.1.12'])).exitCode).toBe(0);
    await sh(rogue(), 'ovs-appctl -t ovs-vswitchd exit; ovs-appctl -t ovsdb-server exit');
  }, 90_000);
});

describe('without a majority of members (two killed, a third cut off)', () => {
  afterAll(async () => {
    // Leave the lab whole for whoever runs after (destroy takes it anyway).
    await runtime.connect(node('ctrl3'), { network: testLab.plan.networks.mgmt.name, ip: memberIp('ctrl3') }).catch(() => {});
  });

  test('writes answer 503 "no quorum" within 2 s, reads answer, the CLI names it, and VMs keep talking', async () => {
    const traffic = await testLab.driver.startTraffic({ from: 'web1', to: 'web2', ip: '10.0.1.12', intervalMs: 100 });
    await Promise.all([runtime.kill(node('ctrl4')), runtime.kill(node('ctrl5'))]);
    await runtime.disconnect(node('ctrl3'), testLab.plan.networks.mgmt.name);
    const port = { name: 'web3', switch: 'web', on: 'hv1', ip: '10.0.1.13' };
    const body = { name: port.name, switch: port.switch, node: port.on, ip: port.ip, mac: '02:00:00:00:01:13' };
    // The members left notice within an election or two; from then on every write is refused.
    const writes: { status: number; ms: number }[] = [];
    await eventually(
      async () => {
        const r = await api(memberIp('ctrl1'), 'POST', '/api/v1/logical-ports', body);
        writes.push({ status: r.status, ms: r.ms });
        return r;
      },
      (r) => r.status === 503,
      20_000,
    );
    for (const ip of [memberIp('ctrl1'), memberIp('ctrl2')]) {
      const write = await api(ip, 'POST', '/api/v1/logical-ports', body);
      console.log(`write through ${ip} without quorum: ${write.status} in ${write.ms} ms`, JSON.stringify(write.json));
      expect(write.status).toBe(503);
      expect(write.json).toMatchObject({ error: 'no quorum' });
      expect(write.ms).toBeLessThanOrEqual(2000);
      const read = await api(ip, 'GET', '/api/v1/logical-ports');
      expect(read.status).toBe(200);
      expect(read.ms).toBeLessThanOrEqual(2000);
    }
    const t = Date.now();
    const cli = await addPort(runtime, lab, port).then(
      () => 'added',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    console.log(`add-port without quorum, after ${Date.now() - t} ms: ${cli}`);
    expect(cli).toContain(NO_QUORUM_MESSAGE);
    expect(cli).not.toMatch(/no answer within/);
    // Its first answers take a write bound each, then it asks the member alone for 5 s: about 8 s.
    expect(Date.now() - t).toBeLessThan(15_000);
    const stats = await traffic.stop();
    console.log(`pings during the outage: ${JSON.stringify(stats)}; writes until refused: ${JSON.stringify(writes)}`);
    expect(stats.sent).toBeGreaterThan(20);
    expect(stats.lost).toBe(0);
  }, 120_000);
});
