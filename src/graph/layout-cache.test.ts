import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadTopology } from '../topology/load.ts';
import { planLab } from '../topology/plan.ts';
import { projectRoot } from '../util/paths.ts';
import { nodeElk } from './elk-node.ts';
import { placementStore } from './layout-cache.ts';
import { graphFromPlan, layoutGraph, type LabGraph } from './index.ts';
import type { ElkEngine } from './layout.ts';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nvlab-placements-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** ELK, counting what it is asked. */
function countingElk(): { elk: () => Promise<ElkEngine>; asked: () => number } {
  let asked = 0;
  return {
    elk: async () => {
      const real = await nodeElk();
      return { layout: (g: ElkNode) => (asked++, real.layout(g)) };
    },
    asked: () => asked,
  };
}

const noElk = async (): Promise<ElkEngine> => {
  throw new Error('ELK asked');
};

/** A built-in topology's graph, made unlike any other test's (a node of its own) so that this
 *  process's in-memory placements never answer for the store. */
async function graphOf(file: string, tag: string): Promise<LabGraph> {
  const graph = graphFromPlan(planLab((await loadTopology(join(projectRoot, 'topologies', file))).topology));
  return { ...graph, nodes: [...graph.nodes, { ...graph.nodes[0]!, id: `host:${tag}`, kind: 'host', name: tag }] };
}

const files = async () => (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
const fileOf = (input: string) => join(dir, `${createHash('sha256').update(input).digest('hex')}.json`);

/** layoutGraph as a new process has it: nothing laid out in memory. */
async function freshLayout(): Promise<typeof layoutGraph> {
  vi.resetModules();
  return (await import('./layout.ts')).layoutGraph;
}

/** The ELK input layoutGraph builds for `graph` (caught from the engine it is given). */
async function inputOf(graph: LabGraph): Promise<string> {
  let input = '';
  const elk = async (): Promise<ElkEngine> => ({
    layout: async (g) => {
      input = JSON.stringify(g);
      return (await nodeElk()).layout(g);
    },
  });
  await layoutGraph(graph, { reuse: false, elk });
  return input;
}

describe('placementStore', () => {
  it("miss: ELK asked, its answer kept in a file named by its input's hash; hit (a new process): drawn from the file, ELK not asked", async () => {
    const graph = await graphOf('l3-gateway.yaml', 'cache-hit');
    const counting = countingElk();
    const first = await (await freshLayout())(graph, { elk: counting.elk, store: placementStore(dir) });
    expect(counting.asked()).toBe(1);
    expect(await files()).toEqual([fileOf(await inputOf(graph)).slice(dir.length + 1)]);
    const again = await (await freshLayout())(graph, { elk: noElk, store: placementStore(dir) });
    expect(again).toEqual(first);
    // Not drawn from memory: without the file, a new process asks ELK.
    await rm(fileOf(await inputOf(graph)));
    await expect((await freshLayout())(graph, { elk: noElk, store: placementStore(dir) })).rejects.toThrow('ELK asked');
  });

  it('a large graph (two ELK graphs, one per world) is kept as two files and drawn from them', async () => {
    const file = join(dir, 'large.yaml');
    const ports = Array.from({ length: 30 }, (_, p) => `      p${p}: { on: hv${p + 1}, ip: 10.0.0.${p + 10} }`);
    const hvs = Array.from({ length: 30 }, (_, i) => `  hv${i + 1}: hypervisor`);
    await writeFile(
      file,
      [
        'name: large',
        'controllers: 1',
        'transport-nodes:',
        ...hvs,
        'logical-switches:',
        '  net:',
        '    subnet: 10.0.0.0/24',
        '    ports:',
        ...ports,
        '',
      ].join('\n'),
    );
    const graph = graphFromPlan(planLab((await loadTopology(file)).topology));
    await rm(file);
    const first = await (await freshLayout())(graph, { elk: nodeElk, store: placementStore(dir) });
    expect(await files()).toHaveLength(2);
    expect(await (await freshLayout())(graph, { elk: noElk, store: placementStore(dir) })).toEqual(first);
  });

  it('a corrupt or foreign file is ignored: ELK is asked and its answer written over it', async () => {
    const texts = ['{"children": [{"id": "nope"', JSON.stringify({ id: 'root', children: [], edges: [] }), '', 'null'];
    for (const [n, text] of texts.entries()) {
      const graph = await graphOf('l2-gateway.yaml', `cache-corrupt-${n}`);
      const file = fileOf(await inputOf(graph));
      await writeFile(file, text);
      const counting = countingElk();
      const laid = await (await freshLayout())(graph, { elk: counting.elk, store: placementStore(dir) });
      expect(counting.asked(), text).toBe(1);
      expect(laid.nodes.every((node) => node.width > 0)).toBe(true);
      const rewritten = JSON.parse(await readFile(file, 'utf8')) as ElkNode;
      expect(rewritten.children?.map((c) => c.id).sort()).toEqual(graph.nodes.map((node) => node.id).sort());
    }
  });

  it('a store that cannot be read or written costs only time: the layout is made and drawn', async () => {
    const graph = await graphOf('demo.yaml', 'cache-unwritable');
    await writeFile(join(dir, 'not-a-dir'), '');
    const counting = countingElk();
    const laid = await (await freshLayout())(graph, { elk: counting.elk, store: placementStore(join(dir, 'not-a-dir')) });
    expect(counting.asked()).toBe(1);
    expect(laid.nodes).toHaveLength(graph.nodes.length);
  });

  it('is bounded: past its size, the least recently used file goes (reading one makes it recent)', async () => {
    const store = placementStore(dir, 3);
    const answer = (i: number): ElkNode => ({ id: 'root', children: [{ id: `n${i}`, x: i, y: 0, width: 1, height: 1 }], edges: [] });
    for (const i of [0, 1, 2]) {
      await store.set(`input ${i}`, answer(i));
      const at = new Date(Date.now() - (100 - i * 10) * 1000); // input 0 the oldest
      await utimes(fileOf(`input ${i}`), at, at);
    }
    expect(await store.get('input 0')).toEqual(answer(0));
    await store.set('input 3', answer(3));
    expect(await files()).toHaveLength(3);
    expect(await store.get('input 1')).toBeUndefined();
    for (const i of [0, 2, 3]) expect(await store.get(`input ${i}`)).toEqual(answer(i));
  });
});
