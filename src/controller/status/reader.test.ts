// The status reader over stand-ins: a replica's rows per node, and switches that hold the flows
// the pipeline computes for them and count as told, answering cookie-filtered flow requests as
// OVS does.
import { describe, expect, it } from 'vitest';
import type { FlowStats, FlowStatsFilter, OpenFlowConnection, PortStats } from '../../openflow/index.ts';
import { desiredFlows, type NodeFacts } from '../pipeline/index.ts';
import { hv1Facts, smallLab } from '../pipeline/test-fixtures.ts';
import { SouthboundStatus } from './reader.ts';
import type { Row } from '../southbound/node-sessions.ts';

const logical = smallLab();

/** What each node's br-int reports: VM ports and tunnels. */
const FACTS: Record<string, NodeFacts> = {
  hv1: hv1Facts(),
  hv2: { vmPorts: new Map([['web-c', 1]]), tunnelPorts: new Map([['tun-hv1-gnv', 10]]) },
};

const vmRow = (node: string, port: string, ofport: number): Row => ({
  _uuid: `${node}-${port}`,
  name: `vm-${port}`,
  ofport,
  link_state: port === 'web-b' ? 'down' : 'up',
  external_ids: new Map([['iface-id', port]]),
});

/** A switch holding the node's desired flows; each flow's packet count is its table id + 1. */
function fakeSwitch(node: string, dpid: bigint): OpenFlowConnection {
  const flows: FlowStats[] = desiredFlows(logical, node, FACTS[node]!).flows.map((f) => ({
    tableId: f.tableId ?? 0,
    durationSec: 1,
    durationNsec: 0,
    priority: f.priority ?? 0,
    idleTimeout: 0,
    hardTimeout: 0,
    flags: 0,
    cookie: f.cookie ?? 0n,
    packetCount: BigInt((f.tableId ?? 0) + 1),
    byteCount: BigInt(((f.tableId ?? 0) + 1) * 100),
    match: f.match ?? [],
    instructions: f.instructions ?? [],
  }));
  const port = (portNo: number): PortStats => ({
    portNo,
    rxPackets: 5n,
    txPackets: 7n,
    rxBytes: 500n,
    txBytes: 700n,
    rxDropped: 0n,
    txDropped: 0n,
    rxErrors: 0n,
    txErrors: 0n,
    durationSec: 1,
    durationNsec: 0,
  });
  return {
    isOpen: true,
    datapathId: dpid,
    aggregate: async () => ({ packetCount: 0n, byteCount: 0n, flowCount: flows.length }),
    groupStats: async () => [{}, {}],
    portStats: async (p?: number) => (p === undefined ? [10, 11].map(port) : [port(p)]),
    flowStats: async (filter: Partial<FlowStatsFilter> = {}) =>
      flows.filter((f) => (f.cookie & (filter.cookieMask ?? 0n)) === ((filter.cookie ?? 0n) & (filter.cookieMask ?? 0n))),
  } as unknown as OpenFlowConnection;
}

function reader(options: { hv2Switch?: boolean } = {}) {
  const dpids: Record<string, bigint> = { hv1: 1n, hv2: 2n };
  return new SouthboundStatus({
    member: 'ctrl1',
    store: { state: () => logical, masterships: () => [{ node: 'hv1', member: 'ctrl1', generation: 4 }] },
    sessions: {
      secure: false,
      view: (node: string) => (node in dpids ? ({} as never) : undefined),
      datapathId: (node: string) => dpids[node],
      tunnelInterfaces: (node: string) =>
        node === 'hv1'
          ? [
              {
                _uuid: 't1',
                name: 'tun-hv2-gnv',
                type: 'geneve',
                ofport: 10,
                options: new Map([
                  ['remote_ip', '192.0.2.2'],
                  ['key', 'flow'],
                ]),
              },
            ]
          : [],
      vmInterface: (node: string, port: string) => {
        const ofport = FACTS[node]?.vmPorts.get(port);
        return ofport === undefined ? undefined : vmRow(node, port, ofport);
      },
    },
    openflow: { connections: [fakeSwitch('hv1', 1n), ...(options.hv2Switch === false ? [] : [fakeSwitch('hv2', 2n)])] },
    programmed: () => ['hv1'],
  });
}

describe('node status', () => {
  it('has the connections, the master, programmed (this member masters it), flow and group counts and tunnels', async () => {
    const s = await reader().nodeStatus('hv1');
    expect(s).toMatchObject({
      node: 'hv1',
      member: 'ctrl1',
      connected: { ovsdb: true, openflow: true },
      master: { member: 'ctrl1', generation: 4 },
      programmed: true,
      groups: 2,
      tunnels: [{ interface: 'tun-hv2-gnv', remote: 'hv2', encap: 'geneve', key: 'flow', rx: { packets: 5 }, tx: { packets: 7 } }],
    });
    expect(s.flows).toBeGreaterThan(10);
  });

  it('says nothing of programmed for a node it does not master, nor of flows it cannot read', async () => {
    const s = await reader({ hv2Switch: false }).nodeStatus('hv2');
    expect(s).toEqual({ node: 'hv2', member: 'ctrl1', connected: { ovsdb: true, openflow: false }, tunnels: [] });
  });

  it('refuses an unknown node', async () => {
    await expect(reader().nodeStatus('hv9')).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'transport node "hv9" not found' });
  });
});

describe('port status and statistics', () => {
  it('finds its classify and delivery flows on its node and the flows sending to it on the other nodes of its switch', async () => {
    const s = await reader().portStatus('web-a');
    expect(s).toMatchObject({
      port: 'web-a',
      switch: 'web',
      vni: 100,
      node: 'hv1',
      plugged: true,
      interface: 'vm-web-a',
      ofport: 1,
      up: true,
    });
    expect(s.flows.map((f) => `${f.node} ${f.kind} table ${f.table}`).sort()).toEqual([
      'hv1 classify table 0',
      'hv1 deliver table 10',
      'hv2 remote table 10',
    ]);
    expect(s.flows.find((f) => f.kind === 'remote')!.meaning).toBe('send to port web-a on switch web through the tunnel of its node');
    expect(s.unread).toBeUndefined();
  });

  it('marks a port down whose link is, and names the nodes it could not read', async () => {
    const s = await reader({ hv2Switch: false }).portStatus('web-b');
    expect(s).toMatchObject({ plugged: true, up: false, unread: ['hv2'] });
  });

  it('shows an unbound port as neither plugged nor up', async () => {
    expect(await reader().portStatus('web-u')).toEqual({
      port: 'web-u',
      switch: 'web',
      vni: 100,
      member: 'ctrl1',
      plugged: false,
      up: false,
      flows: [],
    });
  });

  it("counts the port's interface and its classify and delivery flows", async () => {
    expect(await reader().portStatistics('web-a')).toEqual({
      port: 'web-a',
      member: 'ctrl1',
      node: 'hv1',
      plugged: true,
      interface: 'vm-web-a',
      ofport: 1,
      rx: { packets: 5, bytes: 500, dropped: 0, errors: 0 },
      tx: { packets: 7, bytes: 700, dropped: 0, errors: 0 },
      classify: { packets: 1, bytes: 100 },
      delivery: { packets: 11, bytes: 1100 },
    });
    await expect(reader().portStatistics('nope')).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'logical port "nope" not found' });
  });
});
