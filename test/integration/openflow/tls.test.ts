// The controller over TLS (mutual authentication) with a real ovs-vswitchd: `ssl:` controller
// target, certificates from a throwaway CA made with openssl.
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowMod, OpenFlowController, type OpenFlowConnection } from '../../../src/openflow/index.ts';
import { startLocalOvs, uniqueBridgeName, type LocalOvs } from '../../support/local-ovs.ts';

async function makePki(dir: string): Promise<void> {
  const ssl = (...args: string[]) => execa('openssl', args, { cwd: dir });
  await ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=nvlab-test-ca',
  );
  for (const name of ['controller', 'switch']) {
    await ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=nvlab-${name}`);
    await ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
    );
  }
}

describe('OpenFlow over TLS', () => {
  let dir: string;
  let ovs: LocalOvs;
  let controller: OpenFlowController;
  let conn: OpenFlowConnection;
  let bridge: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nvlab-oftls-'));
    await makePki(dir);
    const file = (n: string) => readFile(join(dir, n));
    controller = new OpenFlowController({
      tls: {
        key: await file('controller.key'),
        cert: await file('controller.pem'),
        ca: await file('ca.pem'),
        requestCert: true,
        rejectUnauthorized: true,
      },
    });
    const port = await controller.listen(0);
    ovs = await startLocalOvs();
    await ovs.vsctl('set-ssl', join(dir, 'switch.key'), join(dir, 'switch.pem'), join(dir, 'ca.pem'));
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
});
