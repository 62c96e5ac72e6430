import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pos } from '../topology/test-helpers.ts';
import type { ConnectRequest, ConnectResult } from './driver.ts';
import { flattenSteps, type RunResult } from './results.ts';
import { runScenarios } from './runner.ts';
import { budgetOf, titleOf } from './steps.ts';
import { FakeDriver, TracingFakeDriver, labModel, labWith, issueRows, suiteOf } from './test-helpers.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

async function run(driver: FakeDriver, ...rows: string[]): Promise<RunResult> {
  const running = runScenarios(suiteOf(labWith('  s:', ...rows)), driver);
  await vi.runAllTimersAsync();
  return running;
}

const only = async (driver: FakeDriver, row: string) => flattenSteps((await run(driver, row)).scenarios[0]!.steps)[0]!;

describe('the connect step as written', () => {
  const src = labWith(
    '  s:',
    '    - connect: { from: web1, to: web2, proto: tcp, port: 5432, expect: open }',
    '    - connect: { from: printer, to: web3, proto: udp, port: 53, expect: refused, listen: false, timeout: 2s, within: 3s }',
    '    - connect: { from: web1, to: www, port: 80 }',
  );
  const steps = suiteOf(src).scenarios[0]!.steps;

  it('parses as the spec writes it, with tcp and open the defaults, and a 10s budget', () => {
    expect(steps.map((s) => s.kind)).toEqual(['connect', 'connect', 'connect']);
    expect(steps[0]!.spec).toEqual({ from: 'web1', to: 'web2', proto: 'tcp', port: 5432, expect: 'open' });
    expect(steps[1]!.spec).toMatchObject({ listen: false, timeout: 2000, within: 3000 });
    expect(steps.map(titleOf)).toEqual([
      'connect web1 → web2 tcp/5432 (expect open)',
      'connect printer → web3 udp/53 (expect refused)',
      'connect web1 → www tcp/80 (expect open)',
    ]);
    expect(steps.map(budgetOf)).toEqual([10_000, 3000, 10_000]);
    expect(steps[1]!.at).toEqual({ file: 'lab.yaml', ...pos(src, 'connect: { from: printer') });
  });
});

describe('connect validation, at file:line:column', () => {
  const src = labWith(
    '  s:',
    '    - connect: { from: web9, to: hv1, port: 80 }',
    '    - connect: { from: web1, to: web2, proto: sctp, port: 70000, expect: closed }',
    '    - connect: { from: web1, to: web1, port: 22 }',
    '    - connect: { from: web1, to: 10.0.1.12, port: 80 }',
    '    - connect: { from: web1, to: web2, port: 81, listen: false }',
    '    - connect: { from: web1, to: web2, port: 82, listen: false, expect: open }',
    '    - connect: { from: web1, to: web2, port: 83, timeout: 5s }',
    '    - connect: { from: web1, to: web3 }',
  );
  /** Where `needle` is in the steps, `skip` characters into it. */
  const where = (needle: string, skip = 0) => ((p) => [p.line, p.column + skip])(pos(src, needle));

  it('reports every problem once, where it is, with what was expected', () => {
    expect(issueRows(src)).toEqual([
      [...where('web9'), 'connect.from', 'unknown name "web9"; did you mean web1?', expect.stringMatching(/^a port or host: web1, /)],
      [...where('hv1, port'), 'connect.to', '"hv1" is a hypervisor (a transport node)', expect.stringMatching(/^a port or host: /)],
      [...where('sctp'), 'connect.proto', 'invalid value "sctp"', 'tcp or udp'],
      [...where('70000'), 'connect.port', 'invalid value 70000', 'a port from 1 to 65535'],
      [...where('closed'), 'connect.expect', 'invalid value "closed"', 'open, refused, filtered'],
      [...where('to: web1', 4), 'connect.to', '"web1" is the sender itself', 'another port or host'],
      [...where('10.0.1.12, port'), 'connect.to', '"10.0.1.12" is an address, not a name', expect.stringMatching(/^a port or host: /)],
      [
        ...where('{ from: web1, to: web2, port: 81'),
        'connect.expect',
        'missing key "expect": with listen: false nothing can accept',
        'expect: refused or filtered',
      ],
      [...where('open }'), 'connect.expect', 'open cannot happen with listen: false: nothing listens on the target', 'refused or filtered'],
      [...where('5s }'), 'connect.timeout', 'invalid value 5s', 'a duration from 100ms to 2.5s'],
      [...where('{ from: web1, to: web3 }'), 'connect.port', 'missing key "port"', 'a port from 1 to 65535'],
    ]);
  });
});

describe('running connect', () => {
  it('asks the driver for one attempt to the address of the target, with its MAC, a listener and a 1 s bound', async () => {
    const driver = new FakeDriver();
    const seen: ConnectRequest[] = [];
    driver.onConnect = (req) => (seen.push(req), { outcome: 'open', seen: 'connected', ms: 3, listenerGot: 1 });
    const step = await only(driver, '    - connect: { from: web1, to: web2, proto: tcp, port: 80 }');
    expect(seen).toEqual([
      {
        from: 'web1',
        to: 'web2',
        ip: '10.0.1.12',
        mac: labModel().ports.get('web2')!.mac,
        proto: 'tcp',
        port: 80,
        listen: true,
        timeoutMs: 1000,
      },
    ]);
    expect(step).toMatchObject({ status: 'passed', attempts: 1, message: 'tcp web2 (10.0.1.12:80) from web1: open (connected) in 3 ms' });
  });

  it('refused and filtered, each as expected; a host target is connected to at its address', async () => {
    const driver = new FakeDriver();
    driver.onConnect = (req): ConnectResult =>
      req.listen ? { outcome: 'filtered', seen: 'no answer', ms: 1001, listenerGot: 0 } : { outcome: 'refused', seen: 'RST', ms: 2 };
    const refused = await only(driver, '    - connect: { from: web1, to: web3, port: 22, listen: false, expect: refused }');
    expect(refused).toMatchObject({ status: 'passed', message: 'tcp web3 (10.0.1.13:22) from web1: refused (RST) in 2 ms' });
    const filtered = await only(driver, '    - connect: { from: web1, to: printer, proto: udp, port: 161, expect: filtered }');
    expect(filtered).toMatchObject({
      status: 'passed',
      message: 'udp printer (192.168.10.50:161) from web1: filtered (no answer) within 1001 ms; the listener got nothing',
    });
  });

  it('fails with what it saw and what it expected, retried until the budget runs out, and traces the connection', async () => {
    const driver = new TracingFakeDriver();
    driver.onConnect = () => ({ outcome: 'refused', seen: 'ICMP port unreachable', ms: 4, listenerGot: 1 });
    const step = await only(driver, '    - connect: { from: web1, to: web2, proto: udp, port: 53, within: 2s }');
    expect(step.status).toBe('failed');
    expect(step.attempts).toBeGreaterThan(1);
    expect(step.message).toMatch(
      /^udp web2 \(10\.0\.1\.12:53\) from web1: refused \(ICMP port unreachable\) in 4 ms; the listener got 1, its answer did not come back; expected open; trace web1 → web2: /,
    );
    expect(driver.calls).toContain('trace web1 web2');
  });

  it('an answer from another MAC (a tenant reusing the address) is not the target: it fails whatever the outcome', async () => {
    const driver = new FakeDriver();
    driver.onConnect = () => ({ outcome: 'open', seen: 'connected', ms: 1, otherMac: '02:00:00:00:09:99' });
    const step = await only(driver, '    - connect: { from: app1, to: web2, port: 80, within: 0s }');
    expect(step.status).toBe('failed');
    expect(step.message).toBe(
      `tcp web2 (10.0.1.12:80) from app1: open (connected) in 1 ms; answered by 02:00:00:00:09:99, not web2 (${labModel().ports.get('web2')!.mac}); expected open`,
    );
  });
});
