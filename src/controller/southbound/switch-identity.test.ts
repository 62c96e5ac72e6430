import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { OpenFlowConnection } from '../../openflow/index.ts';
import { guardSwitchIdentities, identityRefusal, switchOf } from './switch-identity.ts';

/** An OpenFlow connection as far as identity goes. */
function conn(datapathId: bigint, peerCommonName: string | undefined) {
  const c = { datapathId, peerCommonName, isOpen: true, remoteAddress: `10.0.0.9:${datapathId}`, destroy: () => (c.isOpen = false) };
  return c;
}
const as = (cs: ReturnType<typeof conn>[]) => cs as unknown as OpenFlowConnection[];

describe("a switch's identity", () => {
  it('over TLS, is the node its certificate names; without TLS, whatever it says', () => {
    expect(identityRefusal(true, 'hv1', 'hv1')).toBeUndefined();
    expect(identityRefusal(true, 'hv1', 'hv2')).toBe('a switch with the certificate of "hv1" says it is "hv2" (external_ids:system-id)');
    expect(identityRefusal(true, undefined, 'hv2')).toBe(
      'a switch with a certificate without one common name says it is "hv2" (external_ids:system-id)',
    );
    expect(identityRefusal(false, undefined, 'hv2')).toBeUndefined();
    expect(identityRefusal(false, 'hv1', 'hv2')).toBeUndefined();
  });

  it("finds a node's switch by its datapath id and, over TLS, its certificate", () => {
    const dpids: Record<string, bigint> = { hv1: 1n, hv2: 2n };
    const rogue = conn(2n, 'hv1'); // hv1's certificate, hv2's datapath id
    const real = conn(2n, 'hv2');
    const secure = { datapathId: (n: string) => dpids[n], secure: true };
    expect(switchOf(secure, as([rogue]), 'hv2')).toBeUndefined();
    expect(switchOf(secure, as([rogue, real]), 'hv2')).toBe(real);
    expect(switchOf(secure, as([rogue, real]), 'hv1')).toBeUndefined();
    expect(switchOf({ ...secure, secure: false }, as([rogue, real]), 'hv2')).toBe(rogue);
  });

  it('drops, over TLS, a connection whose datapath is a node of another name, whichever comes first', () => {
    const dpids = new Map<string, bigint>();
    const sessions = Object.assign(new EventEmitter<{ change: [string] }>(), {
      secure: true,
      datapathId: (n: string) => dpids.get(n),
      nodes: () => [...dpids.keys()],
    });
    const openflow = Object.assign(new EventEmitter<{ switch: [OpenFlowConnection] }>(), { connections: [] as OpenFlowConnection[] });
    const log: string[] = [];
    guardSwitchIdentities(sessions as never, openflow as never, (line) => log.push(line));
    const early = conn(2n, 'hv1'); // before hv2's OVSDB session: nothing to hold it against yet
    openflow.connections.push(...as([early]));
    openflow.emit('switch', early as unknown as OpenFlowConnection);
    expect(early.isOpen).toBe(true);
    dpids.set('hv1', 1n);
    dpids.set('hv2', 2n);
    sessions.emit('change', 'hv2');
    expect(early.isOpen).toBe(false);
    const late = conn(1n, 'hv3');
    const own = conn(1n, 'hv1');
    for (const c of [late, own]) openflow.emit('switch', c as unknown as OpenFlowConnection);
    expect([late.isOpen, own.isOpen]).toEqual([false, true]);
    expect(log).toEqual([
      'openflow: dropped 10.0.0.9:2: datapath 0000000000000002 is hv2\'s, its certificate names "hv1"',
      'openflow: dropped 10.0.0.9:1: datapath 0000000000000001 is hv1\'s, its certificate names "hv3"',
    ]);
  });

  it('drops nothing without TLS', () => {
    const sessions = Object.assign(new EventEmitter(), { secure: false, datapathId: () => 1n, nodes: () => ['hv1'] });
    const openflow = Object.assign(new EventEmitter(), { connections: [] });
    guardSwitchIdentities(sessions as never, openflow as never, () => {});
    const c = conn(1n, undefined);
    openflow.emit('switch', c);
    expect(c.isOpen).toBe(true);
  });
});
