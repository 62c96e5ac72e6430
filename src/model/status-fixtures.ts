// Status objects written alike by the tests of nvlab status (app, cli) and of the status API
// (controller): each test still states its own names, members and counters.
import type { LogicalPortStatus, PortFlow, TransportNodeStatus, TunnelStatus } from './status.ts';

/** A Geneve tunnel to `remote` as nvlab names it, the VNI set per packet (`key: flow`). */
export const geneveTunnel = (remote: string, remoteIp: string, extra: Partial<TunnelStatus> = {}): TunnelStatus => ({
  interface: `tun-${remote}-gnv`,
  remote,
  remoteIp,
  encap: 'geneve',
  key: 'flow',
  ...extra,
});

/** A node connected both ways to `member`, which masters it (at `generation`) and has programmed it. */
export const programmedNode = (
  node: string,
  member: string,
  generation: number,
  counts: { flows: number; groups: number },
  tunnels: TunnelStatus[],
): TransportNodeStatus => ({
  node,
  member,
  connected: { ovsdb: true, openflow: true },
  master: { member, generation },
  programmed: true,
  ...counts,
  tunnels,
});

/** Port web1 of switch web (VNI 5001), bound to hv1, plugged and up, as `member` reads it. */
export const web1Status = (member: string, flows: PortFlow[], extra: Partial<LogicalPortStatus> = {}): LogicalPortStatus => ({
  port: 'web1',
  switch: 'web',
  vni: 5001,
  member,
  node: 'hv1',
  plugged: true,
  up: true,
  flows,
  ...extra,
});
