// Shared by the scenario and reporter tests: a lab like the spec's, scenarios parsed from YAML
// lines, and a scripted driver whose calls take (fake) time.

import type { TopologyIssue } from '../topology/issues.ts';
import { parseTopology } from '../topology/load.ts';
import { planLab } from '../topology/plan.ts';
import type { LabPlan } from '../topology/plan-types.ts';
import { issuesThrownBy, lines } from '../topology/test-helpers.ts';
import type * as driver from './driver.ts';
import type { TraceRequest, TraceResult } from '../model/index.ts';
import { modelFromPlan, neededTunnels, withNode, withPort, withPortOn, withoutNode, withoutPort } from './lab-model.ts';
import { parseScenarios, type ScenarioSuite } from './suite.ts';

/** Three hypervisors, a service node, gateways, two tenants with the same addresses, a router. */
export const LAB = [
  'name: lab',
  'transport-nodes:',
  '  hv1: hypervisor',
  '  hv2: hypervisor',
  '  hv3: hypervisor',
  '  sn1: service-node',
  '  gw1: l2-gateway',
  '  gw2: l3-gateway',
  '  gw3: l3-gateway',
  'physical-networks:',
  '  office:',
  '    subnet: 192.168.10.0/24',
  '    hosts: { printer: 192.168.10.50 }',
  '  internet:',
  '    subnet: 203.0.113.0/24',
  '    hosts: { www: 203.0.113.80 }',
  'logical-switches:',
  '  web:',
  '    subnet: 10.0.1.0/24',
  '    replication: service-node',
  '    ports:',
  '      web1: { on: hv1, ip: 10.0.1.11 }',
  '      web2: { on: hv2, ip: 10.0.1.12 }',
  '      web3: { on: hv3, ip: 10.0.1.13 }',
  '    l2-gateway: { on: gw1, network: office }',
  '  app:',
  '    subnet: 10.0.1.0/24',
  '    ports:',
  '      app1: { on: hv1, ip: 10.0.1.11 }',
  '      app2: { on: hv3, ip: 10.0.1.12 }',
  'logical-routers:',
  '  edge:',
  '    switches: { web: 10.0.1.1 }',
  '    uplink: { network: internet, ip: 203.0.113.2, gateways: [gw2, gw3] }',
];

/** The LAB with a `scenarios:` section made of `rows` (written as they appear under it). */
export function labWith(...rows: string[]): string {
  return lines(...LAB, 'scenarios:', ...rows);
}

export function planOf(source: string): LabPlan {
  return planLab(parseTopology(source, 'lab.yaml').topology);
}

export const labPlan = (): LabPlan => planOf(lines(...LAB));
export const labModel = () => modelFromPlan(labPlan());

export function suiteOf(source: string, file = 'lab.yaml'): ScenarioSuite {
  const loaded = parseTopology(source, file);
  return parseScenarios(loaded, planLab(loaded.topology));
}

/** Every issue parseScenarios reports for `source`; fails the test when it reports none. */
export function scenarioIssues(source: string, file = 'lab.yaml'): TopologyIssue[] {
  return issuesThrownBy(() => suiteOf(source, file), 'the scenarios were accepted');
}

/** The issues of `source` as table rows: line, column, the key path inside its step (`ping.to`),
 *  message and expected. */
export function issueRows(source: string): unknown[][] {
  return scenarioIssues(source).map((i) => [i.line, i.column, i.path.slice(3).join('.'), i.message, i.expected]);
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A driver whose answers tests script by replacing its handlers. By default the lab is healthy:
 * every needed tunnel is up, pings answer, floods reach each watched name once, ctrl1 is master.
 * Every call is logged in `calls` and takes `delayMs` (of fake time).
 */
export class FakeDriver implements driver.LabDriver {
  readonly calls: string[] = [];
  readonly artifacts: driver.ArtifactRequest[] = [];
  delayMs = 100;
  model = labModel();

  onTunnels = (nodes: readonly string[]): driver.NodeTunnels[] => {
    const need = neededTunnels(this.model);
    return nodes.map((node) => ({ node, tunnels: (need.get(node) ?? []).map((t) => ({ ...t, up: true })) }));
  };
  onPing = (req: driver.PingRequest): driver.PingResult => ({ sent: req.count, received: req.count });
  onFlood = (req: driver.FloodRequest): driver.FloodResult => ({ copies: Object.fromEntries(req.watch.map((n) => [n, 1])), fromSource: 1 });
  onConnect = (_req: driver.ConnectRequest): driver.ConnectResult => ({ outcome: 'open', seen: 'connected', ms: 2, listenerGot: 1 });
  onSpoof = (req: driver.SpoofRequest): driver.SpoofResult => ({
    sent: req.count * 2,
    leaked: 0,
    underlay: 0,
    ports: {},
    control: { sent: req.count * 2, passed: req.count * 2 },
  });
  onMaster = (_node: string): string | undefined => 'ctrl1';
  onGateway = (_router: string): string | undefined => 'gw2';
  onExec = (_on: string, _cmd: string): driver.ExecResult => ({ exitCode: 0, stdout: 'ok\n', stderr: '' });
  onAction = (_what: string): void => undefined;
  onTraffic = (_req: driver.TrafficRequest, ms: number): driver.TrafficStats => {
    const sent = Math.floor(ms / _req.intervalMs);
    return { sent, received: sent, lost: 0 };
  };
  onArtifacts = (req: driver.ArtifactRequest): { files: string[] } => ({ files: [`${req.dir}/hv1/flows.txt`] });
  private async call<T>(what: string, answer: () => T): Promise<T> {
    this.calls.push(what);
    await wait(this.delayMs);
    return answer();
  }

  tunnels(nodes: readonly string[]) {
    return this.call(`tunnels ${nodes.join(',')}`, () => this.onTunnels(nodes));
  }
  ping(req: driver.PingRequest) {
    return this.call(`ping ${req.from} ${req.to} ${req.ip}`, () => this.onPing(req));
  }
  flood(req: driver.FloodRequest) {
    return this.call(`flood ${req.from} ${req.frame}`, () => this.onFlood(req));
  }
  connect(req: driver.ConnectRequest) {
    return this.call(`connect ${req.from} ${req.to} ${req.proto}/${req.port}`, () => this.onConnect(req));
  }
  spoof(req: driver.SpoofRequest) {
    return this.call(`spoof ${req.from} ${req.srcIp ?? req.srcMac} ${req.to ?? '-'}`, () => this.onSpoof(req));
  }
  masterOf(node: string) {
    return this.call(`masterOf ${node}`, () => this.onMaster(node));
  }
  activeGateway(router: string) {
    return this.call(`activeGateway ${router}`, () => this.onGateway(router));
  }
  exec(on: string, cmd: string) {
    return this.call(`exec ${on} ${cmd}`, () => this.onExec(on, cmd));
  }
  node(action: driver.NodeAction, target: string) {
    return this.call(`${action} ${target}`, () => this.onAction(`${action} ${target}`));
  }
  link(node: string, state: 'up' | 'down') {
    return this.call(`link ${node} ${state}`, () => this.onAction(`link ${node} ${state}`));
  }
  // Logical changes also change the lab the fake reports tunnels of.
  addPort(port: driver.PortChange) {
    return this.call(`addPort ${port.name}`, () => {
      this.onAction(`addPort ${port.name}`);
      this.model = withPort(this.model, { name: port.name, switch: port.switch, node: port.on, ip: port.ip });
    });
  }
  removePort(name: string) {
    return this.call(`removePort ${name}`, () => {
      this.onAction(`removePort ${name}`);
      this.model = withoutPort(this.model, name);
    });
  }
  migrate(port: string, to: string) {
    return this.call(`migrate ${port} ${to}`, () => {
      this.onAction(`migrate ${port} ${to}`);
      this.model = withPortOn(this.model, port, to);
    });
  }
  addNode(node: driver.NodeChange) {
    return this.call(`addNode ${node.name}`, () => {
      this.onAction(`addNode ${node.name}`);
      this.model = withNode(this.model, { name: node.name, role: node.role });
    });
  }
  removeNode(name: string) {
    return this.call(`removeNode ${name}`, () => {
      this.onAction(`removeNode ${name}`);
      this.model = withoutNode(this.model, name);
    });
  }
  async startTraffic(req: driver.TrafficRequest): Promise<driver.TrafficHandle> {
    const started = Date.now();
    await this.call(`startTraffic ${req.from} ${req.to} ${req.intervalMs}`, () => undefined);
    return { stop: () => this.call(`stopTraffic ${req.from} ${req.to}`, () => this.onTraffic(req, Date.now() - started)) };
  }
  collectArtifacts(req: driver.ArtifactRequest) {
    this.artifacts.push(req);
    return this.call(`collectArtifacts ${req.dir}`, () => this.onArtifacts(req));
  }
}

/** A FakeDriver that traces packets too (by default: delivered from hv1 to hv2). A plain
 *  FakeDriver has no trace, so failed checks keep their messages as they were. */
export class TracingFakeDriver extends FakeDriver {
  onTrace = (req: TraceRequest): TraceResult => ({
    from: req.from,
    to: req.to,
    proto: req.proto,
    delivered: true,
    hops: [
      { node: 'hv1', component: 'port', observation: 'received', logical: req.from },
      { node: 'hv2', component: 'port', observation: 'delivered', logical: req.to },
    ],
  });
  trace(req: TraceRequest): Promise<TraceResult> {
    this.calls.push(`trace ${req.from} ${req.to}`);
    return Promise.resolve(this.onTrace(req));
  }
}
