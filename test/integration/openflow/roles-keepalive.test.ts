// Controller roles with two controllers on one bridge (generation ids, stale requests, slave
// write protection), echo keepalive, and dead-peer detection against a real ovs-vswitchd.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flowMod, OpenFlowController, OpenFlowError, OpenFlowInstallError, type OpenFlowConnection } from '../../../src/openflow/index.ts';
import { startOfLab, type OfLab } from './of-lab.ts';

describe('roles with two controllers', () => {
  let lab: OfLab;
  let second: OpenFlowController;
  let a: OpenFlowConnection;
  let b: OpenFlowConnection;
  let bridge: string;

  beforeAll(async () => {
    lab = await startOfLab();
    second = new OpenFlowController({ requestTimeout: 60_000 });
    const port2 = await second.listen(0);
    const waitB = second.waitForSwitch({ datapathId: 0x401n, timeout: 60_000 });
    ({ conn: a, bridge } = await lab.addSwitch(0x401n, { controllers: [lab.port, port2] }));
    b = await waitB;
  });

  afterAll(async () => {
    await second?.close();
    await lab?.stop();
  });

  it('master with increasing generation ids moves mastership; stale ids are refused', async () => {
    expect(await a.role('master', 10n)).toEqual({ role: 'master', generationId: 10n });
    expect(await b.role('master', 11n)).toEqual({ role: 'master', generationId: 11n });
    // A was demoted to slave when B became master.
    expect(await a.role('nochange')).toEqual({ role: 'slave', generationId: 11n });
    const stale = await a.role('master', 9n).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(OpenFlowError);
    expect(stale).toMatchObject({ code: 'OPENFLOW_ERROR', typeName: 'ROLE_REQUEST_FAILED', codeName: 'STALE' });
    // A stale slave request is refused the same way.
    await expect(a.role('slave', 5n)).rejects.toMatchObject({ codeName: 'STALE' });
  });

  it('a slave cannot modify the flow table (BAD_REQUEST/IS_SLAVE); equal can', async () => {
    const err = await a.install([flowMod({ tableId: 3, priority: 1 })]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenFlowInstallError);
    expect((err as OpenFlowInstallError).failures[0]!.error).toMatchObject({ typeName: 'BAD_REQUEST', codeName: 'IS_SLAVE' });
    expect((await a.role('equal')).role).toBe('equal');
    await a.install([flowMod({ tableId: 3, priority: 1 })]);
    expect(await lab.dumpFlows(bridge)).toEqual(['table=3, priority=1 actions=drop']);
  });

  it('the master can step down to slave with a newer generation id', async () => {
    expect(await b.role('slave', 12n)).toEqual({ role: 'slave', generationId: 12n });
    expect(await a.role('master', 12n)).toEqual({ role: 'master', generationId: 12n });
  });
});

describe('keepalive and dead peers', () => {
  let lab: OfLab;
  let bridge: string;
  let conn: OpenFlowConnection;

  beforeAll(async () => {
    lab = await startOfLab({ echoInterval: 200, deadTime: 2000 });
    ({ bridge, conn } = await lab.addSwitch(0x501n));
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it('echo requests every echoInterval keep an idle session up', async () => {
    let replies = 0;
    const count = (m: { type: string }) => {
      if (m.type === 'echo_reply') replies += 1;
    };
    conn.on('message', count);
    await new Promise((r) => setTimeout(r, 2500));
    conn.off('message', count);
    expect(conn.isOpen).toBe(true);
    expect(replies).toBeGreaterThanOrEqual(3);
  });

  it('a frozen switch (SIGSTOP) is declared dead after deadTime; it reconnects once thawed', async () => {
    const pid = Number((await readFile(join(lab.ovs.dir, 'ovs-vswitchd.pid'), 'utf8')).trim());
    const gone = new Promise<{ reason: string }>((resolve) => conn.once('disconnect', resolve));
    const started = Date.now();
    process.kill(pid, 'SIGSTOP');
    let reason: string;
    try {
      reason = (await gone).reason;
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const elapsed = Date.now() - started;
    expect(reason).toBe('dead');
    expect(elapsed).toBeGreaterThanOrEqual(1500);
    const again = await lab.controller.waitForSwitch({ datapathId: 0x501n, exclude: [conn], timeout: 60_000 });
    expect(again.isOpen).toBe(true);
    conn = again;
  });

  it('removing the controller from the bridge closes the session (disconnect event)', async () => {
    const gone = new Promise<{ reason: string }>((resolve) => conn.once('disconnect', resolve));
    await lab.ovs.vsctl('del-controller', bridge);
    expect((await gone).reason).toBe('closed');
    expect(conn.isOpen).toBe(false);
  });
});

describe('echo requests from the switch', () => {
  let lab: OfLab;

  beforeAll(async () => {
    // We stay quiet (long echo interval); OVS probes an idle controller every 5 s (its minimum)
    // and drops it if the probe is not answered within another 5 s.
    lab = await startOfLab({ echoInterval: 60_000, deadTime: 120_000 });
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it('OVS inactivity probes (ECHO_REQUEST) are answered and the session survives them', async () => {
    const { bridge, conn } = await lab.addSwitch(0x502n);
    await lab.ovs.vsctl('--', 'set', 'controller', bridge, 'inactivity_probe=5000');
    let probes = 0;
    conn.on('message', (m) => {
      if (m.type === 'echo_request') probes += 1;
    });
    let dropped = false;
    conn.once('disconnect', () => (dropped = true));
    await new Promise((r) => setTimeout(r, 16_000));
    expect(probes).toBeGreaterThanOrEqual(2);
    expect(dropped).toBe(false);
    expect(conn.isOpen).toBe(true);
  });
});
