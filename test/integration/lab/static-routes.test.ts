// A router's static routes on a real lab: its namespace on the l3 gateway holds each as
// `PREFIX via NEXT-HOP`, and a VM's packet to a routed prefix leaves the uplink for the next hop
// (the peer host sees it arrive, for an address that is not its own).
import { expect, test } from 'vitest';
import { labTopology, useLab } from './harness.ts';
import { eventually } from './support.ts';

const lab = useLab(labTopology('static-routes.yaml'));

test("the router's namespace on its gateway holds its static routes", async () => {
  const routes = await lab.runtime.exec(lab.container('gw1'), ['ip', 'netns', 'exec', 'edge', 'ip', '-4', 'route', 'show']);
  expect(routes.exitCode).toBe(0);
  const lines = routes.stdout.split('\n').map((l) => l.trim());
  expect(lines).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^10\.50\.0\.0\/16 via 10\.0\.1\.254 dev \S+/),
      expect.stringMatching(/^198\.51\.100\.0\/24 via 203\.0\.113\.254 dev \S+/),
    ]),
  );
}, 30_000);

test('a VM packet to a routed prefix goes to the next hop on the uplink network', async () => {
  // The peer captures, for its own MAC only (-p), ICMP to an address beyond it: only the route
  // sends it there.
  const capture = lab.runtime.exec(lab.container('peer'), [
    'timeout',
    '20',
    'tcpdump',
    '-p',
    '-c',
    '1',
    '-nn',
    '-i',
    'eth0',
    'icmp and dst host 198.51.100.7',
  ]);
  // Until the capture is up, and the gateway has its flows, pings may go unseen: keep pinging.
  const pinged = await eventually(
    async () => {
      await lab.runtime.exec(lab.container('hv1'), ['ip', 'netns', 'exec', 'web1', 'ping', '-c', '1', '-W', '1', '198.51.100.7']);
      return Promise.race([capture.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 500))]);
    },
    (seen) => seen,
    20_000,
  );
  expect(pinged).toBe(true);
  const seen = await capture;
  expect(seen.stdout).toMatch(/10\.0\.1\.11 > 198\.51\.100\.7: ICMP echo request/);
}, 60_000);
