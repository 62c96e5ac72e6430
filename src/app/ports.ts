// Logical ports at run time, done as a cloud platform does them: the logical port goes to the
// controller cluster through the northbound API, and the VM is plugged into (or unplugged from)
// its hypervisor's br-int with its iface-id. The controller does the rest.
import { portMac } from '../topology/derive.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { NvlabError } from '../util/errors.ts';
import { nodeContainer } from './labs.ts';
import { northbound, unwrap, type NorthboundClient } from '../northbound-client/index.ts';
import { LABEL_LAB, LABEL_ROLE, parseCidr, portIfname, type ClientName, type LogicalPort, type Qos } from '../model/index.ts';
import { labApiAccess } from './lab-api.ts';

export interface AddPort {
  switch: string;
  name: string;
  on: string;
  ip: string;
  mac?: string;
  /** As a topology file's port gives them (absent: in no group, open). */
  securityGroups?: string[];
  portSecurity?: boolean;
  qos?: Qos;
}

/** The lab's northbound API, reached at its controller members' management addresses with the
 *  lab's credentials, as `client`. */
export async function labNorthbound(runtime: Runtime, lab: string, client: ClientName = 'cli'): Promise<NorthboundClient> {
  const members = await runtime.listContainers({ [LABEL_LAB]: lab, [LABEL_ROLE]: 'controller' });
  const ips = members.flatMap((m) => Object.values(m.addresses)).filter(Boolean);
  if (ips.length === 0) throw new NvlabError('NO_CONTROLLER', `lab ${lab} has no controller members`, { exitCode: 2 });
  return northbound(ips, { deadlineMs: 30_000, ...(await labApiAccess(lab, client)) });
}

async function container(runtime: Runtime, lab: string, node: string): Promise<string> {
  return (await nodeContainer(runtime, lab, node)).name;
}

async function prefixOf(api: NorthboundClient, switchName: string): Promise<number> {
  const sw = unwrap(await api.logicalSwitches.get(switchName));
  return (sw.subnet && parseCidr(sw.subnet)?.prefixLength) || 24;
}

/** The address a VM of the switch routes through: the switch's interface on the first router
 *  that joins it, as deploy gives it (src/nodes/transport-node.ts); none without a router. */
async function gatewayOf(api: NorthboundClient, switchName: string): Promise<string | undefined> {
  const routers = await api.logicalRouters.list();
  // A controller without logical routers has none to route through.
  if (routers.kind === 'not-found') return undefined;
  const ip = unwrap(routers)
    .flatMap((r) => r.interfaces)
    .find((i) => i.switch === switchName)?.ip;
  return ip?.split('/')[0];
}

async function plug(runtime: Runtime, lab: string, port: LogicalPort, node: string, api: NorthboundClient): Promise<void> {
  const [prefix, gateway] = await Promise.all([prefixOf(api, port.switch), gatewayOf(api, port.switch)]);
  const result = await runtime.exec(await container(runtime, lab, node), [
    'nvlab-node',
    'plug',
    port.name,
    portIfname(port.name),
    port.mac,
    `${port.ip}/${prefix}`,
    ...(gateway ? [gateway] : []),
  ]);
  if (result.exitCode !== 0) throw new NvlabError('PLUG', `plug ${port.name} on ${node}: ${result.stdout}${result.stderr}`.trim());
}

async function unplug(runtime: Runtime, lab: string, port: string, node: string): Promise<void> {
  const result = await runtime.exec(await container(runtime, lab, node), ['nvlab-node', 'unplug', port]);
  if (result.exitCode !== 0) throw new NvlabError('PLUG', `unplug ${port} on ${node}: ${result.stdout}${result.stderr}`.trim());
}

export async function addPort(runtime: Runtime, lab: string, spec: AddPort, api?: NorthboundClient): Promise<LogicalPort> {
  const client = api ?? (await labNorthbound(runtime, lab));
  const port = unwrap(
    await client.logicalPorts.create({
      name: spec.name,
      switch: spec.switch,
      mac: spec.mac ?? portMac(spec.switch, spec.name),
      ip: spec.ip,
      node: spec.on,
      ...(spec.securityGroups ? { securityGroups: spec.securityGroups } : {}),
      ...(spec.portSecurity === undefined ? {} : { portSecurity: spec.portSecurity }),
      ...(spec.qos ? { qos: spec.qos } : {}),
    }),
  );
  await plug(runtime, lab, port, spec.on, client);
  return port;
}

export async function removePort(runtime: Runtime, lab: string, name: string, api?: NorthboundClient): Promise<void> {
  const client = api ?? (await labNorthbound(runtime, lab));
  const port = unwrap(await client.logicalPorts.get(name));
  if (port.node) await unplug(runtime, lab, name, port.node);
  unwrap(await client.logicalPorts.delete(name));
}

/** The VM moves with its MAC and IP: unplugged where it was, bound to the new hypervisor, plugged there. */
export async function migratePort(runtime: Runtime, lab: string, name: string, to: string, api?: NorthboundClient): Promise<void> {
  const client = api ?? (await labNorthbound(runtime, lab));
  const port = unwrap(await client.logicalPorts.get(name));
  if (port.node) await unplug(runtime, lab, name, port.node);
  unwrap(await client.logicalPorts.update(name, { ...port, node: to }));
  await plug(runtime, lab, { ...port, node: to }, to, client);
}
