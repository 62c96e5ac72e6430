import chalk from 'chalk';
import type { LabState, NodeState } from '../app/inspect.ts';
import type { ApiAccess } from '../app/api-access.ts';
import { out, table } from './output.ts';
import { plural } from '../util/words.ts';

function stateColour(state: string): string {
  return state === 'running' ? chalk.green(state) : chalk.yellow(state);
}

const isRouterPort = (ifaceId: string) => ifaceId.startsWith('lrp:') || ifaceId.startsWith('lru:');

export function ovsSummary(node: NodeState): string {
  if (node.ovsError) return chalk.red(`ovs: ${node.ovsError}`);
  if (!node.ovs) return '';
  return [...node.ovs]
    .sort((a, b) => a.name.localeCompare(b.name, 'en'))
    .map((bridge) => {
      const others = bridge.interfaces.filter((i) => i.type !== 'internal');
      const ids = others.map((i) => i.ifaceId).filter((id): id is string => id !== undefined);
      // A logical router's ports (iface-id lrp:ROUTER:SWITCH, lru:ROUTER) name its router, once.
      const vms = ids.filter((id) => !isRouterPort(id));
      const routers = [...new Set(ids.filter(isRouterPort).map((id) => id.split(':')[1]))];
      const tunnels = others.filter((i) => ['geneve', 'vxlan', 'gre'].includes(i.type)).length;
      const parts = [
        vms.length ? `vms ${vms.join(',')}` : '',
        routers.length ? `routers ${routers.join(',')}` : '',
        tunnels ? plural(tunnels, 'tunnel') : '',
      ].filter(Boolean);
      if (bridge.name === 'br-phy') parts.push(others.map((i) => i.name).join(','));
      return `${bridge.name}${parts.length ? `(${parts.join('; ')})` : ''}`;
    })
    .join(' ');
}

/** Below the nodes: whether the lab runs TLS, and how its owner calls its API. */
export function apiLines(api: ApiAccess): string[] {
  if (api.token === undefined) return [`tls    ${chalk.dim('unknown')}`, `token  ${chalk.dim(api.note ?? 'none')}`];
  return [
    `tls    ${api.tls ? chalk.green('on') : chalk.yellow('off')}${api.caFile ? chalk.dim(` (members' authority: ${api.caFile})`) : ''}`,
    `token  ${api.token}`,
    ...(api.example ? [`api    ${api.example}`] : []),
  ];
}

export function printLab(state: LabState): void {
  out(chalk.bold(`lab ${state.lab}`));
  const rows = state.nodes.map((n) => [
    n.name,
    n.role,
    stateColour(n.state),
    n.mgmtIp ?? '',
    // Transport nodes show their transport IP; hosts the address on their physical network.
    n.underlayIp ??
      Object.entries(n.addresses)
        .filter(([network]) => network !== 'mgmt')
        .map(([, ip]) => ip)
        .join(','),
    ovsSummary(n),
  ]);
  for (const line of table(['NODE', 'ROLE', 'STATE', 'MGMT', 'UNDERLAY/ADDR', 'OVS'], rows)) out(`  ${line}`);
  for (const line of apiLines(state.api)) out(`  ${line}`);
}
