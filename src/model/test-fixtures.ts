// Test data written alike by the router tests of the model, the store and the northbound API.

/** Gateways gw2, then gw1, each on its own NIC. */
const wanGateways = () => [
  { node: 'gw2', nic: 'eth2' },
  { node: 'gw1', nic: 'eth3' },
];

/** A router's uplink on network "wan" as a client writes it, with `extra` (snat) before the
 *  gateways, where a client puts it: tests compare the JSON text read back. */
export const wanUplink = <Extra extends object = object>(extra = {} as Extra) => ({
  network: 'wan',
  ip: '203.0.113.2/24',
  mac: '0a:00:00:00:ff:01',
  ...extra,
  gateways: wanGateways(),
});

/** What the pipeline's LogicalState keeps of that uplink. */
export const wanUplinkState = () => ({ mac: '0a:00:00:00:ff:01', ip: '203.0.113.2/24', gateways: wanGateways() });
