import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pos } from '../topology/test-helpers.ts';
import type { SpoofRequest } from './driver.ts';
import { flattenSteps } from './results.ts';
import { runScenarios } from './runner.ts';
import { titleOf } from './steps.ts';
import { FakeDriver, labModel, labWith, issueRows, suiteOf } from './test-helpers.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

async function only(driver: FakeDriver, row: string) {
  const running = runScenarios(suiteOf(labWith('  s:', row)), driver);
  await vi.runAllTimersAsync();
  return flattenSteps((await running).scenarios[0]!.steps)[0]!;
}

describe('the spoof step as written', () => {
  it('parses as the spec writes it, with src-ip or src-mac (lower-cased), and the optional keys', () => {
    const steps = suiteOf(
      labWith(
        '  s:',
        '    - spoof: { from: web1, src-ip: 10.0.1.99 }',
        '    - spoof: { from: web1, src-mac: 02:00:00:00:99:AA, to: web3, count: 2, expect: { leaked: 4 }, within: 0s }',
      ),
    ).scenarios[0]!.steps;
    expect(steps.map((s) => [s.kind, s.spec])).toEqual([
      ['spoof', { from: 'web1', 'src-ip': '10.0.1.99' }],
      ['spoof', { from: 'web1', 'src-mac': '02:00:00:00:99:aa', to: 'web3', count: 2, expect: { leaked: 4 }, within: 0 }],
    ]);
    expect(steps.map(titleOf)).toEqual(['spoof from web1 (src-ip 10.0.1.99)', 'spoof from web1 (src-mac 02:00:00:00:99:aa)']);
  });
});

describe('spoof validation, at file:line:column', () => {
  const own = labModel().ports.get('web1')!;
  const src = labWith(
    '  s:',
    '    - spoof: { from: web1 }',
    '    - spoof: { from: web2, src-ip: 10.0.1.98, src-mac: 02:00:00:00:99:01 }',
    '    - spoof: { from: printer, src-ip: 10.0.1.97 }',
    '    - spoof: { from: web3, src-ip: 10.0.1.300 }',
    '    - spoof: { from: web3, src-mac: 01:00:5e:00:00:01 }',
    '    - spoof: { from: web1, src-ip: 10.0.1.11 }',
    `    - spoof: { from: web1, src-mac: "${own.mac!}" }`,
    '    - spoof: { from: web1, src-ip: 10.0.1.96, to: app2 }',
    '    - spoof: { from: web1, src-ip: 10.0.1.95, to: web1 }',
    '    - spoof: { from: web1, src-ip: 10.0.1.94, count: 2, expect: { leaked: 5 } }',
    '    - spoof: { from: web1, src-ip: 10.0.1.93, count: 0, expect: { dropped: 1 } }',
  );
  /** Where `needle` is in the steps, `skip` characters into it. */
  const where = (needle: string, skip = 0) => ((p) => [p.line, p.column + skip])(pos(src, needle));

  it('reports every problem once, where it is, with what was expected', () => {
    expect(issueRows(src)).toEqual([
      [...where('{ from: web1 }'), 'spoof', 'missing key "src-ip" or "src-mac"', 'the forged source: src-ip: ADDRESS or src-mac: MAC'],
      [...where('02:00:00:00:99:01'), 'spoof.src-mac', 'src-ip and src-mac in one step', 'one forged source per step: src-ip or src-mac'],
      [...where('printer, src-ip'), 'spoof.from', '"printer" is a host', 'a port: web1, web2, web3, app1, app2'],
      [...where('10.0.1.300'), 'spoof.src-ip', 'invalid value "10.0.1.300"', 'an IPv4 address like 10.0.1.11'],
      [...where('01:00:5e'), 'spoof.src-mac', 'invalid value "01:00:5e:00:00:01"', 'a unicast MAC address like 02:00:00:00:01:13'],
      [...where('src-ip: 10.0.1.11', 8), 'spoof.src-ip', "10.0.1.11 is web1's own address", "an address that is not web1's"],
      [...where(`"${own.mac!}"`), 'spoof.src-mac', `${own.mac!} is web1's own MAC`, "a MAC that is not web1's"],
      [...where('app2 }'), 'spoof.to', '"app2" is on switch app, not web', "a port of web1's switch web"],
      [...where('to: web1 }', 4), 'spoof.to', '"web1" is the sender itself', 'another port of switch web'],
      [...where('5 } }'), 'spoof.expect.leaked', '5 is more than the 4 spoofed frames sent', 'a number from 0 to 4'],
      [...where('0, expect'), 'spoof.count', 'invalid value 0', 'a number of frames from 1 to 50'],
      [...where('{ dropped'), 'spoof.expect.leaked', 'missing key "leaked"', 'a number of frames, 0 or more'],
      [...where('dropped'), 'spoof.expect.dropped', 'unknown key "dropped"', 'one of leaked'],
    ]);
  });
});

describe('running spoof', () => {
  it('sends from the port to a port of its switch on another node, watching the other ports of the switch', async () => {
    const driver = new FakeDriver();
    const seen: SpoofRequest[] = [];
    driver.onSpoof = (req) => (seen.push(req), { sent: 10, leaked: 0, underlay: 0, ports: {}, control: { sent: 10, passed: 10 } });
    const step = await only(driver, '    - spoof: { from: web1, src-ip: 10.0.1.99 }');
    expect(seen).toEqual([{ from: 'web1', srcIp: '10.0.1.99', to: 'web2', count: 5, watch: ['web2', 'web3'] }]);
    expect(step).toMatchObject({
      status: 'passed',
      message: '0 of 10 spoofed frames (src-ip 10.0.1.99) got past web1; 10 of 10 legitimate ones did',
    });
  });

  it('fails with the count of frames that got out, and where; retried until the budget runs out', async () => {
    const driver = new FakeDriver();
    driver.onSpoof = () => ({ sent: 10, leaked: 10, underlay: 15, ports: { web2: 10, web3: 5 }, control: { sent: 10, passed: 10 } });
    const step = await only(driver, '    - spoof: { from: web1, src-mac: 02:00:00:00:99:99, within: 1s }');
    expect(step.status).toBe('failed');
    expect(step.attempts).toBeGreaterThan(1);
    expect(step.message).toBe(
      "expected no spoofed frame past web1; 10 of 10 spoofed frames (src-mac 02:00:00:00:99:99) got past web1: 15 copies on hv1's underlay, web2 got 10, web3 got 5; 10 of 10 legitimate ones did",
    );
    expect(step.observed).toMatchObject({ leaked: 10, underlay: 15 });
  });

  it('passes a leak the step expects, and fails one it does not', async () => {
    const driver = new FakeDriver();
    driver.onSpoof = () => ({ sent: 4, leaked: 4, underlay: 4, ports: { web2: 4 }, control: { sent: 4, passed: 4 } });
    expect(await only(driver, '    - spoof: { from: web1, src-ip: 10.0.1.99, count: 2, expect: { leaked: 4 } }')).toMatchObject({
      status: 'passed',
    });
    const fewer = await only(driver, '    - spoof: { from: web1, src-ip: 10.0.1.99, count: 2, expect: { leaked: 1 }, within: 0s }');
    expect(fewer.message).toMatch(/^expected 1 spoofed frame past web1; 4 of 4 spoofed frames/);
  });

  it('fails when not even the legitimate frames were seen: the count proves nothing', async () => {
    const driver = new FakeDriver();
    driver.onSpoof = () => ({ sent: 10, leaked: 0, underlay: 0, ports: {}, control: { sent: 10, passed: 0 } });
    const step = await only(driver, '    - spoof: { from: web1, src-ip: 10.0.1.99, within: 0s }');
    expect(step).toMatchObject({
      status: 'failed',
      message:
        '0 of 10 spoofed frames (src-ip 10.0.1.99) got past web1; none of 10 legitimate frames was seen either, so the count proves nothing',
    });
  });

  it('a switch whose other ports all share the sender node: they are the target and the watch', async () => {
    const driver = new FakeDriver();
    const seen: SpoofRequest[] = [];
    driver.onSpoof = (req) => (seen.push(req), { sent: 2, leaked: 0, underlay: 0, ports: {}, control: { sent: 2, passed: 2 } });
    await only(driver, '    - spoof: { from: app2, src-ip: 10.0.1.99, count: 1, to: app1 }');
    await only(driver, '    - spoof: { from: app2, src-ip: 10.0.1.99, count: 1 }');
    expect(seen.map((r) => [r.to, r.watch])).toEqual([
      ['app1', ['app1']],
      ['app1', ['app1']],
    ]);
  });
});
