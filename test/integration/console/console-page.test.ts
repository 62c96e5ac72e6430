// The web console in headless chromium, served by a member's API (createApi with the console as
// the lab ships it, over HTTPS with a certificate of the lab's authority, which the browser
// trusts, and the lab's token, which the page takes from the URL `nvlab console` prints) over a
// real 3-member NvStore cluster, its switches read through a stand-in southbound the test sets:
// the page opened without the token (it says what to do), what a person sees once it has loaded
// (every list, the graph), a node
// its member loses (its row and its tunnels turn down, in the lists and on the graph, then back),
// the member cut off from its store's quorum (two store members frozen: the page says its data
// may be stale, and stops saying so once they are back), and the member gone (the page says it
// does not answer and keeps what it showed).
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../../src/controller/api/index.ts';
import type { SouthboundReader } from '../../../src/controller/status/index.ts';
import { Store } from '../../../src/controller/store/index.ts';
import type { LogicalPortStatistics, TransportNodeStatus } from '../../../src/model/index.ts';
import { geneveTunnel, programmedNode } from '../../../src/model/status-fixtures.ts';
import { LayoutProcess } from '../../../src/graph/layout-process.ts';
import { buildConsole } from '../../../src/nodes/controller/assets.ts';
import { clusterMembers } from '../../../src/northbound-client/index.ts';
import { projectRoot } from '../../../src/util/paths.ts';
import { testApiSecurity, type ApiSecurity } from '../../support/api-security.ts';
import { launchBrowser, watchedPage, type WatchedPage } from '../../support/browser.ts';
import { freeze, startControllerCluster, waitUntil, type LocalCluster } from '../controller-store/support.ts';
import { consoleText, tunnelEdgeStates, waitForReady } from '../../support/console-page.ts';

const NODES = { hv1: '172.30.9.11', hv2: '172.30.9.12', sn1: '172.30.9.21' } as const;
type Node = keyof typeof NODES;

/** What the stand-in southbound answers for each node: connected and programmed, or cut off. */
const reachable: Record<Node, boolean> = { hv1: true, hv2: true, sn1: true };

function nodeStatus(node: Node): TransportNodeStatus {
  const others = (Object.keys(NODES) as Node[]).filter((n) => n !== node);
  const tunnels = others.map((r) =>
    geneveTunnel(r, NODES[r], {
      link: 'up',
      ...(node === 'sn1' || r === 'sn1' ? { bfd: { state: reachable[r] ? 'up' : 'down', forwarding: reachable[r] } } : {}),
      rx: { packets: 10, bytes: 1000 },
      tx: { packets: 12, bytes: 1200 },
    }),
  );
  if (!reachable[node])
    return { node, member: 'ctrl1', connected: { ovsdb: true, openflow: true }, master: { member: 'ctrl1', generation: 1 }, tunnels };
  return programmedNode(node, 'ctrl1', 1, { flows: 40, groups: 2 }, tunnels);
}

const southbound: SouthboundReader = {
  nodeStatus: async (node) => nodeStatus(node as Node),
  portStatus: async () => {
    throw new Error('not asked by the console');
  },
  portStatistics: async (port): Promise<LogicalPortStatistics> => ({
    port,
    member: 'ctrl1',
    node: port === 'web1' ? 'hv1' : 'hv2',
    plugged: true,
    interface: `vm-${port}`,
    rx: { packets: 5, bytes: 500 },
    tx: { packets: 7, bytes: 700 },
  }),
};

let cluster: LocalCluster;
let store: Store;
let api: FastifyInstance;
let url: string;
let security: ApiSecurity;
/** Every request line the member's server received, as it came over the wire. */
const serverSaw: string[] = [];
let browser: Browser;
/** The page of the running test: each test opens the console afresh (and has its screenshot if it fails). */
let watched: WatchedPage;

/** The URL `nvlab console` prints: the lab's token in the fragment. */
const consoleUrl = () => `${url}#token=${encodeURIComponent(security.token)}`;

async function openConsole(name: string): Promise<void> {
  await watched?.page.close();
  watched = await watchedPage(browser, `console-page-${name}`);
  await watched.page.goto(consoleUrl());
  await waitForReady(watched.page, 10_000);
}
let others: string[] = [];
/** The member lays out the console's graphs, as a member does (a child process); a test turns it off. */
let layouts: LayoutProcess;
let memberLays = true;

beforeAll(async () => {
  layouts = new LayoutProcess({ script: join(projectRoot, 'src/graph/layout-process-main.ts'), execArgv: ['--import', 'tsx'] });
  [cluster, security] = await Promise.all([startControllerCluster(3), testApiSecurity('127.0.0.1')]);
  // A follower survives the loss of the other two (a leader keeps claiming leadership a while).
  const remote = cluster.remotes[2]!;
  others = cluster.remotes.filter((r) => r !== remote);
  store = await Store.open([remote]);
  // GET /api/v1/members asks every member, as a member does: here the one member, itself.
  const members = () =>
    clusterMembers(new Map([['ctrl1', '127.0.0.1']]), {
      port: (api.server.address() as { port: number }).port,
      credentials: security.credentials,
      client: 'member',
    });
  api = createApi({
    store,
    member: 'ctrl1',
    southbound,
    status: () => ({ masterOf: Object.keys(NODES) }),
    members,
    console: await buildConsole(),
    layout: (graph) => (memberLays ? layouts.layout(graph) : Promise.reject(new Error('this member lays out nothing today'))),
    token: security.token,
    tls: security.tls,
  });
  const post = async (path: string, body: object) => {
    const res = await api.inject({
      method: 'POST',
      url: `/api/v1/${path}`,
      payload: body,
      headers: { authorization: `Bearer ${security.token}` },
    });
    expect(res.statusCode, `${path} ${res.body}`).toBe(201);
  };
  await post('transport-nodes', { name: 'hv1', underlayIp: NODES.hv1 });
  await post('transport-nodes', { name: 'hv2', underlayIp: NODES.hv2 });
  await post('transport-nodes', { name: 'sn1', role: 'service-node', underlayIp: NODES.sn1 });
  await post('logical-switches', { name: 'web', vni: 5001, replication: 'service-node', subnet: '10.0.1.0/24' });
  await post('logical-ports', { name: 'web1', switch: 'web', mac: '02:00:00:00:01:11', ip: '10.0.1.11', node: 'hv1' });
  await post('logical-ports', { name: 'web2', switch: 'web', mac: '02:00:00:00:01:12', ip: '10.0.1.12', node: 'hv2' });
  await store.heartbeat('ctrl1', Date.now() + 3_600_000);
  api.server.on('request', (req: { method?: string; url?: string }) => serverSaw.push(`${req.method} ${req.url}`));
  await api.listen({ host: '127.0.0.1', port: 0 });
  url = `https://127.0.0.1:${(api.server.address() as { port: number }).port}/`;
  browser = await launchBrowser({ trust: security.authority.certificate });
}, 120_000);

afterAll(async () => {
  for (const r of others) freeze(cluster, r, false);
  await browser?.close();
  layouts?.close();
  await api?.close();
  await store?.close();
  await cluster?.stop();
});

describe('the console of a member, in a browser', () => {
  it('opened without the token, says what to do and shows nothing of the lab', async () => {
    await watched?.page.close();
    watched = await watchedPage(browser, 'console-page-no-token');
    const { page } = watched;
    await page.goto(url);
    await page.waitForSelector('#banners [data-banner="unauthorized"]', { timeout: 10_000 });
    expect(await page.$$eval('#banners .banner', (e) => e.map((x) => x.textContent))).toEqual([
      "unauthorized: open the URL nvlab console prints (it carries the lab's API token)",
    ]);
    expect((await consoleText(page)).nodes).toEqual([]);
    // The browser logs each refused request; nothing else.
    expect(watched.errors.filter((e) => !e.includes('status of 401'))).toEqual([]);
  });

  it('takes the token from the URL, out of the address bar, and sends it on every request to the API', async () => {
    await watched?.page.close();
    watched = await watchedPage(browser, 'console-page-token');
    const { page } = watched;
    const sent: { url: string; authorization?: string; client?: string }[] = [];
    page.on('request', (r) => {
      const h = r.headers();
      if (r.url().includes('/api/')) sent.push({ url: r.url(), authorization: h.authorization, client: h['x-nvlab-client'] });
    });
    await page.goto(consoleUrl());
    await waitForReady(page, 10_000);
    expect(page.url()).toBe(url);
    expect(await page.evaluate(() => Object.values(sessionStorage))).toEqual([security.token]);
    expect(sent.length).toBeGreaterThan(5);
    for (const s of sent) expect(s, s.url).toMatchObject({ authorization: `Bearer ${security.token}`, client: 'console' });
    // The fragment never went over the wire: no request the member received carries the token.
    expect(serverSaw).toContain('GET /');
    expect(serverSaw.filter((r) => r.includes(security.token))).toEqual([]);
    // A reload keeps it (the tab's storage), though the URL no longer holds it.
    await page.reload();
    await waitForReady(page, 10_000);
    expect(await page.$$eval('#banners .banner', (e) => e.map((x) => x.textContent))).toEqual([]);
    expect(watched.errors).toEqual([]);
  });

  it('shows every member, transport node, tunnel, switch and port, and draws them, asking nothing of another origin and logging no error', async () => {
    await openConsole('loaded');
    const text = await consoleText(watched.page);
    expect(text.members).toEqual([expect.stringMatching(/^ctrl1 \(this console\) yes /)]);
    expect(text.nodes.map((r) => r.split(' ').slice(0, 3).join(' '))).toEqual([
      `hv1 hypervisor ${NODES.hv1}`,
      `hv2 hypervisor ${NODES.hv2}`,
      `sn1 service-node ${NODES.sn1}`,
    ]);
    expect(text.tunnels.map((r) => r.split(' ').slice(0, 3).join(' '))).toEqual([
      'hv1 tun-hv2-gnv hv2',
      'hv1 tun-sn1-gnv sn1',
      'hv2 tun-hv1-gnv hv1',
      'hv2 tun-sn1-gnv sn1',
      'sn1 tun-hv1-gnv hv1',
      'sn1 tun-hv2-gnv hv2',
    ]);
    expect(text.tunnels.every((r) => r.endsWith(' up'))).toBe(true);
    expect(text.switches).toEqual(['web 5001 service-node geneve 10.0.1.0/24 — 2']);
    expect(text.ports.map((r) => r.split(' ').slice(0, 5).join(' '))).toEqual([
      'web1 web 02:00:00:00:01:11 10.0.1.11 hv1',
      'web2 web 02:00:00:00:01:12 10.0.1.12 hv2',
    ]);
    expect(text.ports[0]).toContain('5 pkt, 500 B');
    // Drawn: the graph has the three nodes and one tunnel edge per pair, all up.
    expect(await tunnelEdgeStates(watched.page)).toEqual({
      'tunnel:hv1:hv2:geneve': 'up',
      'tunnel:hv1:sn1:geneve': 'up',
      'tunnel:hv2:sn1:geneve': 'up',
    });
    expect(
      await watched.page.$$eval('#graph svg [data-id^="transport-node:"]', (es) => es.map((e) => e.getAttribute('data-id')).sort()),
    ).toEqual(['transport-node:hv1', 'transport-node:hv2', 'transport-node:sn1']);
    // Laid out by the member, and read with one request for every node's status and one for
    // every port's counters.
    expect(await watched.page.$eval('#graph', (e) => e.getAttribute('data-layout'))).toBe('member');
    expect(watched.requests).toEqual(
      expect.arrayContaining([`${url}api/v1/status/transport-nodes`, `${url}api/v1/statistics/logical-ports`]),
    );
    expect(await watched.page.$$eval('#banners .banner', (e) => e.map((x) => x.textContent))).toEqual([]);
    expect(watched.requests.filter((r) => !r.startsWith(url))).toEqual([]);
    expect(watched.errors).toEqual([]);
  });

  it("lays its graph out in a worker, off the page's thread, when the member does not", async () => {
    memberLays = false;
    try {
      await openConsole('worker-layout');
      expect(await watched.page.$eval('#graph', (e) => e.getAttribute('data-layout'))).toBe('worker');
      expect(await tunnelEdgeStates(watched.page)).toEqual({
        'tunnel:hv1:hv2:geneve': 'up',
        'tunnel:hv1:sn1:geneve': 'up',
        'tunnel:hv2:sn1:geneve': 'up',
      });
      // The browser logs the member's failure to lay it out; nothing else.
      expect(watched.errors.filter((e) => !e.includes('status of 500'))).toEqual([]);
    } finally {
      memberLays = true;
    }
  });

  it('a node its member cannot read turns down with its tunnels, in the lists and on the graph, and back up', async () => {
    await openConsole('node-down');
    const { page } = watched;
    reachable.hv2 = false;
    const t0 = Date.now();
    await page.waitForFunction(
      () => document.querySelector('#list-transport-nodes tr[data-key="hv2"]')?.getAttribute('data-state') === 'down',
      { timeout: 5000 },
    );
    console.log(`hv2 shown down in ${Date.now() - t0} ms`);
    const text = await consoleText(page);
    expect(text.nodes.find((r) => r.startsWith('hv2'))).toMatch(/its switch does not answer$/);
    expect(text.tunnels.filter((r) => r.includes('hv2')).every((r) => / down| hv2: /.test(r) && !r.endsWith(' up'))).toBe(true);
    expect(text.tunnels.filter((r) => !r.includes('hv2')).every((r) => r.endsWith(' up'))).toBe(true);
    await waitUntil(async () => (await tunnelEdgeStates(page))['tunnel:hv1:hv2:geneve'] === 'down', 3000, 'the edge to go down');
    expect(await tunnelEdgeStates(page)).toEqual({
      'tunnel:hv1:hv2:geneve': 'down',
      'tunnel:hv1:sn1:geneve': 'up',
      'tunnel:hv2:sn1:geneve': 'down',
    });
    reachable.hv2 = true;
    await page.waitForFunction(
      () => document.querySelector('#list-transport-nodes tr[data-key="hv2"]')?.getAttribute('data-state') === 'up',
      {
        timeout: 5000,
      },
    );
    await waitUntil(async () => Object.values(await tunnelEdgeStates(page)).every((s) => s === 'up'), 3000, 'every edge up again');
    expect(watched.errors).toEqual([]);
  });

  it('the member cut off from its quorum: the page says its data may be stale, and stops once the quorum is back', async () => {
    await openConsole('stale');
    const { page } = watched;
    for (const r of others) freeze(cluster, r, true);
    const t0 = Date.now();
    await page.waitForSelector('#banners [data-banner="stale"]', { timeout: 30_000 });
    console.log(`stale shown ${Date.now() - t0} ms after the quorum was lost`);
    expect(await page.$eval('#banners [data-banner="stale"]', (e) => e.textContent)).toBe(
      "ctrl1 is cut off from its store's quorum: it shows its last snapshot, which may be out of date.",
    );
    // Still the lists it had.
    expect((await consoleText(page)).nodes).toHaveLength(3);
    for (const r of others) freeze(cluster, r, false);
    await page.waitForFunction(() => !document.querySelector('#banners [data-banner="stale"]'), { timeout: 30_000 });
    expect(watched.errors).toEqual([]);
  }, 90_000);

  it('the graph is looked at through the viewer: a click on a transport node shows its details, the wheel zooms', async () => {
    await openConsole('viewer');
    const { page } = watched;
    const details = '#graph .nv-viewer-details';
    expect(await page.$eval(details, (e) => (e as HTMLElement).hidden)).toBe(true);
    await page.click('#graph svg [data-id="transport-node:hv2"]');
    await page.waitForSelector(`${details}:not([hidden])`, { timeout: 2000 });
    const shown = await page.$eval(details, (e) => ({
      title: e.querySelector('h2')?.textContent,
      rows: Object.fromEntries(
        Array.from(e.querySelectorAll('tr'), (tr) => [tr.querySelector('th')?.textContent, tr.querySelector('td')?.textContent]),
      ),
    }));
    expect(shown.title).toBe('hv2');
    expect(shown.rows).toMatchObject({ kind: 'transport-node', state: 'up', id: 'transport-node:hv2' });
    expect(await page.$eval('#graph svg [data-id="transport-node:hv2"]', (e) => e.classList.contains('selected'))).toBe(true);
    // The wheel over the graph zooms in (the drawing's scale grows), and nothing else moves the page.
    const scale = () =>
      page.$eval('#graph svg .viewport', (e) => Number(/scale\(([\d.e-]+)\)/.exec(e.getAttribute('transform') ?? '')?.[1]));
    const before = await scale();
    const box = (await (await page.$('#graph'))!.boundingBox())!;
    await page.mouse.move(box.x + box.width / 3, box.y + box.height / 2);
    await page.mouse.wheel({ deltaY: -300 });
    await waitUntil(async () => (await scale()) > before * 1.2, 2000, 'the graph to zoom in');
    // A refresh with a new state keeps the zoom and the selection, and the details follow the state.
    const zoomed = await scale();
    reachable.hv2 = false;
    await page.waitForFunction((sel) => document.querySelector(`${sel} td.state-down`)?.textContent === 'down', { timeout: 5000 }, details);
    expect(await scale()).toBe(zoomed);
    expect(await page.$eval('#graph svg [data-id="transport-node:hv2"]', (e) => e.classList.contains('selected'))).toBe(true);
    reachable.hv2 = true;
    expect(watched.errors).toEqual([]);
  });

  it('the member gone: the page says it does not answer and keeps what it showed', async () => {
    await openConsole('gone');
    const { page } = watched;
    await api.close();
    await page.waitForSelector('#banners [data-banner="unreachable"]', { timeout: 10_000 });
    expect(await page.$eval('#banners [data-banner="unreachable"]', (e) => e.textContent)).toMatch(/^ctrl1 does not answer: no answer \(/);
    expect((await consoleText(page)).nodes).toHaveLength(3);
    expect(await page.$$eval('#graph svg [data-id^="transport-node:"]', (es) => es.length)).toBe(3);
    // The browser logs each refused request; nothing else.
    expect(watched.errors.filter((e) => !e.includes('ERR_CONNECTION_REFUSED'))).toEqual([]);
  });
});
