// Optional columns (sets of at most one value) in update2 diffs: ovsdb-server sends the new
// value, which the replica must take as it is (changing or clearing it), not toggle.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { OvsdbClient, Replica } from '../../../src/ovsdb/index.ts';
import { startLocalOvs, uniqueBridgeName, type LocalOvs } from '../../support/local-ovs.ts';

let ovs: LocalOvs;
let client: OvsdbClient;
const bridge = uniqueBridgeName('nvo');

beforeAll(async () => {
  ovs = await startLocalOvs();
  await ovs.addBridge(bridge);
  client = OvsdbClient.connect(ovs.dbRemote);
});
afterAll(async () => {
  client.close();
  await ovs.stop();
});

test('changing and clearing an optional column reaches the replica as the new value', async () => {
  const replica = await new Replica(client, { database: 'Open_vSwitch', tables: { Bridge: { columns: ['name', 'fail_mode'] } } }).start();
  const failMode = () => replica.rows('Bridge').find((b) => b.name === bridge)?.fail_mode;
  const seen = (want: unknown) => replica.waitFor(() => JSON.stringify(failMode()) === JSON.stringify(want));

  await ovs.vsctl('set', 'bridge', bridge, 'fail_mode=secure');
  await seen(['secure']);
  await ovs.vsctl('set', 'bridge', bridge, 'fail_mode=standalone');
  await seen(['standalone']);
  expect(failMode()).toEqual(['standalone']);
  await ovs.vsctl('clear', 'bridge', bridge, 'fail_mode');
  await seen([]);
  expect(failMode()).toEqual([]);
  await replica.stop();
});
