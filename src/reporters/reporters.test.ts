import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Reporter } from '../scenario/reporter.ts';
import type { RunResult } from '../scenario/results.ts';
import { runScenarios } from '../scenario/runner.ts';
import { FakeDriver, labWith, suiteOf } from '../scenario/test-helpers.ts';
import { UsageError } from '../util/errors.ts';
import { REPORTER_NAMES, createReporter, jsonReport, junitXml } from './index.ts';
import type { TextSink } from './types.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
  vi.setSystemTime(new Date('2025-03-01T12:00:00.000Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

const SOURCE = labWith(
  '  smoke:',
  '    - expect: tunnels-up',
  '    - ping: { from: web1, to: web2 }',
  '  flooding:',
  '    - flood: { from: web1, receivers: [web2, web3], within: 1s }',
  '    - kill: ctrl1',
  '  failover:',
  '    - traffic:',
  '        from: web1',
  '        to: web2',
  '        during:',
  '          - kill: master-of:hv1',
  '          - expect: { master: { of: hv1, is-not: ctrl1 } }',
);

class Sink implements TextSink {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string): void {
    this.text += chunk;
  }
}

/** Runs SOURCE's scenarios on a lab where web3 gets two copies of a flood and ctrl2 takes over 2 s after ctrl1 is killed. */
async function runWith(reporters: Reporter[], tweak: (driver: FakeDriver) => void = () => undefined): Promise<RunResult> {
  const driver = new FakeDriver();
  driver.onFlood = () => ({ copies: { web2: 1, web3: 2 }, fromSource: 1 });
  let killedAt: number | undefined;
  driver.onAction = (what) => void (what === 'kill ctrl1' && (killedAt = Date.now()));
  driver.onMaster = () => (killedAt !== undefined && Date.now() - killedAt > 2000 ? 'ctrl2' : 'ctrl1');
  driver.onArtifacts = (req) => ({ files: [`${req.dir}/hv1/flows.txt`, `${req.dir}/ctrl1.log`] });
  tweak(driver);
  const running = runScenarios(suiteOf(SOURCE, 'lab.yaml'), driver, { reporters });
  await vi.runAllTimersAsync();
  return running;
}

describe('reporters by name', () => {
  it('has pretty, json and junit, and rejects others with the list', () => {
    expect(REPORTER_NAMES).toEqual(['pretty', 'json', 'junit']);
    expect(() => createReporter('tap', { stream: new Sink() })).toThrow(UsageError);
    expect(() => createReporter('tap', { stream: new Sink() })).toThrow('unknown reporter "tap" (known: pretty, json, junit)');
  });
});

describe('pretty', () => {
  it('writes one line per step with its time, failures with what was seen, and a summary', async () => {
    const sink = new Sink();
    await runWith([createReporter('pretty', { stream: sink, color: false })]);
    expect(sink.text).toBe(
      [
        'lab lab: 3 scenarios from lab.yaml',
        '',
        'smoke (2 steps)',
        '  ✓ tunnels up  100ms · 42 tunnels on 7 transport nodes',
        '  ✓ ping web1 → web2  100ms · 3 of 3 answered',
        '  smoke passed in 200ms',
        '',
        'flooding (2 steps)',
        '  ✗ flood broadcast from web1  1.1s',
        '      expected receivers web2, web3; web3 got 2 copies',
        '      gave up after 1.1s (6 attempts, within 1s)',
        '  - kill ctrl1 (skipped)',
        '  artifacts: 2 files in nvlab-artifacts/lab/flooding',
        '  flooding failed in 1.2s',
        '',
        'failover (1 step)',
        '  ▸ traffic web1 → web2 every 10ms',
        '    ✓ kill master-of:hv1  200ms · ctrl1 (master of hv1)',
        '    ✓ master of hv1 is not ctrl1  2.5s · ctrl2',
        '  ✓ traffic web1 → web2 every 10ms  2.9s · lost 0 of 290 packets',
        '  failover passed in 2.9s',
        '',
        'Scenarios  1 failed, 2 passed (3)',
        'Steps      1 failed, 5 passed, 1 skipped (7)',
        'Duration   4.3s',
        '',
        'Failed',
        '  flooding › 1 flood broadcast from web1',
        '    expected receivers web2, web3; web3 got 2 copies',
        `    lab.yaml:${SOURCE.split('\n').findIndex((l) => l.includes('- flood:')) + 1}:7 · artifacts in nvlab-artifacts/lab/flooding`,
        '',
      ].join('\n'),
    );
  });

  it('colours, and on a terminal shows each step in progress until its line replaces it', async () => {
    const sink = new Sink(true);
    await runWith([createReporter('pretty', { stream: sink })]);
    expect(sink.text).toContain('\x1b[32m✓\x1b[39m');
    expect(sink.text).toContain('\x1b[31m✗\x1b[39m');
    // "… ping" is written without a newline, then cleared and replaced by the result.
    // eslint-disable-next-line no-control-regex -- the terminal's escape sequences are what is checked
    expect(sink.text).toMatch(/… ping web1 → web2\x1b\[22m\r\x1b\[2K {2}\x1b\[32m✓\x1b\[39m ping web1 → web2/);
  });
});

describe('json', () => {
  it('prints the run result with a summary and the exit code, once, at the end', async () => {
    const sink = new Sink();
    const result = await runWith([createReporter('json', { stream: sink })]);
    const parsed = JSON.parse(sink.text) as ReturnType<typeof jsonReport>;
    expect(parsed).toEqual(JSON.parse(JSON.stringify(jsonReport(result))));
    expect(parsed).toMatchObject({
      lab: 'lab',
      file: 'lab.yaml',
      startedAt: '2025-03-01T12:00:00.000Z',
      status: 'failed',
      exitCode: 1,
      summary: { scenarios: { passed: 2, failed: 1, skipped: 0, total: 3 }, steps: { passed: 5, failed: 1, skipped: 1, total: 7 } },
    });
    const flood = parsed.scenarios[1]!.steps[0]!;
    expect(flood).toMatchObject({
      kind: 'flood',
      status: 'failed',
      attempts: 6,
      budgetMs: 1000,
      observed: { copies: { web2: 1, web3: 2 }, fromSource: 1 },
    });
    const master = parsed.scenarios[2]!.steps[0]!.steps![1]!;
    expect(master).toMatchObject({ id: '1.2', kind: 'expect-master', status: 'passed', convergenceMs: 2500 });
    expect(sink.text.endsWith('}\n')).toBe(true);
  });
});

describe('junit', () => {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    htmlEntities: true,
    isArray: (name) => ['testsuite', 'testcase'].includes(name),
  });
  type Case = {
    name: string;
    classname: string;
    time: string;
    file?: string;
    line?: string;
    failure?: { message: string; type: string; '#text': string };
    skipped?: { message: string };
    'system-out'?: string;
  };
  type Suite = {
    name: string;
    tests: string;
    failures: string;
    errors: string;
    skipped: string;
    time: string;
    timestamp: string;
    testcase: Case[];
  };
  type Doc = { testsuites: { name: string; tests: string; failures: string; skipped: string; time: string; testsuite: Suite[] } };

  it('is valid XML: one testsuite per scenario, one testcase per step, failures and skips, times in seconds', async () => {
    const sink = new Sink();
    await runWith([createReporter('junit', { stream: sink })]);
    expect(XMLValidator.validate(sink.text)).toBe(true);
    expect(sink.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
    const doc = parser.parse(sink.text) as Doc;
    expect(doc.testsuites).toMatchObject({ name: 'nvlab lab', tests: '7', failures: '1', skipped: '1', time: '4.300' });
    expect(doc.testsuites.testsuite.map((s) => [s.name, s.tests, s.failures, s.errors, s.skipped, s.time, s.timestamp])).toEqual([
      ['smoke', '2', '0', '0', '0', '0.200', '2025-03-01T12:00:00'],
      ['flooding', '2', '1', '0', '1', '1.200', '2025-03-01T12:00:00'],
      ['failover', '3', '0', '0', '0', '2.900', '2025-03-01T12:00:00'],
    ]);
    const [smoke, flooding, failover] = doc.testsuites.testsuite;
    expect(smoke!.testcase.map((c) => [c.name, c.classname, c.time, c.file])).toEqual([
      ['1 tunnels up', 'lab.smoke', '0.100', 'lab.yaml'],
      ['2 ping web1 → web2', 'lab.smoke', '0.100', 'lab.yaml'],
    ]);
    expect(smoke!.testcase[0]!['system-out']).toBe('passed after 100ms (1 attempt, within 30s)\n42 tunnels on 7 transport nodes');
    const [flood, kill] = flooding!.testcase;
    expect(flood!.failure).toMatchObject({ type: 'flood', message: 'expected receivers web2, web3; web3 got 2 copies' });
    expect(flood!.failure!['#text']).toContain('gave up after 1.1s: 6 attempts within 1s');
    expect(flood!['system-out']).toBe(
      'artifacts in nvlab-artifacts/lab/flooding\n[[ATTACHMENT|nvlab-artifacts/lab/flooding/hv1/flows.txt]]\n[[ATTACHMENT|nvlab-artifacts/lab/flooding/ctrl1.log]]',
    );
    expect(kill).toMatchObject({ name: '2 kill ctrl1', skipped: { message: 'an earlier step failed' } });
    expect(failover!.testcase.map((c) => c.name)).toEqual([
      '1 traffic web1 → web2 every 10ms',
      '1.1 kill master-of:hv1',
      '1.2 master of hv1 is not ctrl1',
    ]);
  });

  it('stays valid with markup, quotes, colour codes and control characters in messages', async () => {
    const result = await runWith([]);
    const step = result.scenarios[1]!.steps[0]!;
    result.scenarios[1]!.steps[0] = { ...step, message: 'seen <b>"x" & \'y\'</b>\x1b[1m\x00\tdone\nnext', observed: { out: '\x01<&>]]>' } };
    const xml = junitXml(result);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = parser.parse(xml) as Doc;
    const failure = doc.testsuites.testsuite[1]!.testcase[0]!.failure!;
    expect(failure.message).toBe('seen <b>"x" & \'y\'</b>\tdone\nnext');
    expect(failure['#text']).toContain('last observed: {"out":"\\u0001<&>]]>"}');
  });
});
