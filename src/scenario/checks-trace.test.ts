import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TraceResult } from '../model/index.ts';
import { flattenSteps, type RunResult } from './results.ts';
import { runScenarios } from './runner.ts';
import { TracingFakeDriver, labWith, scenarioIssues, suiteOf } from './test-helpers.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

async function run(driver: TracingFakeDriver, ...rows: string[]): Promise<RunResult> {
  const running = runScenarios(suiteOf(labWith('  s:', ...rows)), driver);
  await vi.runAllTimersAsync();
  return running;
}

const dropped = (to: string): TraceResult => ({
  from: 'web1',
  to,
  proto: 'icmp',
  delivered: false,
  reason: 'no-flow',
  hops: [
    { node: 'hv1', component: 'port', observation: 'received', logical: 'web1' },
    { node: 'hv1', component: 'tunnel', observation: 'forwarded', tunnel: { encap: 'geneve', vni: 5001, remote: 'hv2' } },
    { node: 'hv2', component: 'logical-switch', observation: 'dropped', reason: 'no-flow', detail: 'no flow for the destination' },
  ],
});

describe('the trace step', () => {
  it('passes when the packet goes where expected, through the nodes listed in order', async () => {
    const result = await run(
      new TracingFakeDriver(),
      '    - trace: { from: web1, to: web2, expect: { delivered: true, via: [hv1, hv2] } }',
    );
    expect(flattenSteps(result.scenarios[0]!.steps)[0]).toMatchObject({
      kind: 'trace',
      status: 'passed',
      message: 'the packet reaches web2 (hv1 → hv2)',
    });
  });

  it('says what it expected and where the packet was dropped', async () => {
    const driver = new TracingFakeDriver();
    driver.onTrace = (req) => dropped(req.to);
    const result = await run(driver, '    - trace: { from: web1, to: web2, expect: { delivered: true }, within: 1s }');
    expect(flattenSteps(result.scenarios[0]!.steps)[0]).toMatchObject({
      status: 'failed',
      message: 'expected it delivered; dropped at hv2 (no-flow): no flow for the destination; path hv1 → hv2',
    });
    const wrongReason = await run(
      driver,
      '    - trace: { from: web1, to: web2, expect: { dropped: true, reason: isolation }, within: 1s }',
    );
    expect(flattenSteps(wrongReason.scenarios[0]!.steps)[0]!.message).toMatch(/^expected the reason isolation, not no-flow; /);
  });

  it('takes a proto and a frame, checks names, and wants delivered or dropped', () => {
    const issues = scenarioIssues(
      labWith(
        '  s:',
        '    - trace: { from: web1, to: nope, proto: tcp:80, expect: { delivered: true, via: [hv9] } }',
        '    - trace: { from: web1, to: web2, frame: broadcast, expect: { delivered: true, dropped: true } }',
        '    - trace: { from: web1, to: web2, proto: sctp, expect: { delivered: true, reason: ttl } }',
      ),
    );
    expect(issues.map((i) => [i.path.slice(3).join('.'), i.message, i.expected])).toEqual([
      ['trace.to', 'unknown name "nope"', expect.stringContaining('a port, host or IPv4 address')],
      ['trace.expect.via.0', 'unknown name "hv9"; did you mean hv1?', expect.stringContaining('a transport node or host')],
      ['trace.expect', expect.stringContaining('invalid value'), 'either delivered: true or dropped: true'],
      ['trace.proto', expect.stringContaining('invalid value'), 'icmp, arp, tcp:PORT or udp:PORT'],
      ['trace.expect', expect.stringContaining('invalid value'), 'a reason goes with dropped: true'],
    ]);
  });
});

describe('a failed check comes with a trace of the failing pair', () => {
  it('ping: the message says where the packet went, and the result keeps the trace', async () => {
    const driver = new TracingFakeDriver();
    driver.onPing = (req) => ({ sent: req.count, received: 0 });
    driver.onTrace = (req) => dropped(req.to);
    const result = await run(driver, '    - ping: { from: web1, to: web2, within: 1s }');
    const step = flattenSteps(result.scenarios[0]!.steps)[0]!;
    expect(step.message).toBe(
      'expected 3 replies from web2 (10.0.1.12); 0 of 3 answered; trace web1 → web2: dropped at hv2 (no-flow): no flow for the destination; path hv1 → hv2',
    );
    expect(step.trace).toEqual(dropped('web2'));
    expect(driver.calls.filter((c) => c.startsWith('trace'))).toEqual(['trace web1 web2']);
  });

  it('flood: traces to the first receiver that got the wrong number of copies; a trace that fails is said', async () => {
    const driver = new TracingFakeDriver();
    driver.onFlood = (req) => ({ copies: Object.fromEntries(req.watch.map((n) => [n, n === 'web2' ? 1 : 0])), fromSource: 1 });
    driver.onTrace = () => {
      throw new Error('hv3 did not answer');
    };
    const result = await run(driver, '    - flood: { from: web1, within: 1s }');
    expect(flattenSteps(result.scenarios[0]!.steps)[0]!.message).toMatch(/web3 got none; no trace of web1 → web3: hv3 did not answer$/);
  });
});
