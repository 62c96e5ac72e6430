// What a person needs to see why a scenario failed, saved under one directory: per transport node
// its Open vSwitch configuration, OpenFlow 1.3 flows and groups, datapath flows, logs and network
// namespaces (VMs, logical routers); per controller member its logs and its whole audit log (every
// write its API answered and every request it refused, with who); the failing step's
// captures and trace; and the lab's live graph as it was when the step failed. Nodes are read
// one command at a time (a stuck command costs only its own file) and in parallel across nodes;
// a node that is stopped or does not answer gets a note instead, and never stops the collection.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerInfo, Runtime } from '../../runtime/runtime.ts';
import { toHtml } from '../../graph/html.ts';
import { labGraph } from '../graph.ts';
import {
  AUDIT_LOG_FILE,
  isTransportRole,
  LABEL_LAB,
  LABEL_NODE,
  LABEL_ROLE,
  type ClientName,
  type TraceResult,
} from '../../model/index.ts';

export interface ArtifactOptions {
  captures?: { label: string; pcap: Buffer }[];
  /** The failing step's trace of its failing pair, kept as trace.json. */
  trace?: TraceResult;
  /** Who reads the lab's graph from its API (default the CLI). */
  client?: ClientName;
}

const COMMAND_MS = 15_000;
/** Logs can be long; the end is what explains a failure. */
const LOG_LINES = 20_000;

/** File name → command, for a transport node. */
function transportCommands(): [string, string[]][] {
  const vsctl = (...args: string[]) => ['ovs-vsctl', '--timeout=10', ...args];
  const ofctl = (...args: string[]) => ['ovs-ofctl', '-O', 'OpenFlow13', ...args];
  return [
    ['ovs-vsctl-show.txt', vsctl('show')],
    ...['open_vswitch', 'bridge', 'port', 'interface', 'controller'].map((t): [string, string[]] => [`ovsdb-${t}.txt`, vsctl('list', t)]),
    ['flows-br-int.txt', ofctl('dump-flows', 'br-int')],
    ['groups-br-int.txt', ofctl('dump-groups', 'br-int')],
    ['flows-br-phy.txt', ofctl('dump-flows', 'br-phy')],
    ['groups-br-phy.txt', ofctl('dump-groups', 'br-phy')],
    ['datapath-flows.txt', ['ovs-appctl', 'dpctl/dump-flows']],
    // VMs and logical routers: addresses, routes, neighbours, and a router's NAT.
    [
      'namespaces.txt',
      [
        'sh',
        '-c',
        'for n in $(ip netns list | cut -d" " -f1); do echo "== $n"; ip netns exec "$n" sh -c "ip -br addr; ip route; ip neigh; nft list ruleset"; done',
      ],
    ],
    ['ovs-vswitchd.log', ['tail', '-n', String(LOG_LINES), '/var/log/openvswitch/ovs-vswitchd.log']],
    ['ovsdb-server.log', ['tail', '-n', String(LOG_LINES), '/var/log/openvswitch/ovsdb-server.log']],
  ];
}

function safeName(label: string): string {
  return label.replace(/[^A-Za-z0-9._-]/g, '_') || 'capture';
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs each command and writes its output; the first that cannot run at all ends the node with a note. */
async function collectNode(runtime: Runtime, container: ContainerInfo, dir: string, commands: [string, string[]][]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const note = async (text: string) => {
    await writeFile(join(dir, 'NOTE.txt'), `${text}\n`);
    return join(dir, 'NOTE.txt');
  };
  if (container.state !== 'running') return [await note(`not collected: the container ${container.name} is ${container.state}`)];
  const files: string[] = [];
  for (const [name, cmd] of commands) {
    let result;
    try {
      result = await runtime.exec(container.name, cmd, { timeoutMs: COMMAND_MS });
    } catch (error) {
      files.push(await note(`stopped collecting at ${name}: ${message(error)}`));
      return files;
    }
    const trailer =
      result.exitCode === 0
        ? ''
        : `\n# ${cmd.join(' ')}: exit ${result.exitCode}${result.exitCode === 124 ? ' (timed out)' : ''}\n${result.stderr}`;
    await writeFile(join(dir, name), result.stdout + trailer);
    files.push(join(dir, name));
  }
  return files;
}

/** A controller member's logs: whatever /var/log/nvlab holds, the audit log whole (a missing one
 *  says so in its file: the member's API never started). */
async function memberCommands(runtime: Runtime, container: ContainerInfo): Promise<[string, string[]][]> {
  if (container.state !== 'running') return [];
  const listing = await runtime
    .exec(container.name, ['sh', '-c', 'ls -1 /var/log/nvlab/*.log 2>/dev/null; true'], { timeoutMs: COMMAND_MS })
    .catch(() => undefined);
  const logs = (listing?.stdout ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((path) => path && path !== AUDIT_LOG_FILE);
  return [
    ...logs.map((path): [string, string[]] => [path.split('/').pop() as string, ['tail', '-n', String(LOG_LINES), path]]),
    [AUDIT_LOG_FILE.split('/').pop() as string, ['cat', AUDIT_LOG_FILE]],
  ];
}

/** The lab's live graph (`nvlab graph LAB`): as a page to look at, and as its JSON. */
async function saveGraph(runtime: Runtime, lab: string, dir: string, client: ClientName | undefined): Promise<string[]> {
  try {
    const graph = await labGraph(runtime, lab, 'both', { timeoutMs: 3000, ...(client ? { client } : {}) });
    const [json, html] = [join(dir, 'graph.json'), join(dir, 'graph.html')];
    await writeFile(json, `${JSON.stringify(graph, null, 2)}\n`);
    await writeFile(html, await toHtml(graph));
    return [html, json];
  } catch (error) {
    await writeFile(join(dir, 'graph-NOTE.txt'), `the lab's graph could not be drawn: ${message(error)}\n`);
    return [join(dir, 'graph-NOTE.txt')];
  }
}

/** Saves the lab's state under `dir` (created); returns every file written. Never throws for one node. */
export async function collectArtifacts(
  runtime: Runtime,
  lab: string,
  dir: string,
  options: ArtifactOptions = {},
): Promise<{ files: string[] }> {
  await mkdir(dir, { recursive: true });
  // First, so that it shows the lab as it was when the step failed.
  const graphFiles = await saveGraph(runtime, lab, dir, options.client);
  const containers = await runtime.listContainers({ [LABEL_LAB]: lab });
  const nameOf = (c: ContainerInfo) => c.labels[LABEL_NODE] ?? c.name;
  const nodes = containers.filter((c) => isTransportRole(c.labels[LABEL_ROLE] ?? ''));
  const members = containers.filter((c) => c.labels[LABEL_ROLE] === 'controller');

  const summary = join(dir, 'nodes.txt');
  await writeFile(
    summary,
    containers
      .map((c) => `${nameOf(c)}\t${c.labels[LABEL_ROLE] ?? '?'}\t${c.state}\t${c.name}`)
      .sort()
      .join('\n') + '\n',
  );

  const perNode = await Promise.all([
    ...nodes.map((c) => collectNode(runtime, c, join(dir, safeName(nameOf(c))), transportCommands()).catch(() => [])),
    ...members.map(async (c) => collectNode(runtime, c, join(dir, safeName(nameOf(c))), await memberCommands(runtime, c)).catch(() => [])),
  ]);

  const captureFiles: string[] = [];
  if (options.captures?.length) {
    const captureDir = join(dir, 'captures');
    await mkdir(captureDir, { recursive: true });
    const used = new Set<string>();
    for (const capture of options.captures) {
      let name = safeName(capture.label);
      for (let i = 2; used.has(name); i++) name = `${safeName(capture.label)}-${i}`;
      used.add(name);
      const path = join(captureDir, `${name}.pcap`);
      await writeFile(path, capture.pcap);
      captureFiles.push(path);
    }
  }
  const traceFiles: string[] = [];
  if (options.trace) {
    traceFiles.push(join(dir, 'trace.json'));
    await writeFile(traceFiles[0]!, `${JSON.stringify(options.trace, null, 2)}\n`);
  }
  return { files: [...graphFiles, summary, ...perNode.flat(), ...captureFiles, ...traceFiles] };
}
