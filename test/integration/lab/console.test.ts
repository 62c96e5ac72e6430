// The web console of a real lab (topologies/console.yaml: three members, three hypervisors, a
// service node, an L3 gateway), opened at https://<ctrl1>:API_PORT/#token=... (the URL `nvlab
// console` prints; the browser trusts the lab's authority) in headless chromium, as a
// person sees it: every transport node and its tunnels listed and drawn (the tunnels the topology
// file calls for, as `nvlab graph` draws them); a trace between two VMs drawn through the nodes it
// crossed; a dropped trace with where and why; a partitioned node's tunnels down within 5 s, up
// again once healed; a killed member shown dead and its nodes mastered by the others. No console
// error, no request to another origin.
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { labNorthbound } from '../../../src/app/ports.ts';
import { graphFromPlan } from '../../../src/graph/index.ts';
import { API_PORT } from '../../../src/model/index.ts';
import { unwrap } from '../../../src/northbound-client/index.ts';
import { readApiCredentials } from '../../../src/app/lab-state.ts';
import { consoleUrl } from '../../../src/app/console.ts';
import type { ApiCredentials } from '../../../src/model/index.ts';
import { apiRequest } from '../../support/api-security.ts';
import { launchBrowser, watchedPage, type WatchedPage } from '../../support/browser.ts';
import { consoleText, tunnelEdgeStates, waitForReady } from '../../support/console-page.ts';
import { labTopology, useLab } from './harness.ts';
import { eventually, nvlab, runtime } from './support.ts';

const testLab = useLab(labTopology('console.yaml'));
const NODES = ['hv1', 'hv2', 'hv3', 'sn1', 'gw1'];
let browser: Browser;
/** The page of the running test: each test opens the console afresh (and has its screenshot if it fails). */
let watched: WatchedPage;
let origin: string;
/** The lab's API credentials, as deploy left them on this host. */
let credentials: ApiCredentials | undefined;
/** A member's console, as `nvlab console` prints it: the lab's token in the fragment. */
const memberConsole = (ip: string) => consoleUrl(ip, credentials);

const members = () => (testLab.plan.controllers.kind === 'builtin' ? testLab.plan.controllers.members : []);

/** The console's tunnel rows as `node interface remote`, sorted, and those that are not up. */
async function tunnelRows(): Promise<{ rows: string[]; notUp: string[] }> {
  const { tunnels } = await consoleText(watched.page);
  return { rows: tunnels.map((r) => r.split(' ').slice(0, 3).join(' ')).sort(), notUp: tunnels.filter((r) => !r.endsWith(' up')) };
}

/** Runs a trace from the form and waits for its verdict. */
async function traceInPage(
  from: string,
  to: string,
): Promise<{ verdict: string; kind: string; hopNodes: string[]; drawn: string[]; dropped: string[] }> {
  const { page } = watched;
  await page.select('#trace-form select[name="from"]', from);
  await page.$eval('#trace-form input[name="to"]', (e) => ((e as HTMLInputElement).value = ''));
  await page.type('#trace-form input[name="to"]', to);
  await page.click('#trace-form button[type="submit"]');
  await page.waitForSelector('#trace-result [data-verdict]', { timeout: 30_000 });
  // The graph is redrawn with the path on the next frame.
  await page.waitForSelector('#graph svg [data-path]', { timeout: 5000 });
  return page.evaluate(() => {
    const v = document.querySelector('#trace-result [data-verdict]')!;
    const hopNodes = Array.from(document.querySelectorAll('#trace-hops tbody tr'), (tr) => tr.children[1]?.textContent ?? '');
    const ids = (sel: string) => Array.from(document.querySelectorAll(sel), (e) => e.getAttribute('data-id')!);
    return {
      verdict: v.textContent ?? '',
      kind: v.getAttribute('data-verdict') ?? '',
      hopNodes: [...new Set(hopNodes)],
      drawn: ids('#graph svg [data-path][data-id^="transport-node:"]').sort(),
      dropped: ids('#graph svg [data-path="dropped"]'),
    };
  });
}

/** Opens ctrl1's console in a new page and waits until it has read and drawn everything once. */
async function openConsole(name: string): Promise<void> {
  await watched?.page.close();
  watched = await watchedPage(browser, `lab-console-${name}`);
  await watched.page.goto(memberConsole(members()[0]!.mgmtIp));
  await waitForReady(watched.page, 15_000);
}

beforeAll(async () => {
  credentials = await readApiCredentials(testLab.name);
  origin = memberConsole(members()[0]!.mgmtIp).split('#')[0]!;
  browser = await launchBrowser({ trust: credentials?.ca });
});

afterAll(async () => {
  await browser?.close();
});

describe('the console of a real lab', () => {
  test("nvlab console prints the Raft leader's console first, then every other member's; each serves the page", async () => {
    const r = await nvlab(['console', '--no-open', testLab.name]);
    expect(r.exitCode, r.stderr).toBe(0);
    const urls = r.stdout.match(/https?:\/\/[\d.]+:\d+\/\S*/g) ?? [];
    expect(urls.sort()).toEqual(
      members()
        .map((m) => memberConsole(m.mgmtIp))
        .sort(),
    );
    const leader = (await (await labNorthbound(runtime, testLab.name)).members().then(unwrap)).items.find((m) => m.raft === 'leader');
    expect(r.stdout.split('\n')[0]).toBe(memberConsole(leader!.ip!));
    for (const m of members())
      expect(
        (await apiRequest({ ip: m.mgmtIp, port: API_PORT }, '/', { ...(credentials?.ca ? { ca: credentials.ca } : {}) })).text,
      ).toMatch(/<title>[^<]*nvlab console/);
  });

  test('every transport node and its tunnels are listed, up, and drawn: the tunnels the topology calls for', async () => {
    await openConsole('lists');
    const { nodes } = await consoleText(watched.page);
    expect(nodes.map((r) => r.split(' ')[0])).toEqual([...NODES].sort());
    // BFD towards the service node and the gateway comes up a few of its rounds after the tunnels.
    const seen = await eventually(tunnelRows, (t) => t.notUp.length === 0 && t.rows.length > 0, 15_000);
    expect(seen.notUp).toEqual([]);
    const api = await labNorthbound(runtime, testLab.name);
    const fromApi = (await Promise.all(NODES.map(async (n) => unwrap(await api.transportNodeStatus(n)))))
      .flatMap((s) => s.tunnels.map((t) => `${s.node} ${t.interface} ${t.remote}`))
      .sort();
    expect(seen.rows).toEqual(fromApi);
    const planned = graphFromPlan(testLab.plan, 'physical')
      .edges.filter((e) => e.kind === 'tunnel')
      .map((e) => e.id)
      .sort();
    const drawn = await eventually(
      () => tunnelEdgeStates(watched.page),
      (s) => Object.values(s).every((x) => x === 'up'),
      5000,
    );
    expect(Object.keys(drawn).sort()).toEqual(planned);
    expect(Object.values(drawn).every((s) => s === 'up')).toBe(true);
    const drawnNodes = await watched.page.$$eval('#graph svg [data-id^="transport-node:"]', (es) =>
      es.map((e) => e.getAttribute('data-id')),
    );
    expect(drawnNodes.sort()).toEqual(NODES.map((n) => `transport-node:${n}`).sort());
    expect(watched.requests.filter((r) => !r.startsWith(origin))).toEqual([]);
    expect(watched.errors).toEqual([]);
  });

  test('a trace between two VMs on different switches draws its path through the right nodes, hop by hop', async () => {
    await openConsole('trace');
    const r = await traceInPage('web1', 'db1');
    expect(r.kind, r.verdict).toBe('delivered');
    expect(r.verdict).toMatch(/^web1 → db1 \(icmp\) in \d+ ms: Delivered to db1, through hv1 → gw1 → hv3\.$/);
    expect(r.hopNodes).toEqual(['hv1', 'gw1', 'hv3']);
    expect(r.drawn).toEqual(['transport-node:gw1', 'transport-node:hv1', 'transport-node:hv3']);
    const onPath = await watched.page.$$eval('#graph svg [data-path]', (es) => es.map((e) => e.getAttribute('data-id')));
    expect(onPath).toEqual(
      expect.arrayContaining(['port:web1', 'port:db1', 'router:edge', 'tunnel:gw1:hv1:geneve', 'tunnel:gw1:hv3:geneve']),
    );
    expect(onPath).not.toContain('tunnel:hv1:hv3:geneve');
    expect(r.dropped).toEqual([]);
    expect(watched.errors).toEqual([]);
  });

  test('a trace the lab drops shows where and why', async () => {
    await openConsole('dropped');
    const r = await traceInPage('web1', 'other2');
    expect(r.kind, r.verdict).toBe('dropped');
    expect(r.verdict).toContain('Dropped at hv1 (isolation: the destination is on another logical switch, and no router joins the two');
    expect(r.dropped.length).toBe(1);
    const droppedRow = await watched.page.$$eval('#trace-hops tbody tr[data-state="down"]', (trs) => trs.map((tr) => tr.textContent));
    expect(droppedRow).toEqual([expect.stringContaining('dropped')]);
    expect(watched.errors).toEqual([]);
  });

  test('a partitioned node: its tunnels turn down in the console within 5 s, and up again once healed', async () => {
    await openConsole('partition');
    const involves = (row: string) => row.split(' ')[0] === 'hv3' || row.split(' ')[2] === 'hv3';
    await testLab.driver.node('partition', 'hv3');
    const t0 = Date.now();
    try {
      const seen = await eventually(
        async () => ({ ...(await tunnelRows()), edges: await tunnelEdgeStates(watched.page) }),
        (t) =>
          t.rows.filter(involves).every((row) => t.notUp.some((n) => n.startsWith(row))) &&
          Object.entries(t.edges).every(([id, s]) => !id.split(':').includes('hv3') || s === 'down'),
        8000,
      );
      const ms = Date.now() - t0;
      console.log(`hv3's tunnels down in the console ${ms} ms after the partition`);
      expect(seen.rows.filter(involves)).toHaveLength(8);
      expect(seen.rows.filter(involves).filter((row) => !seen.notUp.some((n) => n.startsWith(row)))).toEqual([]);
      expect(Object.entries(seen.edges).filter(([id]) => id.split(':').includes('hv3'))).toEqual([
        ['tunnel:gw1:hv3:geneve', 'down'],
        ['tunnel:hv1:hv3:geneve', 'down'],
        ['tunnel:hv2:hv3:geneve', 'down'],
        ['tunnel:hv3:sn1:geneve', 'down'],
      ]);
      expect(ms).toBeLessThanOrEqual(5000);
      // The others carry on.
      expect(seen.notUp.filter((row) => !involves(row))).toEqual([]);
      const hv3 = (await consoleText(watched.page)).nodes.find((r) => r.startsWith('hv3 '));
      expect(hv3).toMatch(/ (its switch does not answer|not connected|no status: .*)$/);
    } finally {
      await testLab.driver.node('heal', 'hv3');
    }
    const healed = await eventually(tunnelRows, (t) => t.notUp.length === 0, 60_000);
    expect(healed.notUp).toEqual([]);
    expect(watched.errors).toEqual([]);
  });

  test("a killed member is shown dead within a few seconds, and its nodes mastered by the others (the console's own member answering)", async () => {
    await openConsole('member');
    const api = await labNorthbound(runtime, testLab.name);
    const status = unwrap(await api.status());
    // Kill a member other than the console's that masters at least one node, so a failover shows.
    const victim = status.masterships.map((m) => m.member).find((m) => m !== members()[0]!.name) ?? members()[1]!.name;
    await runtime.kill(testLab.container(victim));
    const t0 = Date.now();
    const seen = await eventually(
      () => consoleText(watched.page),
      (t) =>
        t.members.some((r) => r.startsWith(`${victim} no `)) &&
        t.nodes.every((r) => !r.includes(` ${victim} (gen `) && / ctrl\d \(gen \d+\) /.test(r)),
      20_000,
    );
    console.log(`${victim} shown dead and its nodes taken over in ${Date.now() - t0} ms`);
    expect(seen.members.find((r) => r.startsWith(victim))).toMatch(new RegExp(`^${victim} no `));
    expect(seen.nodes.filter((r) => r.includes(` ${victim} (gen `))).toEqual([]);
    expect(seen.nodes.every((r) => / ctrl\d \(gen \d+\) /.test(r))).toBe(true);
    const drawn = await watched.page.$eval(`#graph svg [data-id="member:${victim}"]`, (e) => e.getAttribute('data-state'));
    expect(drawn).toBe('down');
    expect(watched.errors).toEqual([]);
  });
});
