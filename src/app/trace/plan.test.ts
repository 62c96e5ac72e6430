import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadRecording, recordedView } from '../../../test/fixtures/trace/recorded.ts';
import type { TraceRequestInput } from '../../model/index.ts';
import { hostLink, labView } from './lab-view.ts';
import { BROADCAST_MAC, flowText, MULTICAST_MAC, UNKNOWN_MAC, withFrame, type Packet } from './packet.ts';
import { planTrace } from './plan.ts';
import { traceRequest } from './tracer.ts';

// The view of test/integration/lab/topologies/trace.yaml as it ran (test/fixtures/trace/lab.json).
const recording = loadRecording();
const view = recordedView(recording);
const plan = (input: TraceRequestInput, v = view) => planTrace(v, traceRequest(input));
const port = (name: string) => view.ports.find((p) => p.name === name)!;
const edge = view.routers.find((r) => r.name === 'edge')!;
const routerMac = (sw: string) => edge.interfaces.find((i) => i.switch === sw)!.mac;
const host = (name: string) => view.hosts.find((h) => h.name === name)!;

describe('flowText', () => {
  const packet: Packet = {
    dlSrc: '02:00:00:00:00:01',
    dlDst: '02:00:00:00:00:02',
    proto: 'icmp',
    nwSrc: '10.0.0.1',
    nwDst: '10.0.0.2',
    ttl: 64,
  };

  it('describes each protocol entering at a port, a tunnel with its VNI, a NIC with its VLAN', () => {
    expect(flowText(packet, { inPort: 'vm-web1' })).toBe(
      'in_port=vm-web1,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:02,icmp,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_ttl=64,icmp_type=8,icmp_code=0',
    );
    expect(flowText({ ...packet, proto: 'tcp', tpDst: 80 }, { inPort: 'tun-hv1-gnv', tunId: 5001 })).toBe(
      'in_port=tun-hv1-gnv,tun_id=5001,dl_src=02:00:00:00:00:01,dl_dst=02:00:00:00:00:02,tcp,nw_src=10.0.0.1,nw_dst=10.0.0.2,nw_ttl=64,tcp_src=40000,tcp_dst=80',
    );
    expect(flowText({ ...packet, proto: 'udp', tpDst: 53 }, { inPort: 'eth2', vlan: 10 })).toMatch(
      /^in_port=eth2,dl_vlan=10,.*,udp,.*,udp_src=40000,udp_dst=53$/,
    );
    expect(flowText({ ...packet, proto: 'arp', dlDst: BROADCAST_MAC }, { inPort: 'vm-web1' })).toBe(
      'in_port=vm-web1,dl_src=02:00:00:00:00:01,dl_dst=ff:ff:ff:ff:ff:ff,arp,arp_op=1,arp_spa=10.0.0.1,arp_tpa=10.0.0.2,arp_sha=02:00:00:00:00:01,arp_tha=00:00:00:00:00:00',
    );
  });

  it('sets a BUM frame kind: broadcast, a multicast group, a unicast MAC nobody has', () => {
    expect(withFrame(packet, 'broadcast').dlDst).toBe(BROADCAST_MAC);
    expect(withFrame(packet, 'multicast')).toMatchObject({ dlDst: MULTICAST_MAC, nwDst: '239.255.0.1' });
    expect(withFrame(packet, 'unknown').dlDst).toBe(UNKNOWN_MAC);
    expect(withFrame(packet, undefined)).toBe(packet);
  });
});

describe('planTrace: the packet a source sends', () => {
  it("to a port of its own switch: the port's MAC and address, from the VM's interface on its node", () => {
    const p = plan({ from: 'web1', to: 'web3' });
    expect(p.packet).toEqual({
      dlSrc: port('web1').mac,
      dlDst: port('web3').mac,
      proto: 'icmp',
      nwSrc: '10.0.1.11',
      nwDst: '10.0.1.13',
      ttl: 64,
    });
    expect(p.starts).toEqual([{ node: 'hv1', entry: { kind: 'port', port: 'web1' }, ingress: { inPort: 'vm-web1' } }]);
    expect(p.target).toBe('web3');
    expect(p.verdict).toBeUndefined();
  });

  it("to another subnet a router joins: the router interface's MAC; an ARP asks for the router, which is the target", () => {
    expect(plan({ from: 'web1', to: 'db1' }).packet).toMatchObject({ dlDst: routerMac('web'), nwDst: '10.0.2.11' });
    expect(plan({ from: 'web1', to: '10.0.2.11' })).toMatchObject({ target: 'db1', to: { kind: 'port', name: 'db1' } });
    expect(plan({ from: 'web1', to: 'www', proto: 'tcp:443' }).packet).toMatchObject({
      dlDst: routerMac('web'),
      nwDst: '203.0.113.80',
      tpDst: 443,
    });
    const arp = plan({ from: 'web1', to: 'db1', proto: 'arp' });
    expect(arp.packet).toMatchObject({ proto: 'arp', dlDst: BROADCAST_MAC, nwDst: '10.0.1.1' });
    expect(arp.target).toBe('edge');
    expect(plan({ from: 'web1', to: '10.0.1.1' })).toMatchObject({ target: 'edge', packet: { dlDst: routerMac('web') } });
    // An address nothing holds goes to the router, which decides.
    expect(plan({ from: 'web1', to: '8.8.8.8' })).toMatchObject({ to: { kind: 'address' }, packet: { dlDst: routerMac('web') } });
  });

  it("to a host an L2 gateway bridges: the host's MAC; from that host: in at the gateway's NIC with its VLAN", () => {
    expect(plan({ from: 'lan1', to: 'printer' }).packet).toMatchObject({ dlDst: host('printer').mac, nwDst: '192.168.10.50' });
    const back = plan({ from: 'printer', to: 'lan1' });
    expect(back.packet).toMatchObject({ dlSrc: host('printer').mac, dlDst: port('lan1').mac });
    expect(back.starts).toEqual([
      {
        node: 'l2gw',
        entry: { kind: 'nic', nic: 'eth2', network: 'office', vlan: 10, host: 'printer' },
        ingress: { inPort: 'eth2', vlan: 10 },
      },
    ]);
    // A host behind an uplink sends to the router's uplink MAC, in at each of its gateways in turn.
    const www = plan({ from: 'www', to: '203.0.113.2' });
    expect(www).toMatchObject({ target: 'edge', packet: { dlDst: edge.uplink!.mac } });
    expect(www.starts.map((s) => s.node)).toEqual(['gw1']);
  });

  it('a BUM frame replaces the destination MAC; the target still says what counts as delivered', () => {
    expect(plan({ from: 'web1', to: 'web4', frame: 'broadcast' })).toMatchObject({ target: 'web4', packet: { dlDst: BROADCAST_MAC } });
    expect(plan({ from: 'web1', to: 'web4', frame: 'unknown' }).packet.dlDst).toBe(UNKNOWN_MAC);
  });

  it('decides isolation and unbound ports from the logical state', () => {
    const isolated = plan({ from: 'web1', to: 'other2' });
    expect(isolated.packet.dlDst).toBe(port('other2').mac);
    expect(isolated.verdict).toMatchObject({ reason: 'isolation', node: 'hv1', logical: 'web' });
    expect(isolated.verdict?.detail).toBe('other2 is on switch other, and no router or gateway joins it to switch web');
    const unbound = labView(
      view.lab,
      { ...recording.resources, ports: recording.resources.ports.map((p) => (p.name === 'web3' ? { ...p, node: undefined } : p)) },
      recording.hosts,
    );
    expect(plan({ from: 'web1', to: 'web3' }, unbound).verdict).toMatchObject({ reason: 'port-not-bound', logical: 'web3' });
    const fromUnbound = plan({ from: 'web3', to: 'web1' }, unbound);
    expect(fromUnbound).toMatchObject({ starts: [], verdict: { reason: 'port-not-bound', logical: 'web3' } });
  });

  it('refuses names the lab does not have (exit 2), naming them', () => {
    const refused = (input: TraceRequestInput, message: RegExp) => {
      expect(() => plan(input)).toThrow(message);
      try {
        plan(input);
      } catch (error) {
        expect(error).toMatchObject({ exitCode: 2 });
      }
    };
    refused({ from: 'web9', to: 'web1' }, /lab trace-rec has no port or host named web9/);
    refused({ from: 'web1', to: 'nosuch' }, /has no port or host named nosuch, and it is not an IPv4 address/);
    refused({ from: 'web1', to: 'edge' }, /edge is a router: trace to one of its addresses \(10\.0\.1\.1, 10\.0\.2\.1, 203\.0\.113\.2\)/);
    refused({ from: 'lan1', to: '192.168.10.99' }, /nothing in lab trace-rec holds 192\.168\.10\.99/);
    expect(() => traceRequest({ from: 'web1', to: 'web2', proto: 'sctp' })).toThrow(/proto: expected icmp, arp, tcp:PORT or udp:PORT/);
  });
});

describe('hostLink', () => {
  it("finds a host's MAC and VLAN from `ip -j addr` (the interface holding its address)", () => {
    const printer = readFileSync(new URL('../../../test/fixtures/trace/host-printer.json', import.meta.url), 'utf8');
    expect(hostLink(printer, '192.168.10.50')).toEqual({ mac: '02:42:c0:a8:0a:32', vlan: 10 });
    const www = readFileSync(new URL('../../../test/fixtures/trace/host-www.json', import.meta.url), 'utf8');
    expect(hostLink(www, '203.0.113.80')).toEqual({ mac: '02:42:cb:00:71:50' });
    expect(hostLink(www, '10.9.9.9')).toEqual({});
  });
});
