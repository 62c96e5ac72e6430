// The lab runner's side of the northbound API: it pushes the topology's logical configuration
// to the controller cluster over REST, the same path a cloud platform would take.
import { Agent, request as httpRequest } from 'node:http';
import type { LabPlan, RouterPlan, SwitchPlan } from '../topology/plan-types.ts';
import { NvlabError } from '../util/errors.ts';
import { API_PORT, physicalNic } from '../model/index.ts';


export class NorthboundError extends NvlabError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('NORTHBOUND', message, { ...options, exitCode: 2 });
  }
}

export interface NorthboundClient {
  request(method: string, path: string, body?: unknown): Promise<unknown>;
}

// Connections are kept for the next request (an idle one does not keep the process alive). Plain
// node:http rather than fetch: a request costs the caller about a millisecond of CPU instead of
// three, and the first one does not load undici (50 ms), which matters on a 2-core host where
// the lab's switches wait for the same CPU.
const agent = new Agent({ keepAlive: true });

function send(ip: string, port: number, method: string, path: string, body: string | undefined, timeoutMs: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: ip, port, method, path, agent, timeout: timeoutMs, headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A client that tries the members in turn, and retries while the cluster has no quorum yet
 * (503) or a member does not answer, until the deadline.
 */
export function northbound(memberIps: string[], options: { deadlineMs?: number; port?: number } = {}): NorthboundClient {
  let preferred = 0;
  return {
    async request(method, path, body) {
      const deadline = Date.now() + (options.deadlineMs ?? 60_000);
      let last = '';
      // Whether an attempt before may have committed (503: no quorum, outcome unknown; or no answer).
      let ambiguous = false;
      for (let attempt = 0; ; attempt++) {
        const ip = memberIps[(preferred + attempt) % memberIps.length];
        try {
          const { status, text } = await send(ip!, options.port ?? API_PORT, method, path, body === undefined ? undefined : JSON.stringify(body), 5000);
          const json: unknown = text ? JSON.parse(text) : undefined;
          if (status === 503) {
            last = `${ip}: ${text}`;
            ambiguous = true;
          } else if (status === 404 && method === 'DELETE' && ambiguous) {
            return undefined; // the attempt before did delete it
          } else if (status < 200 || status >= 300) {
            throw new NorthboundError(`${method} ${path} → ${status}: ${text}`);
          } else {
            preferred = (preferred + attempt) % memberIps.length;
            return json;
          }
        } catch (error) {
          if (error instanceof NorthboundError) throw error;
          last = `${ip}: ${error instanceof Error ? error.message : String(error)}`;
          ambiguous = true;
        }
        if (Date.now() > deadline) throw new NorthboundError(`controller cluster did not answer ${method} ${path}: ${last}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

/** JSON with object keys sorted: the API may answer a nested object with its keys in another order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/**
 * POST that may be retried: a write answered "no quorum, outcome unknown" may have committed,
 * so a later 409 for a row that holds exactly what was sent counts as done.
 */
export async function create(client: NorthboundClient, collection: string, body: Record<string, unknown>): Promise<void> {
  try {
    await client.request('POST', collection, body);
  } catch (error) {
    if (!(error instanceof NorthboundError) || !error.message.includes('→ 409')) throw error;
    const existing = (await client.request('GET', `${collection}/${String(body.name)}`)) as Record<string, unknown>;
    const same = Object.entries(body).every(([k, v]) => v === undefined || (typeof v === 'object' ? canonical(existing[k]) === canonical(v) : String(existing[k]).toLowerCase() === String(v).toLowerCase()));
    if (!same) throw error;
  }
}

/**
 * A gateway node's NIC on a physical network: the one of its attachment there (physicalNic).
 * `what` names the service in the error when the node is not attached there.
 */
function gatewayNic(plan: LabPlan, node: string, network: string, what: string): string {
  const k = plan.transportNodes.find((n) => n.name === node)?.attachments.findIndex((a) => a.network === network) ?? -1;
  if (k < 0) throw new NorthboundError(`${what}: ${node} is not attached to ${network}`);
  return physicalNic(k);
}

/** The L2 gateway service of a switch as the store holds it. */
export function l2GatewayOf(plan: LabPlan, s: SwitchPlan): { node: string; network: string; vlan?: number; nic: string } | undefined {
  const gw = s.l2Gateway;
  if (!gw) return undefined;
  const nic = gatewayNic(plan, gw.node, gw.network, `switch ${s.name}: l2 gateway`);
  return { node: gw.node, network: gw.network, ...(gw.vlan === undefined ? {} : { vlan: gw.vlan }), nic };
}

/** A logical router as the northbound API takes it: addresses with their prefix, the uplink's
 *  gateways in priority order (the first is active) with their NIC on the uplink's network. */
export function routerBody(plan: LabPlan, r: RouterPlan): Record<string, unknown> {
  const up = r.uplink;
  return {
    name: r.name,
    interfaces: r.interfaces.map((i) => ({ switch: i.switch, ip: `${i.ip}/${i.prefixLength}`, mac: i.mac })),
    ...(up
      ? {
          uplink: {
            network: up.network,
            ip: `${up.ip}/${up.prefixLength}`,
            mac: up.mac,
            snat: up.snat,
            gateways: up.gateways.map((node) => ({ node, nic: gatewayNic(plan, node, up.network, `router ${r.name}: uplink gateway`) })),
          },
        }
      : {}),
  };
}

/** Transport nodes, then switches, then ports and routers: each refers only to what came before. */
export async function pushLogicalConfig(plan: LabPlan, client: NorthboundClient): Promise<void> {
  await Promise.all(
    plan.transportNodes.map((n) =>
      create(client, '/api/v1/transport-nodes', {
        name: n.name,
        role: n.role,
        encap: n.encap,
        underlayIp: n.underlayIp,
        mgmtIp: n.mgmtIp,
      }),
    ),
  );
  await Promise.all(
    plan.switches.map((s) =>
      create(client, '/api/v1/logical-switches', {
        name: s.name,
        vni: s.vni,
        replication: s.replication,
        encap: s.encap,
        subnet: s.subnet,
        l2Gateway: l2GatewayOf(plan, s),
      }),
    ),
  );
  await Promise.all([
    ...plan.switches.flatMap((s) =>
      s.ports.map((p) =>
        create(client, '/api/v1/logical-ports', { name: p.name, switch: s.name, mac: p.mac, ip: p.ip, node: p.node }),
      ),
    ),
    ...plan.routers.map((r) => create(client, '/api/v1/logical-routers', routerBody(plan, r))),
  ]);
}

/**
 * Waits until the cluster has fully programmed every transport node: each member reports the
 * nodes it masters whose tunnels, VM ports and flows are complete.
 */
export async function waitProgrammed(memberIps: string[], nodes: string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let missing = nodes;
  while (Date.now() < deadline) {
    const done = new Set<string>();
    await Promise.all(
      memberIps.map(async (ip) => {
        try {
          const response = await fetch(`http://${ip}:${API_PORT}/api/v1/status`, { signal: AbortSignal.timeout(2000) });
          const status = (await response.json()) as { programmed?: string[] };
          for (const node of status.programmed ?? []) done.add(node);
        } catch {
          // a member that does not answer programs nothing
        }
      }),
    );
    missing = nodes.filter((n) => !done.has(n));
    if (missing.length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new NorthboundError(`the controller cluster did not program ${missing.join(', ')} within ${timeoutMs / 1000} s`);
}
