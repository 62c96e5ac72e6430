// Who a transport node's switch is. Over TLS a member takes a switch for the node its certificate
// names and nothing else: an OVSDB session whose system-id is another node's is refused, and an
// OpenFlow connection is a node's switch only when it reports that node's datapath id (as the
// node's OVSDB session has it) and holds that node's certificate. A node holding hv1's
// certificate can thus neither present itself as hv2 nor receive hv2's flows or mastership.
import type { OpenFlowConnection, OpenFlowController } from '../../openflow/index.ts';
import type { NodeSessions } from './node-sessions.ts';

/** Why a switch whose certificate names `commonName` may not be the node `systemId` (its
 *  external_ids:system-id); undefined when it may. Without TLS (`secure` false) every switch may. */
export function identityRefusal(secure: boolean, commonName: string | undefined, systemId: string): string | undefined {
  if (!secure || commonName === systemId) return undefined;
  const cert = commonName === undefined ? 'a certificate without one common name' : `the certificate of "${commonName}"`;
  return `a switch with ${cert} says it is "${systemId}" (external_ids:system-id)`;
}

/** A node's br-int connection among a member's OpenFlow connections: the open one whose datapath
 *  id the node's OVSDB reports and, over TLS, whose certificate names the node. */
export function switchOf(
  sessions: Pick<NodeSessions, 'datapathId' | 'secure'>,
  connections: readonly OpenFlowConnection[],
  node: string,
): OpenFlowConnection | undefined {
  const dpid = sessions.datapathId(node);
  if (dpid === undefined) return undefined;
  return connections.find(
    (c) => c.isOpen && c.datapathId === dpid && identityRefusal(sessions.secure, c.peerCommonName, node) === undefined,
  );
}

/**
 * Over TLS, drops every OpenFlow connection whose datapath id is a node's but whose certificate
 * names none of the nodes reporting it, as soon as both are known (the OpenFlow connection and the
 * node's OVSDB session come in either order), and says so through `log`.
 */
export function guardSwitchIdentities(
  sessions: Pick<NodeSessions, 'datapathId' | 'nodes' | 'on' | 'secure'>,
  openflow: Pick<OpenFlowController, 'connections' | 'on'>,
  log: (line: string) => void,
): void {
  if (!sessions.secure) return;
  const check = (sw: OpenFlowConnection) => {
    const dpid = sw.datapathId;
    if (!sw.isOpen || dpid === undefined) return;
    const owners = sessions.nodes().filter((node) => sessions.datapathId(node) === dpid);
    if (owners.length === 0 || owners.some((node) => identityRefusal(true, sw.peerCommonName, node) === undefined)) return;
    const cert = sw.peerCommonName === undefined ? 'no one common name' : `"${sw.peerCommonName}"`;
    log(
      `openflow: dropped ${sw.remoteAddress}: datapath ${dpid.toString(16).padStart(16, '0')} is ${owners.join(', ')}'s, its certificate names ${cert}`,
    );
    sw.destroy();
  };
  openflow.on('switch', check);
  sessions.on('change', (node) => {
    const dpid = sessions.datapathId(node);
    if (dpid !== undefined) for (const sw of openflow.connections) if (sw.datapathId === dpid) check(sw);
  });
}
