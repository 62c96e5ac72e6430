// The controller over TLS (mutual authentication) with a real ovs-vswitchd: `ssl:` controller
// target, certificates from a throwaway CA made with src/pki.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowMod, OpenFlowController, type OpenFlowConnection } from '../../../src/openflow/index.ts';
import { startLocalOvs, uniqueBridgeName, type LocalOvs } from '../../support/local-ovs.ts';
import { makeTestPki, writeHolder } from '../../support/pki.ts';

describe('OpenFlow over TLS', () => {
  let dir: string;
  let ovs: LocalOvs;
  let controller: OpenFlowController;
  let conn: OpenFlowConnection;
  let bridge: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nvlab-oftls-'));
    const pki = await makeTestPki();
    const [me, sw] = await Promise.all([pki.issue(pki.controllers, 'nvlab-controller'), pki.issue(pki.controllers, 'nvlab-switch')]);
    controller = new OpenFlowController({
      tls: { key: me.key, cert: me.cert, ca: pki.controllers.certificate, requestCert: true, rejectUnauthorized: true },
    });
    const port = await controller.listen(0);
    ovs = await startLocalOvs();
    const files = await writeHolder(dir, sw, pki.controllers);
    await ovs.vsctl('set-ssl', files.key, files.cert, files.ca);
    bridge = uniqueBridgeName('nvs');
    await ovs.addSwitchBridge(bridge, 0x701n);
    await ovs.vsctl('set-controller', bridge, `ssl:127.0.0.1:${port}`);
    conn = await controller.waitForSwitch({ datapathId: 0x701n, timeout: 60_000 });
  });

  afterAll(async () => {
    await controller?.close();
    await ovs?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the switch connects with its certificate, and flows install as over TCP', async () => {
    await conn.install([flowMod({ tableId: 1, priority: 9, match: [{ field: 'reg7', value: 7 }] })]);
    expect(await ovs.ofctl('dump-flows', '--no-stats', bridge)).toContain('table=1, priority=9,reg7=0x7 actions=drop');
    expect((await conn.echo(Buffer.from('tls'))).toString()).toBe('tls');
  });

  it("knows the switch by its certificate's common name", () => {
    expect(conn.peerCommonName).toBe('nvlab-switch');
  });
});
