// npm run screenshots: the README's pictures, made from a real lab so they stay true. Deploys
// topologies/l3-gateway.yaml, then in headless chromium: the web console once it has read and
// drawn everything (docs/images/console.png), the console after a trace from web1 to db1
// (docs/images/console-trace.png), and `nvlab graph LAB --format html` of the running lab
// (docs/images/graph.png). Destroys the lab at the end, whatever happened.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { consoleUrls } from '../src/app/console.ts';
import { deployLab } from '../src/app/deploy.ts';
import { destroyLab } from '../src/app/destroy.ts';
import { labGraph } from '../src/app/graph.ts';
import { readApiCredentials } from '../src/app/lab-state.ts';
import { createRuntime } from '../src/app/runtime.ts';
import { toHtml } from '../src/graph/html.ts';
import { loadTopology } from '../src/topology/load.ts';
import { planLab } from '../src/topology/plan.ts';
import { projectRoot } from '../src/util/paths.ts';
import { launchBrowser } from '../test/support/chromium.ts';
import { waitForReady } from '../test/support/console-page.ts';

const IMAGES = join(projectRoot, 'docs/images');
const VIEWPORT = { width: 1400, height: 900 };
const runtime = await createRuntime();
const plan = planLab((await loadTopology(join(projectRoot, 'topologies/l3-gateway.yaml'))).topology, {
  usedSubnets: await runtime.usedSubnets(),
});
const lab = plan.lab;
const dir = await mkdtemp(join(tmpdir(), 'nvlab-screenshots-'));
await mkdir(IMAGES, { recursive: true });
// Launched once the lab is up: it trusts the lab's own authority, made at deploy.
let browser: Browser | undefined;
try {
  console.error(`screenshots: deploying ${lab}`);
  await deployLab(runtime, plan);
  browser = await launchBrowser({ trust: (await readApiCredentials(lab))?.ca });
  const page = await browser.newPage();
  await page.setViewport(VIEWPORT);

  const url = (await consoleUrls(runtime, lab))[0]!.url;
  await page.goto(url);
  await waitForReady(page, 30_000);
  // A deploy ends before BFD is up between the gateways (a few of its rounds): until then both
  // take the router, as the console rightly shows. The pictures are of the settled lab.
  await page.waitForFunction(
    () => {
      const rows = [...document.querySelectorAll('#list-tunnels tbody tr[data-key]')];
      return rows.length > 0 && rows.every((r) => r.getAttribute('data-state') === 'up');
    },
    { timeout: 30_000 },
  );
  await page.screenshot({ path: join(IMAGES, 'console.png') });

  await page.select('#trace-form select[name="from"]', 'web1');
  await page.type('#trace-form input[name="to"]', 'db1');
  await page.click('#trace-form button[type="submit"]');
  await page.waitForSelector('#graph svg [data-path]', { timeout: 30_000 });
  await page.screenshot({ path: join(IMAGES, 'console-trace.png') });

  const html = join(dir, 'graph.html');
  await writeFile(html, await toHtml(await labGraph(runtime, lab)));
  await page.goto(`file://${html}`);
  await page.waitForSelector('svg [data-id]');
  await page.screenshot({ path: join(IMAGES, 'graph.png') });
  console.error(`screenshots: wrote console.png, console-trace.png and graph.png in ${IMAGES}`);
} finally {
  await browser?.close();
  await destroyLab(runtime, lab);
  await rm(dir, { recursive: true, force: true });
}
