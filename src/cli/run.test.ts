import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XMLValidator } from 'fast-xml-parser';
import type { OpenLabRequest, OpenScenarioLab } from '../scenario/driver.ts';
import { FakeDriver, labWith } from '../scenario/test-helpers.ts';
import { TopologyError } from '../topology/issues.ts';
import { UsageError } from '../util/errors.ts';
import { runFile, type RunFlags } from './run.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nvlab-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

class Sink {
  text = '';
  write(chunk: string): void {
    this.text += chunk;
  }
}

const GOOD = labWith(
  '  smoke:',
  '    - expect: tunnels-up',
  '    - ping: { from: web1, to: web2 }',
  '  isolation:',
  '    - ping: { from: web1, to: app2, expect: fail, within: 0s }',
);

/** An opener that records what it was asked and hands out a fast fake driver. */
function fakeLabs(tweak: (driver: FakeDriver) => void = () => undefined) {
  const requests: OpenLabRequest[] = [];
  const released: boolean[] = [];
  const driver = new FakeDriver();
  driver.delayMs = 1;
  tweak(driver);
  const open: OpenScenarioLab = async (request) => {
    requests.push(request);
    request.progress(`deploying ${request.loaded.topology.name}`);
    return { name: request.lab ?? request.loaded.topology.name, driver, release: async ({ keep }) => void released.push(keep) };
  };
  return { open, requests, released, driver };
}

async function fileWith(name: string, source: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, source);
  return path;
}

const flags = (more: Partial<RunFlags> = {}): RunFlags => ({ scenario: [], reporter: 'pretty', keep: false, ...more });
const io = () => ({ stdout: new Sink(), stderr: new Sink() });

describe('nvlab run', () => {
  it('writes a clean JUnit report to stdout, progress to stderr, and exits 1 when a step failed', async () => {
    const labs = fakeLabs((d) => (d.onPing = (req) => ({ sent: req.count, received: req.count })));
    const out = io();
    const code = await runFile(await fileWith('a.yaml', GOOD), flags({ reporter: 'junit' }), labs.open, out, new AbortController().signal);
    expect(code).toBe(1);
    expect(XMLValidator.validate(out.stdout.text)).toBe(true);
    expect(out.stdout.text.startsWith('<?xml')).toBe(true);
    expect(out.stderr.text).toContain('deploying lab');
    expect(out.stderr.text).toContain('✗ ping web1 → app2 (expect fail)');
    expect(out.stderr.text).toContain('lab lab destroyed');
    expect(labs.released).toEqual([false]);
  });

  it('exits 0 when every step passed, with the pretty report on stdout', async () => {
    const labs = fakeLabs((d) => (d.onPing = (req) => ({ sent: req.count, received: req.to === 'app2' ? 0 : req.count })));
    const out = io();
    const code = await runFile(await fileWith('b.yaml', GOOD), flags(), labs.open, out, new AbortController().signal);
    expect(code).toBe(0);
    expect(out.stdout.text).toContain('✓ ping web1 → web2');
    expect(out.stdout.text).toContain('Scenarios  2 passed (2)');
    expect(out.stderr.text).not.toContain('✓');
  });

  it("prints the topology's warnings on stderr before running (web, 10.0.1.0/24, is bridged onto office, 192.168.10.0/24)", async () => {
    const labs = fakeLabs((d) => (d.onPing = (req) => ({ sent: req.count, received: req.to === 'app2' ? 0 : req.count })));
    const out = io();
    const file = await fileWith('w.yaml', GOOD);
    expect(await runFile(file, flags(), labs.open, out, new AbortController().signal)).toBe(0);
    expect(out.stderr.text).toContain(
      `warning ${file}:25:37: logical-switches.web.l2-gateway.network: switch web (subnet 10.0.1.0/24, line 19)`,
    );
    expect(out.stderr.text.indexOf('never reach the hosts there')).toBeLessThan(out.stderr.text.indexOf('deploying lab'));
    expect(out.stdout.text).not.toContain('never reach');
  });

  it('writes the report to --output, runs only the --scenario named, keeps the lab with --keep', async () => {
    const labs = fakeLabs();
    const out = io();
    const report = join(dir, 'report.json');
    const code = await runFile(
      await fileWith('c.yaml', GOOD),
      flags({ reporter: 'json', output: report, scenario: ['smoke'], keep: true }),
      labs.open,
      out,
      new AbortController().signal,
    );
    expect(code).toBe(0);
    expect(out.stdout.text).toBe('');
    const json = JSON.parse(await readFile(report, 'utf8')) as { scenarios: { name: string }[]; exitCode: number };
    expect(json.scenarios.map((s) => s.name)).toEqual(['smoke']);
    expect(labs.released).toEqual([true]);
    expect(out.stderr.text).toContain('lab lab left running (nvlab destroy lab removes it)');
  });

  it('runs against a deployed lab with --lab, naming artifacts after it', async () => {
    const labs = fakeLabs((d) => (d.onPing = (req) => ({ sent: req.count, received: req.count })));
    await runFile(
      await fileWith('d.yaml', GOOD),
      flags({ lab: 'ci-7', scenario: ['isolation'] }),
      labs.open,
      io(),
      new AbortController().signal,
    );
    expect(labs.requests[0]!.lab).toBe('ci-7');
    expect(labs.driver.artifacts[0]!.dir).toBe('nvlab-artifacts/ci-7/isolation');
  });

  it('rejects bad input before any lab is deployed', async () => {
    const labs = fakeLabs();
    const bad = await fileWith('e.yaml', labWith('  s:', '    - ping: { from: web1, to: web9 }'));
    await expect(runFile(bad, flags(), labs.open, io(), new AbortController().signal)).rejects.toThrow(TopologyError);
    const good = await fileWith('f.yaml', GOOD);
    await expect(runFile(good, flags({ scenario: ['nope'] }), labs.open, io(), new AbortController().signal)).rejects.toThrow(UsageError);
    await expect(runFile(good, flags({ reporter: 'tap' }), labs.open, io(), new AbortController().signal)).rejects.toThrow(
      'unknown reporter "tap"',
    );
    await expect(
      runFile(good, flags({ output: join(dir, 'no/such/dir/r.xml') }), labs.open, io(), new AbortController().signal),
    ).rejects.toThrow(/^cannot write the report to .*r\.xml/);
    const empty = await fileWith('g.yaml', 'name: lab\n');
    await expect(runFile(empty, flags(), labs.open, io(), new AbortController().signal)).rejects.toThrow('has no scenarios to run');
    expect(labs.requests).toEqual([]);
  });

  it('exits 130 when interrupted, still releasing the lab', async () => {
    const abort = new AbortController();
    const labs = fakeLabs((d) => (d.onAction = () => abort.abort()));
    const file = await fileWith('h.yaml', labWith('  s:', '    - kill: ctrl1', '    - reach: all'));
    expect(await runFile(file, flags(), labs.open, io(), abort.signal)).toBe(130);
    expect(labs.released).toEqual([false]);
  });
});
