// Semantic rules of a topology: what the schema cannot see because it spans several keys
// (references between sections, addresses against subnets, uniqueness). Pure: issues out.

import type { PathIssue, IssuePath } from './issues.ts';
import type { LogicalSwitchSpec, Topology, UplinkSpec } from './schema.ts';
import { defaultReplication, portMac, routerInterfaceMac } from './derive.ts';
import { placeOf, RESERVED_NAME, startPass, type Add, type Kind, type Pass, type ValidateOptions } from './validate-pass.ts';
import { checkRouterRoutes } from './validate-routes.ts';
import { checkSecurityGroups } from './validate-security.ts';
import { type Cidr, MAX_ROUTERS_PER_SWITCH, formatCidr, normalizeMac, overlaps, parseCidr, parseIp, portIfname } from '../model/index.ts';

export { RESERVED_NAME, type ValidateOptions } from './validate-pass.ts';

/** Every semantic problem of `topology`, each with the key path it is about. */
export function validateTopology(topology: Topology, options: ValidateOptions = {}): PathIssue[] {
  const issues: PathIssue[] = [];
  const pass = startPass(topology, options, issues);
  checkNames(topology, options, pass.add);
  const networkIps = checkNetworks(pass);
  const switchTables = checkSwitches(pass);
  checkRouters(pass, networkIps, switchTables);
  checkSecurityGroups(pass);
  return issues;
}

// Physical networks: host addresses; returns the table of taken addresses per network.
function checkNetworks(pass: Pass): Map<string, Map<number, string>> {
  const networkIps = new Map<string, Map<number, string>>();
  for (const [netName, net] of Object.entries(pass.networks)) {
    const cidr = net.subnet === undefined ? undefined : parseCidr(net.subnet);
    const taken = new Map<number, string>();
    networkIps.set(netName, taken);
    const hosts = Object.entries(net.hosts ?? {});
    if (net.subnet === undefined && hosts.length > 0) {
      pass.add(
        ['physical-networks', netName],
        `physical network ${netName} has hosts but no subnet`,
        'a subnet (only a network without hosts may leave it out)',
        true,
      );
    }
    for (const [host, ipText] of hosts) {
      const path = ['physical-networks', netName, 'hosts', host];
      pass.checkAddress(path, `host ${host}'s address`, ipText, cidr, `network ${netName}`);
      pass.claim(taken, parseIp(ipText), `host ${host}`, {
        path,
        subject: `host ${host}'s address ${ipText}`,
        scope: `on network ${netName}`,
        expected: 'an address unique in the network',
      });
    }
  }
  return networkIps;
}

/** Addresses and MACs taken on each switch (by ports), which router interfaces must not reuse. */
interface SwitchTables {
  ips: Map<string, Map<number, string>>;
  macs: Map<string, Map<string, string>>;
}

// Logical switches: VNIs, replication, ports, l2 gateways.
function checkSwitches(pass: Pass): SwitchTables {
  const { topology, options, nodes } = pass;
  const vniOwners = new Map<number, string>();
  const hasServiceNode =
    Object.values(nodes).some((n) => n.role === 'service-node') ||
    (options.unknownSections?.has('transport-nodes') ?? false) ||
    (options.partialSections?.has('transport-nodes') ?? false);
  let defaultReplicationReported = false;
  const bridged = new Map<string, string>();
  const ifnames = new Map<string, string>(); // interface name → owner
  const tables: SwitchTables = { ips: new Map(), macs: new Map() };
  for (const [swName, sw] of Object.entries(pass.switches)) {
    const swPath = ['logical-switches', swName];
    pass.claim(vniOwners, sw.vni, `switch ${swName}`, {
      path: [...swPath, 'vni'],
      subject: `VNI ${sw.vni} of switch ${swName}`,
      expected: 'a VNI unique in the lab',
    });
    const replication = sw.replication ?? defaultReplication(topology);
    if (replication === 'service-node' && !hasServiceNode) {
      const why = 'there is no service-node in transport-nodes';
      if (sw.replication !== undefined) {
        pass.add(
          [...swPath, 'replication'],
          `switch ${swName} uses service-node replication but ${why}`,
          'source, or a service-node in the lab',
        );
      } else if (!defaultReplicationReported) {
        defaultReplicationReported = true;
        pass.add(['defaults', 'replication'], `defaults.replication is service-node but ${why}`, 'source, or a service-node in the lab');
      }
    }
    const ips = new Map<number, string>();
    const macs = new Map<string, string>();
    tables.ips.set(swName, ips);
    tables.macs.set(swName, macs);
    checkPorts(pass, swName, sw, { ips, macs, ifnames });
    const gw = sw['l2-gateway'];
    if (gw) checkL2Gateway(pass, swName, gw, bridged);
  }
  return tables;
}

function checkPorts(
  pass: Pass,
  swName: string,
  sw: LogicalSwitchSpec,
  taken: { ips: Map<number, string>; macs: Map<string, string>; ifnames: Map<string, string> },
): void {
  const cidr = parseCidr(sw.subnet);
  for (const [portName, port] of Object.entries(sw.ports ?? {})) {
    const portPath = ['logical-switches', swName, 'ports', portName];
    pass.checkNode([...portPath, 'on'], `port ${portName}`, port.on, 'hypervisor', 'a port must be on a hypervisor');
    pass.checkAddress([...portPath, 'ip'], `port ${portName}'s address`, port.ip, cidr, `switch ${swName}`);
    pass.claim(taken.ips, parseIp(port.ip), `port ${portName}`, {
      path: [...portPath, 'ip'],
      subject: `port ${portName}'s address ${port.ip}`,
      scope: `on switch ${swName}`,
      expected: 'an address unique in the switch',
    });
    // Derived MACs count too: a given MAC may equal another port's derived one.
    const mac = normalizeMac(port.mac ?? portMac(swName, portName));
    pass.claim(taken.macs, mac, `port ${portName}`, {
      path: port.mac === undefined ? portPath : [...portPath, 'mac'],
      subject: `port ${portName}'s MAC ${mac}`,
      scope: `on switch ${swName}`,
      expected: 'a MAC unique in the switch',
      atKey: port.mac === undefined,
    });
    const ifname = portIfname(portName);
    pass.claim(taken.ifnames, ifname, `port ${portName}`, {
      path: portPath,
      subject: `port ${portName}'s interface name ${ifname}`,
      expected: 'a port name that yields a different interface name',
      atKey: true,
    });
  }
}

function checkL2Gateway(pass: Pass, swName: string, gw: NonNullable<LogicalSwitchSpec['l2-gateway']>, bridged: Map<string, string>): void {
  const gwPath = ['logical-switches', swName, 'l2-gateway'];
  pass.checkNode([...gwPath, 'on'], `the l2-gateway of switch ${swName}`, gw.on, 'l2-gateway', 'a switch is bridged by an l2-gateway node');
  if (!pass.networks[gw.network]) {
    if (!pass.unknown('physical-networks', gw.network)) {
      pass.add(
        [...gwPath, 'network'],
        `switch ${swName} is bridged onto ${gw.network}, which is not a physical network`,
        `a physical network: ${pass.networkList}`,
      );
    }
    return;
  }
  // Two switches on one segment would merge their broadcast domains and break isolation.
  const other = bridged.get(gw.network);
  if (other)
    pass.add(
      [...gwPath, 'network'],
      `physical network ${gw.network} is already bridged to switch ${other}`,
      'one logical switch per physical network',
    );
  else bridged.set(gw.network, swName);
}

// Logical routers: interfaces inside their switches, uplinks on gateways, their kind and routes.
function checkRouters(pass: Pass, networkIps: Map<string, Map<number, string>>, switchTables: SwitchTables): void {
  const routersOn = new Map<string, number>();
  for (const [rName, router] of Object.entries(pass.routers)) {
    const joined = checkInterfaces(pass, rName, router.switches ?? {}, routersOn, switchTables);
    if (router.uplink) checkUplink(pass, rName, router.uplink, joined, networkIps);
    checkRouterRoutes(pass, rName, router);
  }
}

/** A router's interfaces; returns the switches it joins with their subnets. */
function checkInterfaces(
  pass: Pass,
  rName: string,
  interfaces: Record<string, string>,
  routersOn: Map<string, number>,
  switchTables: SwitchTables,
): { name: string; cidr: Cidr }[] {
  const switchList = Object.keys(pass.switches).join(', ') || 'none in this lab';
  // The router routes by destination: the subnets it joins must not overlap.
  const joined: { name: string; cidr: Cidr }[] = [];
  for (const [swName, ipText] of Object.entries(interfaces)) {
    const path = ['logical-routers', rName, 'switches', swName];
    const sw = pass.switches[swName];
    if (!sw) {
      if (!pass.unknown('logical-switches', swName)) {
        pass.add(
          path,
          `router ${rName} has an interface on ${swName}, which is not a logical switch`,
          `a logical switch: ${switchList}`,
          true,
        );
      }
      continue;
    }
    const count = (routersOn.get(swName) ?? 0) + 1;
    routersOn.set(swName, count);
    if (count === MAX_ROUTERS_PER_SWITCH + 1) {
      pass.add(
        path,
        `switch ${swName} is joined by more than ${MAX_ROUTERS_PER_SWITCH} routers`,
        `at most ${MAX_ROUTERS_PER_SWITCH} routers per switch`,
        true,
      );
    }
    const swCidr = parseCidr(sw.subnet);
    const clash = swCidr && joined.find((j) => overlaps(j.cidr, swCidr));
    if (swCidr && clash) {
      pass.add(
        path,
        `router ${rName} joins switches ${clash.name} and ${swName}, whose subnets ${formatCidr(clash.cidr)} and ${formatCidr(swCidr)} overlap`,
        'switches with subnets apart from each other: the router routes between them',
        true,
      );
    } else if (swCidr) joined.push({ name: swName, cidr: swCidr });
    pass.checkAddress(path, `router ${rName}'s interface address`, ipText, swCidr, `switch ${swName}`);
    pass.claim(switchTables.ips.get(swName), parseIp(ipText), `router ${rName}`, {
      path,
      subject: `router ${rName}'s interface address ${ipText}`,
      scope: `on switch ${swName}`,
      expected: 'an address unique in the switch',
    });
    const mac = routerInterfaceMac(rName, swName);
    pass.claim(switchTables.macs.get(swName), mac, `router ${rName}`, {
      path,
      subject: `router ${rName}'s interface MAC ${mac}`,
      scope: `on switch ${swName}`,
      expected: 'a MAC unique in the switch',
      atKey: true,
    });
  }
  return joined;
}

function checkUplink(
  pass: Pass,
  rName: string,
  uplink: UplinkSpec,
  joined: readonly { name: string; cidr: Cidr }[],
  networkIps: Map<string, Map<number, string>>,
): void {
  const upPath = ['logical-routers', rName, 'uplink'];
  const net = pass.networks[uplink.network];
  if (!net) {
    if (!pass.unknown('physical-networks', uplink.network)) {
      pass.add(
        [...upPath, 'network'],
        `router ${rName}'s uplink is on ${uplink.network}, which is not a physical network`,
        `a physical network: ${pass.networkList}`,
      );
    }
  } else if (net.subnet === undefined) {
    pass.add(
      [...upPath, 'network'],
      `router ${rName}'s uplink is on ${uplink.network}, which has no subnet`,
      'a physical network with a subnet',
    );
  } else {
    const netCidr = parseCidr(net.subnet);
    const clash = netCidr && joined.find((j) => overlaps(j.cidr, netCidr));
    if (netCidr && clash) {
      pass.add(
        [...upPath, 'network'],
        `router ${rName}'s uplink network ${uplink.network} (${formatCidr(netCidr)}) overlaps its switch ${clash.name} (${formatCidr(clash.cidr)})`,
        "a physical network apart from the router's switches",
      );
    }
    // The uplink is plain Ethernet on the gateway's NIC: no 802.1Q tag is pushed or popped for it.
    if (net.vlan !== undefined) {
      pass.add(
        [...upPath, 'network'],
        `router ${rName}'s uplink is on ${uplink.network}, which is on VLAN ${net.vlan}; uplinks are untagged`,
        'a physical network without vlan',
      );
    }
    const path = [...upPath, 'ip'];
    pass.checkAddress(path, `router ${rName}'s uplink address`, uplink.ip, netCidr, `network ${uplink.network}`);
    pass.claim(networkIps.get(uplink.network), parseIp(uplink.ip), `router ${rName}'s uplink`, {
      path,
      subject: `router ${rName}'s uplink address ${uplink.ip}`,
      scope: `on network ${uplink.network}`,
      expected: 'an address unique in the network',
    });
  }
  const seen = new Set<string>();
  uplink.gateways.forEach((gwName, i) => {
    const path = [...upPath, 'gateways', i];
    if (seen.has(gwName)) pass.add(path, `gateway ${gwName} is listed twice in router ${rName}'s uplink`, 'each gateway once');
    seen.add(gwName);
    pass.checkNode(path, `router ${rName}'s uplink`, gwName, 'l3-gateway', 'an uplink is hosted by l3-gateway nodes');
  });
}

// One namespace for nodes, ports, hosts, switches, routers and networks: steps name any of them.
function checkNames(topology: Topology, options: ValidateOptions, add: Add): void {
  const uses: { name: string; kind: Kind; path: IssuePath }[] = [];
  for (const name of Object.keys(topology['transport-nodes'] ?? {}))
    uses.push({ name, kind: 'transport node', path: ['transport-nodes', name] });
  for (const [net, spec] of Object.entries(topology['physical-networks'] ?? {})) {
    uses.push({ name: net, kind: 'physical network', path: ['physical-networks', net] });
    for (const host of Object.keys(spec.hosts ?? {}))
      uses.push({ name: host, kind: 'host', path: ['physical-networks', net, 'hosts', host] });
  }
  for (const [sw, spec] of Object.entries(topology['logical-switches'] ?? {})) {
    uses.push({ name: sw, kind: 'logical switch', path: ['logical-switches', sw] });
    for (const port of Object.keys(spec.ports ?? {}))
      uses.push({ name: port, kind: 'port', path: ['logical-switches', sw, 'ports', port] });
  }
  for (const name of Object.keys(topology['logical-routers'] ?? {}))
    uses.push({ name, kind: 'logical router', path: ['logical-routers', name] });
  const locate = options.locate;
  if (locate) {
    const key = (p: IssuePath): number => {
      const pos = locate(p);
      return pos.line * 1e6 + pos.column;
    };
    uses.sort((a, b) => key(a.path) - key(b.path));
  }
  const first = new Map<string, { kind: Kind; path: IssuePath }>();
  for (const use of uses) {
    if (RESERVED_NAME.test(use.name)) {
      add(use.path, `${use.kind} ${use.name}: ${use.name} is reserved for a controller member`, 'a name other than ctrl1 … ctrl5', true);
      continue;
    }
    const prior = first.get(use.name);
    if (prior) {
      add(
        use.path,
        `${use.kind} ${use.name}: the name is already used by ${prior.kind} ${use.name} at ${placeOf(options, prior.path)}`,
        'a name unique in the lab (nodes, ports, hosts, switches, routers and networks share one namespace)',
        true,
      );
    } else first.set(use.name, use);
  }
}
