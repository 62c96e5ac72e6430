import chalk from 'chalk';
import { beforeAll, describe, expect, test } from 'vitest';
import type { LabStatus } from '../model/index.ts';
import { geneveTunnel, programmedNode, web1Status } from '../model/status-fixtures.ts';
import { portFlows, statusReport } from './status-report.ts';

beforeAll(() => {
  chalk.level = 0;
});

const flow = (node: string, kind: string) => ({ node, kind, table: 10, priority: 100, cookie: '0x0', packets: 0, bytes: 0, meaning: '' });

const web1 = web1Status('ctrl1', [flow('hv1', 'classify'), flow('hv1', 'deliver'), flow('hv3', 'remote'), flow('hv2', 'remote')]);

const lab: LabStatus = {
  lab: 'demo',
  members: [
    { name: 'ctrl1', ip: '172.31.42.2', running: true, live: true, raft: 'leader', masterOf: ['hv1', 'sn1'] },
    { name: 'ctrl2', ip: '172.31.42.3', running: false, live: false, masterOf: [], error: 'its container is not running' },
  ],
  nodes: [
    {
      ...programmedNode('hv1', 'ctrl1', 3, { flows: 24, groups: 4 }, [
        geneveTunnel('hv2', '172.30.42.11', { link: 'up', rx: { packets: 12, bytes: 1176 }, tx: { packets: 14, bytes: 1372 } }),
        geneveTunnel('sn1', '172.30.42.20', {
          link: 'down',
          bfd: { state: 'down', forwarding: false, diagnostic: 'Control Detection Time Expired' },
        }),
      ]),
      role: 'hypervisor',
    },
    { node: 'hv2', role: 'hypervisor', error: 'GET /api/v1/transport-nodes/hv2/status → 500: boom' },
  ],
  ports: [web1, { port: 'web9', error: 'no answer' }],
};

describe('nvlab status as tables', () => {
  const text = statusReport(lab).join('\n');

  test('members: live, Raft role and the nodes each masters, or why it gave nothing', () => {
    expect(text).toMatch(/^ {2}MEMBER +LIVE +RAFT +MASTERS$/m);
    expect(text).toMatch(/^ {2}ctrl1 +yes +leader +hv1,sn1$/m);
    expect(text).toMatch(/^ {2}ctrl2 +stopped +its container is not running$/m);
  });

  test('nodes: master and generation, connections, programmed, flows, groups, tunnels up', () => {
    expect(text).toMatch(/^ {2}hv1 +hypervisor +ctrl1 \(gen 3\) +ovsdb,openflow +yes +24 +4 +1\/2 up$/m);
    expect(text).toMatch(/^ {2}hv2 +hypervisor +GET \/api\/v1\/transport-nodes\/hv2\/status → 500: boom$/m);
  });

  test('tunnels: remote, encap, key, link, BFD where it runs, packets and bytes both ways', () => {
    expect(text).toMatch(/^ {2}NODE +TUNNEL +REMOTE +ENCAP +KEY +LINK +BFD +PACKETS RX\/TX +BYTES RX\/TX$/m);
    expect(text).toMatch(/^ {2}hv1 +tun-hv2-gnv +hv2 +geneve +flow +up +- +12\/14 +1176\/1372$/m);
    expect(text).toMatch(/^ {2}hv1 +tun-sn1-gnv +sn1 +geneve +flow +down +down \(Control Detection Time Expired\) +-\/- +-\/-$/m);
  });

  test('ports: switch, node, plugged, up or down, and the flows installed for each, by node (its own first)', () => {
    expect(text).toMatch(/^ {2}web1 +web +hv1 +yes +up +4 +classify,deliver on hv1; remote on hv2,hv3$/m);
    expect(portFlows({ ...web1, node: 'hv3', flows: [flow('hv1', 'remote'), flow('hv3', 'classify')] })).toBe(
      'classify on hv3; remote on hv1',
    );
    expect(text).toMatch(/^ {2}web9 +no answer$/m);
    expect(portFlows({ ...web1, flows: [], unread: ['hv2'] })).toBe('hv2 not read');
  });

  test('starts with the lab, as nvlab inspect does', () => {
    expect(text.split('\n')[0]).toBe('lab demo');
  });
});
