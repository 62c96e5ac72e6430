import { describe, expect, it } from 'vitest';
import { cookie } from './ids.ts';
import { CookieKind, Table } from './layout.ts';
import { explainCookie } from './explain.ts';
import { routedLab, smallLab } from './test-fixtures.ts';
import { tunnelName } from './tunnels.ts';
import { routerPortId } from '../../model/index.ts';

describe('explainCookie', () => {
  const lab = smallLab();
  const web = lab.switches.find((s) => s.name === 'web')!;
  const port = lab.ports.find((p) => p.switch === 'web')!;

  it('names the switch by its VNI and the port by the hash of its name', () => {
    expect(explainCookie(cookie(CookieKind.CLASSIFY_VM, web.vni, port.name), lab)).toEqual({
      kind: 'CLASSIFY_VM',
      switch: 'web',
      subject: port.name,
      text: `classify what port ${port.name} sends on switch web`,
    });
    expect(explainCookie(cookie(CookieKind.L2_REMOTE, web.vni, port.name), lab).text).toBe(
      `send to port ${port.name} on switch web through the tunnel of its node`,
    );
  });

  it('finds tunnels and router ports among the subjects, and says what a table miss drops', () => {
    const tunnel = tunnelName(lab.nodes[1]!.name, 'geneve');
    expect(explainCookie(cookie(CookieKind.CLASSIFY_TUNNEL, web.vni, tunnel), lab).subject).toBe(tunnel);
    const routed = routedLab([
      { name: 'edge', distributed: false, interfaces: [{ switch: 'web', mac: '0a:00:00:00:00:01', ip: '10.0.0.1/24' }] },
    ]);
    const rp = routerPortId('edge', 'web');
    expect(explainCookie(cookie(CookieKind.ROUTER_UNICAST, web.vni, rp), routed).subject).toBe(rp);
    expect(explainCookie(cookie(CookieKind.TABLE_MISS, 0, Table.L2), lab).text).toBe('drop: nothing else matches in table 10 (l2)');
  });

  it('says when a cookie is not one of ours', () => {
    expect(explainCookie(0xabn << 56n, lab)).toMatchObject({
      kind: 'unknown',
      text: 'a flow nvlab did not make (cookie 0xab00000000000000)',
    });
  });
});
