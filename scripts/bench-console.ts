// npm run bench:console: the web console's first complete paint on a real lab of 20 hypervisors
// (3 controller members, one logical switch with a VM on every hypervisor), in headless chromium.
//   console first paint p50=<ms> p95=<ms> max=<ms> (<n> loads; target p50 ≤ 1500 ms)
//   of which: script p50=<ms> everything read p50=<ms> first answer p50=<ms> last answer p50=<ms> (<n> API requests)
// (script: the page and its script loaded; first and last answer: the API's, up to the mark).
// A load is a fresh page in a fresh browser context (nothing cached) opening the first member's
// console; its figure is the time from navigation start to the console's performance mark
// `nvlab-console-ready`: the page loaded, every resource list, the member's status, every node's
// status and every port's counters read from the API, the graph laid out and drawn and the lists
// filled. One load first, not counted (the member's first answers are not what a user waits for).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { consoleUrl } from '../src/app/console.ts';
import { deployLab } from '../src/app/deploy.ts';
import { destroyLab } from '../src/app/destroy.ts';
import { readApiCredentials } from '../src/app/lab-state.ts';
import { createRuntime } from '../src/app/runtime.ts';
import { READ_MARK, READY_MARK } from '../src/console/readings.ts';
import { loadTopology } from '../src/topology/load.ts';
import { planLab } from '../src/topology/plan.ts';
import { launchBrowser } from '../test/support/chromium.ts';
import { waitForReady } from '../test/support/console-page.ts';
import { percentile } from './bench-support.ts';

const LAB = 'benchconsole';
const HYPERVISORS = 20;
const LOADS = 9;
const runtime = await createRuntime();

function topology(n: number): string {
  const nodes = Array.from({ length: n }, (_, i) => `  hv${i + 1}: hypervisor`).join('\n');
  const ports = Array.from({ length: n }, (_, i) => `      vm${i + 1}: { on: hv${i + 1}, ip: 10.0.0.${i + 10} }`).join('\n');
  return `name: ${LAB}\ncontrollers: 3\ntransport-nodes:\n${nodes}\nlogical-switches:\n  net:\n    subnet: 10.0.0.0/24\n    ports:\n${ports}\n`;
}

interface Load {
  /** Navigation start to the ready mark, and to the script, the first and the last API answer. */
  ms: number;
  /** Navigation start to everything read (the page's READ_MARK): the rest is the drawing. */
  read: number;
  script: number;
  firstAnswer: number;
  lastAnswer: number;
  requests: number;
  /** Transport nodes drawn, graph elements drawn, list rows. */
  nodes: number;
  drawn: number;
  rows: number;
  errors: string[];
}

const dir = await mkdtemp(join(tmpdir(), 'nvlab-bench-'));
const file = join(dir, 'bench.yaml');
await writeFile(file, topology(HYPERVISORS));
await destroyLab(runtime, LAB);
// Launched once the lab is up: it trusts the lab's own authority, made at deploy.
let browser: Browser | undefined;
try {
  const plan = planLab((await loadTopology(file)).topology, { usedSubnets: await runtime.usedSubnets() });
  await deployLab(runtime, plan);
  const member = plan.controllers.kind === 'builtin' ? plan.controllers.members[0]! : undefined;
  if (!member) throw new Error('the bench lab has no built-in members');
  const credentials = await readApiCredentials(LAB);
  browser = await launchBrowser({ trust: credentials?.ca });
  const url = consoleUrl(member.mgmtIp, credentials);

  /** One cold load: a fresh context, the page opened, its ready mark read. */
  const load = async (): Promise<Load> => {
    const context = await browser!.createBrowserContext();
    try {
      const page = await context.newPage();
      await page.setViewport({ width: 1400, height: 900 });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(url);
      await waitForReady(page, 30_000);
      const seen = await page.evaluate(
        (mark, readMark) => {
          const entry = performance.getEntriesByName(mark)[0];
          const ready = entry ? entry.startTime : NaN;
          const loaded = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
          const api = loaded.filter((e) => e.name.includes('/api/') && e.responseEnd <= ready).map((e) => e.responseEnd);
          return {
            ms: ready,
            read: performance.getEntriesByName(readMark)[0]?.startTime ?? NaN,
            script: loaded.find((e) => e.name.endsWith('.js'))?.responseEnd ?? NaN,
            firstAnswer: Math.min(...api),
            lastAnswer: Math.max(...api),
            requests: api.length,
            nodes: document.querySelectorAll('#graph svg [data-id^="transport-node:"]').length,
            drawn: document.querySelectorAll('#graph svg [data-id]').length,
            rows: document.querySelectorAll('#lists tbody tr[data-key]').length,
          };
        },
        READY_MARK,
        READ_MARK,
      );
      return { ...seen, errors };
    } finally {
      await context.close();
    }
  };

  const first = await load();
  console.log(`first load (not counted): ${Math.round(first.ms)} ms; graph elements ${first.drawn}, list rows ${first.rows}`);
  const loads: Load[] = [];
  for (let i = 0; i < LOADS; i++) {
    const r = await load();
    if (r.errors.length) throw new Error(`console errors: ${r.errors.join('; ')}`);
    if (!Number.isFinite(r.ms)) throw new Error(`the console set no ${READY_MARK} mark`);
    if (r.nodes !== HYPERVISORS) throw new Error(`the graph shows ${r.nodes} transport nodes, not ${HYPERVISORS}`);
    loads.push(r);
  }
  const ms = loads.map((l) => l.ms);
  const round = (x: number) => Math.round(x);
  const p50 = (f: (l: Load) => number) => round(percentile(loads.map(f), 0.5));
  console.log(`loads: ${ms.map(round).join(' ')} ms`);
  console.log(
    `console first paint p50=${round(percentile(ms, 0.5))} p95=${round(percentile(ms, 0.95))} max=${round(Math.max(...ms))} (${LOADS} loads; target p50 ≤ 1500 ms)`,
  );
  console.log(
    `of which: script p50=${p50((l) => l.script)} everything read p50=${p50((l) => l.read)} first answer p50=${p50((l) => l.firstAnswer)} last answer p50=${p50((l) => l.lastAnswer)} (${loads[0]!.requests} API requests)`,
  );
} finally {
  await browser?.close();
  await destroyLab(runtime, LAB);
  await rm(dir, { recursive: true, force: true });
}
