// A distributed router without gateways and the physical hosts it has no binding for, on a real
// lab: the printer (VLAN 10, behind an L2 gateway) has its ARP for the router answered, tagged,
// by the L2 gateway itself; a VM's packet to it makes the router ask (an ARP request its node's
// master sends) and learn the reply for every member (GET /api/v1/mac-bindings); from then on
// it is routed like a port, and a static route through it (a physical next hop) works too; the
// trace names the learned binding, and the injected packet takes the predicted hops.
import { beforeAll, expect, test } from 'vitest';
import { labNorthbound } from '../../../src/app/ports.ts';
import { unwrap, type NorthboundClient } from '../../../src/northbound-client/index.ts';
import { labTopology, useLab } from './harness.ts';
import { eventually, runtime } from './support.ts';

const lab = useLab(labTopology('routed-hosts.yaml'));
let api: NorthboundClient;

const sh = (node: string, cmd: string) => runtime.exec(lab.container(node), ['sh', '-c', cmd], { timeoutMs: 20_000 });
const vmPing = (node: string, vm: string, ip: string) => sh(node, `ip netns exec ${vm} ping -n -c 1 -W 1 ${ip}`);

beforeAll(async () => {
  api = await labNorthbound(runtime, lab.name);
  // The printer routes through the router (and answers for 10.50.0.1: a network behind it).
  await sh('printer', 'ip route replace default via 192.168.10.1 && ip addr add 10.50.0.1/32 dev lo');
}, 240_000);

test("a physical host's ARP for the router is answered by its L2 gateway, on its VLAN, and so is its TTL run out", async () => {
  const r = await sh('printer', 'ip neigh flush all; ping -n -c 1 -W 1 192.168.10.1 && ip neigh show 192.168.10.1');
  expect(r.stdout).toMatch(/ttl=64/);
  expect(r.stdout).toMatch(/192\.168\.10\.1 dev eth0\.10 lladdr 0a:/);
  // A TTL that runs out at the router: time exceeded from its address, back on the VLAN too.
  expect((await sh('printer', 'ping -n -c 1 -W 2 -t 1 10.0.2.11')).stdout).toMatch(/From 192\.168\.10\.1 icmp_seq=1 Time to live exceeded/);
});

test('a VM reaches a physical host no port tells the router of: asked, learned for every node, routed', async () => {
  const answered = await eventually(
    () => vmPing('hv2', 'db1', '192.168.10.50'),
    (r) => r.exitCode === 0,
    10_000,
  );
  expect(answered.stdout).toMatch(/ttl=63/);
  const printerMac = (await sh('printer', 'cat /sys/class/net/eth0/address')).stdout.trim();
  expect(unwrap(await api.macBindings.list())).toEqual([{ switch: 'web', ip: '192.168.10.50', mac: printerMac }]);
  // The other way, and from the VM on the printer's own switch (no router involved).
  expect((await sh('printer', 'ping -n -c 1 -W 1 10.0.2.11')).stdout).toMatch(/ttl=63/);
  expect((await vmPing('hv1', 'web1', '192.168.10.50')).exitCode).toBe(0);
});

test('a static route through a physical next hop, and the trace names the learned binding', async () => {
  const r = await eventually(
    () => vmPing('hv2', 'db1', '10.50.0.1'),
    (x) => x.exitCode === 0,
    10_000,
  );
  expect(r.stdout).toMatch(/ttl=63/);
  const trace = await lab.driver.trace!({ from: 'db1', to: 'printer', proto: 'icmp' });
  expect(trace.delivered).toBe(true);
  expect(trace.divergence).toBeUndefined();
  expect(trace.hops.map((h) => h.rule?.meaning ?? '')).toContain(
    `router core: to 192.168.10.50 on switch web, its MAC learned (${(await sh('printer', 'cat /sys/class/net/eth0/address')).stdout.trim()}): TTL lowered, MACs rewritten`,
  );
});
