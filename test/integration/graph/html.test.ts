// nvlab graph --format html in a real browser (headless chromium), for every built-in topology:
// the file asks for nothing but itself, logs no error, draws every node and edge, shows a
// node's details on click and zooms on the wheel. And --format svg is XML with every node.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHtml } from '../../../src/graph/html.ts';
import { graphFromPlan, layoutGraph, toSvg, type LabGraph, type Viewer } from '../../../src/graph/index.ts';
import { loadTopology } from '../../../src/topology/load.ts';
import { planLab } from '../../../src/topology/plan.ts';
import { projectRoot } from '../../../src/util/paths.ts';
import { launchBrowser, watchedPage } from '../../support/browser.ts';

const topologies = (await readdir(join(projectRoot, 'topologies'))).filter((f) => f.endsWith('.yaml')).sort();
const nvlab = (...args: string[]) => execa('node', [join(projectRoot, 'bin/nvlab.js'), ...args], { reject: false });
const graphOf = async (file: string) => graphFromPlan(planLab((await loadTopology(join(projectRoot, 'topologies', file))).topology));

let browser: Browser;
let dir = '';
beforeAll(async () => {
  [browser, dir] = await Promise.all([launchBrowser(), mkdtemp(join(tmpdir(), 'nvlab-graph-html-'))]);
});
afterAll(async () => {
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

const drawnIds = (page: Page, type: 'node' | 'edge') =>
  page.$$eval(`.nv-graph .${type}[data-id]`, (els) => els.map((e) => e.getAttribute('data-id')!).sort());
const viewTransform = (page: Page) => page.$eval('.nv-graph .viewport', (e) => e.getAttribute('transform') ?? '');
const scaleOf = (transform: string) => Number(/scale\(([\d.e-]+)\)/.exec(transform)?.[1]);

describe('nvlab graph --format html, opened in chromium', () => {
  it.each(topologies)('%s: offline, no error, every node and edge drawn, details on click, wheel and buttons zoom', async (file) => {
    const graph = await graphOf(file);
    const out = join(dir, file.replace(/\.yaml$/, '.html'));
    const r = await nvlab('graph', join(projectRoot, 'topologies', file), '--format', 'html', '-o', out);
    expect(r.exitCode, r.stderr).toBe(0);
    const { page, errors, requests } = await watchedPage(browser, `graph-html-${file}`);
    const url = pathToFileURL(out).href;
    await page.goto(url, { waitUntil: 'load' });
    expect(await page.title()).toContain(graph.lab);

    expect(await drawnIds(page, 'node')).toEqual(graph.nodes.map((n) => n.id).sort());
    expect(await drawnIds(page, 'edge')).toEqual(graph.edges.map((e) => e.id).sort());

    // A click on a transport node: its details, every attribute among them.
    const hv = graph.nodes.find((n) => n.kind === 'transport-node')!;
    expect(await page.$('.nv-viewer-details:not([hidden])')).toBeNull();
    await page.click(`.nv-graph .node[data-id="${hv.id}"]`);
    const details = await page.waitForSelector('.nv-viewer-details:not([hidden])', { timeout: 2000 });
    const text = (await details!.evaluate((e) => e.textContent)) ?? '';
    expect(text).toContain(hv.name);
    for (const [k, v] of Object.entries(hv.attrs)) expect(text).toContain(`${k}${v}`);
    expect(await page.$eval(`.nv-graph .node[data-id="${hv.id}"]`, (e) => e.classList.contains('selected'))).toBe(true);

    // The wheel zooms in at the pointer; the buttons zoom out and fit again.
    const fitted = await viewTransform(page);
    await page.mouse.move(700, 500);
    await page.mouse.wheel({ deltaY: -400 });
    const zoomed = await viewTransform(page);
    expect(scaleOf(zoomed)).toBeGreaterThan(scaleOf(fitted));
    await page.click('.nv-viewer-tools button[title^="zoom out"]');
    expect(scaleOf(await viewTransform(page))).toBeLessThan(scaleOf(zoomed));
    await page.click('.nv-viewer-tools button[title^="fit"]');
    expect(await viewTransform(page)).toBe(fitted);

    expect(errors).toEqual([]);
    expect(requests).toEqual([url]);
    await page.close();
  });

  it('live state is visible: a down tunnel red and dashed, an up one green, a dead member marked; a trace path emphasised', async () => {
    const graph: LabGraph = await graphOf('l3-gateway.yaml');
    const [down, up] = graph.edges.filter((e) => e.kind === 'tunnel');
    const member = graph.nodes.find((n) => n.kind === 'member')!;
    const live: LabGraph = {
      ...graph,
      readAt: '2025-01-01T00:00:00.000Z',
      edges: graph.edges.map((e) => (e === down ? { ...e, state: 'down' } : e === up ? { ...e, state: 'up' } : e)),
      nodes: graph.nodes.map((n) => (n === member ? { ...n, state: 'down' } : n)),
    };
    const path = { nodes: ['port:web1', 'transport-node:hv1'], edges: [`placement:port:web1:hv1`] };
    const out = join(dir, 'live.html');
    await writeFile(out, await toHtml(live, { highlight: path }));
    const { page, errors } = await watchedPage(browser, 'graph-html-live');
    await page.goto(pathToFileURL(out).href);
    const stroke = (type: string, id: string, part: string) =>
      page.$eval(`.nv-graph .${type}[data-id="${id}"] ${part}`, (e) => {
        const s = getComputedStyle(e);
        return `${s.stroke} ${s.strokeDasharray}`;
      });
    expect(await stroke('edge', down!.id, '.line')).toMatch(/^rgb\(198, 40, 40\) 6(px)?,? 4/);
    expect(await stroke('edge', up!.id, '.line')).toMatch(/^rgb\(46, 125, 50\) none/);
    expect(await stroke('node', member.id, '.shape')).toMatch(/^rgb\(198, 40, 40\) 5/);
    expect(await page.$eval('header', (e) => e.textContent)).toContain('live state read at 2025-01-01T00:00:00.000Z');
    const opacity = (type: string, id: string) => page.$eval(`.nv-graph .${type}[data-id="${id}"]`, (e) => getComputedStyle(e).opacity);
    expect(await opacity('node', 'transport-node:hv1')).toBe('1');
    expect(await opacity('edge', 'placement:port:web1:hv1')).toBe('1');
    expect(Number(await opacity('node', 'transport-node:hv2'))).toBeLessThan(0.5);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('the viewer, driven as the console drives it', () => {
  it('select, zoom, highlight, then a redrawing with new live state keeps the view, the selection and the highlight', async () => {
    const graph = await graphOf('demo.yaml');
    const out = join(dir, 'viewer.html');
    await writeFile(out, await toHtml(graph));
    const { page, errors } = await watchedPage(browser, 'graph-viewer-api');
    await page.goto(pathToFileURL(out).href);
    type Win = { nvlabViewer: Viewer };
    const panel = () => page.$eval('.nv-viewer-details', (e) => ((e as HTMLElement).hidden ? '' : (e.textContent ?? '')));

    await page.evaluate(() => {
      const v = (window as unknown as Win).nvlabViewer;
      v.select('transport-node:hv1');
      v.zoom(2);
      v.highlight({ nodes: ['transport-node:hv1', 'port:web1'], edges: ['placement:port:web1:hv1'] });
    });
    expect(await panel()).toContain('hv1');
    const view = await page.evaluate(() => (window as unknown as Win).nvlabViewer.transform());
    const marks = () =>
      page.evaluate(() => ({
        highlighting: document.querySelector('.nv-graph')!.classList.contains('highlighting'),
        hl: [...document.querySelectorAll('.hl')].map((e) => `${e.classList[0]} ${e.getAttribute('data-id')}`).sort(),
        selected: [...document.querySelectorAll('.selected')].map((e) => e.getAttribute('data-id')),
      }));
    const marked = {
      highlighting: true,
      hl: ['edge placement:port:web1:hv1', 'node port:web1', 'node transport-node:hv1'],
      selected: ['transport-node:hv1'],
    };
    expect(await marks()).toEqual(marked);

    // The same lab a moment later: hv1 is down and its tunnels with it.
    const live: LabGraph = {
      ...graph,
      nodes: graph.nodes.map((n) => (n.id === 'transport-node:hv1' ? { ...n, state: 'down' } : n)),
      edges: graph.edges.map((e) => (e.kind === 'tunnel' ? { ...e, state: e.from === 'transport-node:hv1' ? 'down' : 'up' } : e)),
    };
    const svg = toSvg(await layoutGraph(live));
    await page.evaluate((text, g) => (window as unknown as Win).nvlabViewer.update(text, g), svg, live);
    expect(await page.$$eval('.nv-graph .edge.kind-tunnel.state-down', (els) => els.length)).toBe(
      live.edges.filter((e) => e.state === 'down').length,
    );
    expect(await page.evaluate(() => (window as unknown as Win).nvlabViewer.transform())).toEqual(view);
    expect(await marks()).toEqual(marked);
    expect(await panel()).toMatch(/statedown/);

    // An edge with a node's id (a port and its edge share one) is told apart by its type.
    await page.evaluate(() => (window as unknown as Win).nvlabViewer.select('port:web1', 'edge'));
    expect(await panel()).toMatch(/^×port.*fromweb1 \(port\)toweb \(switch\)/);
    await page.keyboard.press('Escape');
    expect(await panel()).toBe('');
    await page.evaluate(() => (window as unknown as Win).nvlabViewer.destroy());
    expect(await page.$('.nv-viewer-tools')).toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('nvlab graph --format svg', () => {
  it.each(topologies)('%s: XML, with every node and edge', async (file) => {
    const graph = await graphOf(file);
    const r = await nvlab('graph', join(projectRoot, 'topologies', file), '--format', 'svg');
    expect(r.exitCode, r.stderr).toBe(0);
    expect(XMLValidator.validate(r.stdout)).toBe(true);
    const ids: Record<'node' | 'edge', string[]> = { node: [], edge: [] };
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (!v || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      const type = String(o.class ?? '').split(' ')[0];
      if (typeof o['data-id'] === 'string' && (type === 'node' || type === 'edge')) ids[type].push(o['data-id']);
      Object.values(o).forEach(walk);
    };
    walk(new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', processEntities: true }).parse(r.stdout));
    expect(ids.node.sort()).toEqual(graph.nodes.map((n) => n.id).sort());
    expect(ids.edge.sort()).toEqual(graph.edges.map((e) => e.id).sort());
  });
});
