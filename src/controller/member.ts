// A controller member's process, as it runs inside its container (bundled for Node.js 18):
// the store client, the northbound API, the southbound sessions and the programmer that masters
// and programs the transport nodes (southbound/programmer.ts).
// Configuration comes from the environment the lab's runtime sets (see image/nvlab-node).
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { auditFile, createApi, readApiSecrets, readConsoleFiles } from './api/index.ts';
import { isQuorate } from './mastership/decision.ts';
import { Liveness } from './mastership/liveness.ts';
import { NodeSessions } from './southbound/node-sessions.ts';
import { Programmer, startOpenFlow } from './southbound/programmer.ts';
import { guardSwitchIdentities, switchOf } from './southbound/switch-identity.ts';
import { memberCredentials, readMemberTls, switchCredentials, type MemberTls } from './tls/member-tls.ts';
import { RejectResponder } from './reject/index.ts';
import { SouthboundStatus } from './status/index.ts';
import { Store } from './store/index.ts';
import { RouterArp } from './router-arp/index.ts';
import { TraceflowAgent } from './traceflow/agent.ts';
import { API_PORT, AUDIT_LOG_FILE, CONSOLE_DIR, LAYOUT_PROCESS_FILE, STORE_PORT } from '../model/index.ts';
import { clusterMembers } from '../northbound-client/index.ts';
import { LayoutProcess } from '../graph/layout-process.ts';

const READY_FILE = '/run/nvlab/controller.ready';
/** Written when the store has no quorum yet: the member runs and waits, and the node agent
 *  counts it as started (a member restarted alone waits for a second one; see image/nvlab-node). */
const WAITING_FILE = '/run/nvlab/controller.waiting';

export interface MemberConfig {
  name: string;
  mgmtIp: string;
  /** Every member: name → management address. */
  members: Map<string, string>;
  /** TLS on every control channel (NVLAB_TLS=1): the member's key, certificate and authorities. */
  tls?: MemberTls;
}

export function configFromEnv(env: NodeJS.ProcessEnv): MemberConfig {
  const members = new Map(
    (env.NVLAB_MEMBERS ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((pair) => pair.split('=') as [string, string]),
  );
  const name = env.NVLAB_NODE;
  const mgmtIp = env.NVLAB_MGMT_IP;
  if (!name || !mgmtIp || members.size === 0) throw new Error('NVLAB_NODE, NVLAB_MGMT_IP and NVLAB_MEMBERS are required');
  return { name, mgmtIp, members };
}

/** The store, through this member's own server (over TLS, ssl: with the member's certificate),
 *  its writes straight to the leader when it is known. */
async function openStore(config: MemberConfig): Promise<Store> {
  // This member's own store server alone: it is reachable whenever this member is, and it
  // forwards writes to the leader. With the peers' servers as fallbacks, a member healed from a
  // partition stayed on a peer's server, and when that peer was cut off in turn, its writes
  // hung until the client's echo gave up (~3 s): failovers after a partition took 4.3 s.
  // Over TLS its server shows this member's own certificate, and takes only members' (ovsdb-server
  // --ca-cert is the controllers' authority: image/lib/controller.sh).
  const { tls } = config;
  const remote = (ip: string) => `${tls ? 'ssl' : 'tcp'}:${ip}:${STORE_PORT}`;
  const remotes = [remote(config.mgmtIp)];
  const waiting = setTimeout(() => void writeFile(WAITING_FILE, 'waiting for the store to have a quorum\n').catch(() => {}), 1000);
  const store = await Store.open(remotes, {
    openTimeoutMs: 24 * 3600_000,
    leaderRemotes: [...config.members.values()].map(remote),
    ...(tls ? { client: { tls: memberCredentials(tls, config.members.keys()) } } : {}),
  });
  clearTimeout(waiting);
  return store;
}

/** The listeners for switches (OVSDB, OpenFlow) and the links to peers, over TLS when it is on;
 *  every connection they refuse is logged once, with why. */
async function startSouthbound(config: MemberConfig, log: (line: string) => void) {
  const { tls } = config;
  const peers = new Map([...config.members].filter(([name]) => name !== config.name));
  const switches = tls && switchCredentials(tls);
  const [sessions, openflow, liveness] = await Promise.all([
    NodeSessions.listen(undefined, switches ? { tls: switches } : {}),
    startOpenFlow(undefined, switches),
    Liveness.start(peers, tls ? { tls: memberCredentials(tls, peers.keys()) } : {}),
  ]);
  // Before the programmer hears of a switch: one holding another node's certificate is dropped.
  guardSwitchIdentities(sessions, openflow, log);
  // A peer on a switch port that is not a switch, or speaks garbage: said once, by name.
  sessions.on('refused', (peer, reason) => log(`ovsdb: refused ${peer}: ${reason.message}`));
  openflow.on('handshakeError', (err, conn) => log(`openflow: refused ${conn.remoteAddress}: ${err.message}`));
  openflow.on('refused', (peer, reason) => log(`openflow: refused ${peer}: ${reason.message}`));
  liveness.on('refused', (peer, reason) => log(`liveness: refused ${peer}: ${reason}`));
  return { sessions, openflow, liveness };
}

export async function runMember(config: MemberConfig): Promise<void> {
  const store = await openStore(config);
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  const { sessions, openflow, liveness } = await startSouthbound(config, log);
  // A slow write is waited for while this member sees a majority of members (itself included).
  store.checkQuorumWith(() => isQuorate(liveness.upPeers().length, liveness.clusterSize));
  const programmer = new Programmer(config.name, store, sessions, openflow, liveness);
  programmer.on('log', log);
  openflow.on('switch', (sw) =>
    sw.on(
      'disconnect',
      ({ reason, error }) =>
        reason !== 'closed' && reason !== 'local' && log(`openflow: ${sw.remoteAddress} dropped (${reason}): ${error?.message ?? ''}`),
    ),
  );
  programmer.debug = process.env.NVLAB_CONTROLLER_DEBUG === '1';
  if (programmer.debug) store.on('change', () => log('store: logical config changed'));
  liveness.on('change', () => log(`peers up: ${liveness.upPeers().join(' ') || 'none'}`));
  watchStalls(log);
  if (programmer.debug) {
    let cpu = process.cpuUsage();
    setInterval(() => {
      const used = process.cpuUsage(cpu);
      cpu = process.cpuUsage();
      log(`${programmer.report()}; cpu ${((used.user + used.system) / 1000).toFixed(0)} ms`);
    }, 5000).unref();
  }
  programmer.start();
  // Answers to reject rules: packet-ins from the switches this member masters.
  new RejectResponder({
    isMaster: (sw) => [...programmer.masteredSwitches().values()].includes(sw),
    log,
  }).attach(openflow);
  // ARP for distributed routers without gateways: requests for unknown addresses, and the
  // bindings their replies teach, stored for every member (skipped when the replica has it).
  new RouterArp({
    isMaster: (sw) => [...programmer.masteredSwitches().values()].includes(sw),
    learn: ({ vni, ip, mac }) => {
      const state = programmer.logicalState();
      const sw = state.switches.find((s) => s.vni === vni)?.name;
      if (!sw || state.macBindings?.some((b) => b.switch === sw && b.ip === ip && b.mac === mac)) return;
      store.learnMacBinding({ switch: sw, ip, mac }).then(
        (what) => what !== 'same' && log(`router-arp: ${sw} ${ip} is at ${mac} (${what})`),
        (error: unknown) =>
          log(`router-arp: could not store ${sw} ${ip} at ${mac}: ${error instanceof Error ? error.message : String(error)}`),
      );
    },
  }).attach(openflow);
  const southbound = new SouthboundStatus({ member: config.name, store, sessions, openflow, programmed: () => programmer.programmed() });
  const traceflows = new TraceflowAgent({
    me: config.name,
    store,
    mastered: () => programmer.masteredSwitches(),
    connected: (node) => switchOf(sessions, openflow.connections, node) !== undefined,
    facts: (node) => sessions.facts(node),
    logical: () => programmer.logicalState(),
    log,
  });
  traceflows.start();
  const layouts = new LayoutProcess({ script: fileURLToPath(new URL(`./${LAYOUT_PROCESS_FILE}`, import.meta.url)) });
  // The lab's token on every /api/ route, HTTPS when the lab runs TLS; no member serves without.
  const secrets = await readApiSecrets(config.tls);
  const api = createApi({
    store,
    member: config.name,
    status: () => ({ masterOf: programmer.masterOf(), programmed: programmer.programmed() }),
    southbound,
    // A member's peers answer within a second or are shown as not answering.
    members: () => clusterMembers(config.members, { timeoutMs: 1000, credentials: secrets.credentials, client: 'member' }),
    console: await readConsoleFiles(CONSOLE_DIR),
    layout: (graph) => layouts.layout(graph),
    token: secrets.token,
    ...(secrets.tls ? { tls: secrets.tls } : {}),
    audit: auditFile(AUDIT_LOG_FILE),
  });
  if (programmer.debug) {
    api.addHook('onResponse', async (request, reply) => {
      if (request.method !== 'GET') log(`api: ${request.method} ${request.url} ${reply.statusCode} in ${reply.elapsedTime.toFixed(1)} ms`);
    });
  }
  await api.listen({ host: '0.0.0.0', port: API_PORT });
  await writeFile(READY_FILE, `${process.pid}\n`);
  console.log(`controller ${config.name}: API on ${secrets.tls ? 'https' : 'http'} :${API_PORT}`);
}

/** Logs when this process could not run for a while (a starved or blocked member misses its
 *  peers' echoes and heartbeats, which shows as mastership changes in the same log). */
function watchStalls(log: (line: string) => void, everyMs = 100, reportMs = 500): void {
  let last = Date.now();
  setInterval(() => {
    const now = Date.now();
    if (now - last - everyMs > reportMs) log(`stalled for ${now - last - everyMs} ms`);
    last = now;
  }, everyMs).unref();
}

/** NVLAB_CONTROLLER_PROFILE=1: the member samples its own CPU and its heap's allocations from the
 *  start, and each SIGUSR2 writes what it saw since to /tmp/member-<time>.cpuprofile, and what of
 *  the sampled allocations is still live to /tmp/member-<time>.heapprofile (open either in
 *  Chrome's DevTools). Sampling the heap costs little; a snapshot of a heap of gigabytes stops the
 *  member for minutes. */
async function profileOnSignal(): Promise<void> {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) => session.post(method, (err, result) => (err ? reject(err) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.start');
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling');
  process.on('SIGUSR2', () => {
    void (async () => {
      const now = Date.now();
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      await writeFile(`/tmp/member-${now}.cpuprofile`, JSON.stringify(profile));
      await post('Profiler.start');
      const { profile: heap } = (await post('HeapProfiler.getSamplingProfile')) as { profile: unknown };
      await writeFile(`/tmp/member-${now}.heapprofile`, JSON.stringify(heap));
    })();
  });
}

// Started as a program (the bundle), not when imported by tests.
if (process.env.NVLAB_ROLE === 'controller') {
  // A member's work comes in short bursts (a port comes, its nodes change) on a machine the
  // lab's switches share. V8's optimising compiler spent most of a burst's CPU compiling, and
  // compiling again after deoptimising, code that then ran for a millisecond (perf during
  // bench:controller: ~45% of the members' CPU in TurboFan). Interpreted and baseline code is
  // fast enough for this work and costs nothing up front.
  setFlagsFromString('--no-opt');
  if (process.env.NVLAB_CONTROLLER_TRACE_OPT === '1') setFlagsFromString('--trace-opt --trace-deopt');
  if (process.env.NVLAB_CONTROLLER_V8FLAGS) setFlagsFromString(process.env.NVLAB_CONTROLLER_V8FLAGS);
  if (process.env.NVLAB_CONTROLLER_PROFILE === '1') void profileOnSignal();
  readMemberTls(process.env)
    .then((tls) => runMember({ ...configFromEnv(process.env), ...(tls ? { tls } : {}) }))
    .catch((error: unknown) => {
      console.error(`controller: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    });
}
