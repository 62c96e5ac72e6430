// Packet-out / packet-in round trips, port descriptions and port-status events, switch config
// and description, and several switches on one controller, against a real ovs-vswitchd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  act,
  flowMod,
  inst,
  packetOut,
  Port,
  PortReason,
  type OpenFlowConnection,
  type PacketIn,
  type PortStatus,
} from '../../../src/openflow/index.ts';
import { startOfLab, type OfLab } from './of-lab.ts';

// A broadcast ARP request from 00:00:00:00:00:01 (10.0.0.1) for 10.0.0.2, padded to 60 bytes.
const ARP = Buffer.from(
  'ffffffffffff000000000001080600010800060400010000000000010a000001000000000000' + '0a000002' + '00'.repeat(18),
  'hex',
);

let lab: OfLab;
let bridge: string;
let conn: OpenFlowConnection;

function nextPacketIn(c: OpenFlowConnection, pred: (m: PacketIn) => boolean = () => true): Promise<PacketIn> {
  return new Promise((resolve) => {
    const on = (m: PacketIn) => {
      if (!pred(m)) return;
      c.off('packetIn', on);
      resolve(m);
    };
    c.on('packetIn', on);
  });
}

beforeAll(async () => {
  lab = await startOfLab();
  ({ bridge, conn } = await lab.addSwitch(0x201n, { patchPorts: true }));
  // Packets entering on patch port 2 go to the controller, tagged with reg3 and a cookie.
  await conn.install([
    flowMod({
      priority: 100,
      cookie: 0x42n,
      match: [{ field: 'in_port', value: 2 }],
      instructions: [inst.apply(act.setField({ field: 'reg3', value: 7 }), act.output(Port.CONTROLLER))],
    }),
  ]);
});

afterAll(async () => {
  await lab?.stop();
});

describe('packet-out → packet-in', () => {
  it('packet-out straight to CONTROLLER comes back as a packet-in with the same bytes', async () => {
    const pin = nextPacketIn(conn, (m) => m.data.equals(ARP) && m.cookie !== 0x42n);
    conn.send(packetOut(ARP, [act.output(Port.CONTROLLER)]));
    const m = await pin;
    expect(m.totalLen).toBe(ARP.length);
    expect(m.bufferId).toBe(0xffffffff);
    expect(m.match).toContainEqual({ field: 'in_port', value: Port.CONTROLLER });
  });

  it('packet-out to patch port 1 re-enters on port 2, hits our flow and arrives with in_port and reg3', async () => {
    const pin = nextPacketIn(conn, (m) => m.cookie === 0x42n);
    conn.send(packetOut(ARP, [act.output(1)]));
    const m = await pin;
    expect(m).toMatchObject({ reason: 1, tableId: 0, cookie: 0x42n, data: ARP });
    expect(m.match).toEqual([
      { field: 'in_port', value: 2 },
      { field: 'reg3', value: 7 },
    ]);
  });

  it('packet-out through the flow table (output:TABLE) with in_port 2', async () => {
    const pin = nextPacketIn(conn, (m) => m.cookie === 0x42n);
    conn.send(packetOut(ARP, [act.output(Port.TABLE)], 2));
    expect((await pin).data).toEqual(ARP);
  });

  it('miss_send_len from SET_CONFIG is applied and read back by GET_CONFIG', async () => {
    await conn.setConfig(0, 128);
    expect(await conn.getConfig()).toEqual({ flags: 0, missSendLen: 128 });
  });
});

describe('ports and switch description', () => {
  it('port desc lists LOCAL and the two patch ports', async () => {
    const ports = await conn.portDesc();
    const byNo = new Map(ports.map((p) => [p.portNo, p]));
    expect([...byNo.keys()].sort()).toEqual([1, 2, Port.LOCAL].sort());
    expect(byNo.get(Port.LOCAL)!.name).toBe(bridge);
    expect(byNo.get(1)!.name).toBe(`${bridge}a`.slice(-15));
    expect(byNo.get(1)!.hwAddr).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  });

  it('adding and deleting a port sends PORT_STATUS add and delete', async () => {
    const events: PortStatus[] = [];
    const seen = (reason: number) =>
      new Promise<PortStatus>((resolve) => {
        const on = (m: PortStatus) => {
          if (m.port.name !== 'pst0' || m.reason !== reason) return;
          conn.off('portStatus', on);
          resolve(m);
        };
        conn.on('portStatus', on);
      });
    const added = seen(PortReason.ADD);
    await lab.ovs.vsctl(
      'add-port',
      bridge,
      'pst0',
      '--',
      'set',
      'interface',
      'pst0',
      'type=patch',
      'options:peer=nowhere',
      'ofport_request=9',
    );
    events.push(await added);
    const deleted = seen(PortReason.DELETE);
    await lab.ovs.vsctl('del-port', bridge, 'pst0');
    events.push(await deleted);
    expect(events.map((e) => [e.reason, e.port.portNo, e.port.name])).toEqual([
      [PortReason.ADD, 9, 'pst0'],
      [PortReason.DELETE, 9, 'pst0'],
    ]);
  });

  it('desc names Open vSwitch', async () => {
    const d = await conn.desc();
    expect(d).toMatchObject({ mfrDesc: 'Nicira, Inc.', hwDesc: 'Open vSwitch' });
    expect(d.swDesc).toMatch(/^3\./);
  });

  it('echo round trip carries data', async () => {
    expect((await conn.echo(Buffer.from('nvlab'))).toString()).toBe('nvlab');
  });
});

describe('several switches on one controller', () => {
  it('three more bridges connect at once; each session programs only its own bridge', async () => {
    const extra = await Promise.all([0x301n, 0x302n, 0x303n].map((d) => lab.addSwitch(d)));
    expect(new Set(lab.controller.connections.map((c) => c.datapathId))).toEqual(new Set([0x201n, 0x301n, 0x302n, 0x303n]));
    await Promise.all(
      extra.map(({ conn: c }, i) => c.install([flowMod({ tableId: 4, priority: 100 + i, cookie: BigInt(i + 1), instructions: [] })])),
    );
    for (const [i, { bridge: b }] of extra.entries()) {
      expect(await lab.dumpFlows(b)).toEqual([`cookie=0x${i + 1}, table=4, priority=${100 + i} actions=drop`]);
    }
  });
});
