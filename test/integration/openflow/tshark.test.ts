// Wireshark's OpenFlow 1.3 dissector must decode a capture of a whole session between our
// controller and ovs-vswitchd (every message type we speak) without a malformed packet.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  act,
  flowMod,
  FlowModFlags,
  inst,
  packetOut,
  Port,
  type FlowRemoved,
  type OpenFlowConnection,
  type PacketIn,
  type PortStatus,
} from '../../../src/openflow/index.ts';
import { startOfLab, type OfLab } from './of-lab.ts';
import { overlayFlows, overlayGroups } from './pipeline-fixture.ts';

const ARP = Buffer.from('ffffffffffff000000000001080600010800060400010000000000010a0000010000000000000a000002' + '00'.repeat(18), 'hex');

describe('tshark decodes our OpenFlow session', () => {
  let lab: OfLab;
  let dir: string;
  let capture: ResultPromise | undefined;
  let file: string;
  let decoded = '';

  beforeAll(async () => {
    // Fails here, naming tshark, where it is missing (scripts/bootstrap.sh installs it).
    await execa('tshark', ['--version']);
    dir = await mkdtemp(join(tmpdir(), 'nvlab-tshark-'));
    file = join(dir, 'openflow.pcapng');
    lab = await startOfLab();
    // A probe server on a second port tells us when the capture filter is really live:
    // we connect to it until tshark (-P) reports a packet.
    const probe = createServer((sock) => sock.destroy());
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const probePort = (probe.address() as AddressInfo).port;
    capture = execa('tshark', ['-i', 'lo', '-f', `tcp port ${lab.port} or tcp port ${probePort}`, '-w', file, '-P'], {
      reject: false,
      buffer: false,
    });
    let seen = false;
    capture.stdout!.on('data', () => (seen = true));
    for (let i = 0; i < 300 && !seen; i++) {
      await new Promise<void>((resolve) =>
        connect(probePort, '127.0.0.1')
          .on('error', () => resolve())
          .on('close', () => resolve()),
      );
      await new Promise((r) => setTimeout(r, 100));
    }
    probe.close();
    if (!seen) throw new Error('tshark never saw a packet on lo');
    const { bridge, conn } = await lab.addSwitch(0x601n, { patchPorts: true });
    await runSession(lab, bridge, conn);
    await new Promise((r) => setTimeout(r, 1000));
    capture.kill('SIGINT');
    await capture;
    capture = undefined;
    const out = await execa('tshark', ['-r', file, '-d', `tcp.port==${lab.port},openflow`, '-V'], { maxBuffer: 512 * 1024 * 1024 });
    decoded = out.stdout;
  });

  afterAll(async () => {
    capture?.kill('SIGKILL');
    await lab?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('has no malformed packets and no error-level expert info', () => {
    expect(decoded.length).toBeGreaterThan(0);
    const bad = decoded.split('\n').filter((l) => /Malformed|Expert Info \(Error/.test(l));
    expect(bad).toEqual([]);
  });

  it('shows every message type of the session', () => {
    const types = new Set([...decoded.matchAll(/Type: (OFPT_[A-Z_]+)/g)].map((m) => m[1]));
    for (const t of [
      'OFPT_HELLO',
      'OFPT_ERROR',
      'OFPT_ECHO_REQUEST',
      'OFPT_ECHO_REPLY',
      'OFPT_FEATURES_REQUEST',
      'OFPT_FEATURES_REPLY',
      'OFPT_GET_CONFIG_REQUEST',
      'OFPT_GET_CONFIG_REPLY',
      'OFPT_SET_CONFIG',
      'OFPT_PACKET_IN',
      'OFPT_FLOW_REMOVED',
      'OFPT_PORT_STATUS',
      'OFPT_PACKET_OUT',
      'OFPT_FLOW_MOD',
      'OFPT_GROUP_MOD',
      'OFPT_MULTIPART_REQUEST',
      'OFPT_MULTIPART_REPLY',
      'OFPT_BARRIER_REQUEST',
      'OFPT_BARRIER_REPLY',
      'OFPT_ROLE_REQUEST',
      'OFPT_ROLE_REPLY',
    ]) {
      expect(types, t).toContain(t);
    }
  });
});

async function runSession(lab: OfLab, bridge: string, conn: OpenFlowConnection): Promise<void> {
  await conn.desc();
  await conn.setConfig(0, 0xffff);
  await conn.getConfig();
  await conn.echo(Buffer.from('tshark'));
  await conn.role('master', 1n);
  await conn.role('slave', 0n).catch(() => {}); // stale: OFPT_ERROR
  await conn.install(overlayGroups());
  await conn.install(overlayFlows());
  await conn.install([
    flowMod({ command: 'modify', tableId: 2, cookie: 0xabcn, cookieMask: 0xfffn, instructions: [inst.apply(act.output(1))] }),
    flowMod({ command: 'delete_strict', tableId: 2, priority: 80, match: [{ field: 'vlan_vid', value: 0x1000 | 100 }] }),
    flowMod({
      priority: 200,
      cookie: 0x42n,
      match: [{ field: 'in_port', value: 2 }],
      instructions: [inst.apply(act.setField({ field: 'reg3', value: 7 }), act.output(Port.CONTROLLER))],
    }),
  ]);
  await conn.install([flowMod({ tableId: 9, match: [{ field: 'ipv4_src', value: '1.2.3.4' }] })]).catch(() => {}); // BAD_PREREQ
  await conn.flowStats();
  await conn.aggregate();
  await conn.portDesc();
  await conn.groupDesc();
  const pin = new Promise<PacketIn>((resolve) => conn.once('packetIn', resolve));
  conn.send(packetOut(ARP, [act.output(1)]));
  await pin;
  const ps = new Promise<PortStatus>((resolve) => conn.once('portStatus', resolve));
  await lab.ovs.vsctl('add-port', bridge, 'tsp0', '--', 'set', 'interface', 'tsp0', 'type=patch', 'options:peer=none');
  await ps;
  const removed = new Promise<FlowRemoved>((resolve) => conn.once('flowRemoved', resolve));
  await conn.install([
    flowMod({ tableId: 12, hardTimeout: 1, flags: FlowModFlags.SEND_FLOW_REM, match: [{ field: 'tunnel_id', value: 9n }] }),
  ]);
  await removed;
  await conn.barrier();
}
