import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Reporter } from './reporter.ts';
import { exitCodeOf, flattenSteps, type RunResult } from './results.ts';
import { runScenarios, type RunOptions } from './runner.ts';
import type { ScenarioSuite } from './suite.ts';
import { FakeDriver, labWith, suiteOf } from './test-helpers.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

async function run(suite: ScenarioSuite, driver: FakeDriver, options: RunOptions = {}): Promise<RunResult> {
  const running = runScenarios(suite, driver, options);
  await vi.runAllTimersAsync();
  return running;
}

const scenarios = (...rows: string[]) => suiteOf(labWith(...rows));

describe('runScenarios', () => {
  it('runs every step in order; all passed is exit code 0', async () => {
    const driver = new FakeDriver();
    const result = await run(
      scenarios(
        '  smoke:',
        '    - expect: tunnels-up',
        '    - ping: { from: web1, to: web2 }',
        '    - kill: ctrl2',
        '  more:',
        '    - sleep: 2s',
      ),
      driver,
    );
    expect(exitCodeOf(result)).toBe(0);
    expect(result).toMatchObject({ lab: 'lab', file: 'lab.yaml', status: 'passed' });
    expect(result.scenarios.map((s) => [s.name, s.status])).toEqual([
      ['smoke', 'passed'],
      ['more', 'passed'],
    ]);
    const [tunnels, ping, kill] = result.scenarios[0]!.steps;
    expect(tunnels).toMatchObject({
      id: '1',
      kind: 'expect-tunnels-up',
      title: 'tunnels up',
      status: 'passed',
      attempts: 1,
      budgetMs: 30_000,
      convergenceMs: 100,
      durationMs: 100,
    });
    expect(tunnels!.message).toBe('42 tunnels on 7 transport nodes');
    expect(ping).toMatchObject({ id: '2', title: 'ping web1 → web2', status: 'passed', message: '3 of 3 answered' });
    expect(kill).toMatchObject({ id: '3', kind: 'kill', title: 'kill ctrl2', status: 'passed', durationMs: 100 });
    expect(kill).not.toHaveProperty('convergenceMs');
    expect(result.scenarios[1]!.steps[0]).toMatchObject({ title: 'sleep 2s', durationMs: 2000 });
    expect(driver.calls).toEqual(['tunnels hv1,hv2,hv3,sn1,gw1,gw2,gw3', 'ping web1 web2 10.0.1.12', 'kill ctrl2']);
    expect(result.durationMs).toBe(2300);
  });

  it('retries a check until it passes and reports how long that took', async () => {
    const driver = new FakeDriver();
    const killedAt = 1000;
    driver.onMaster = () => (Date.now() - start < killedAt + 3000 ? 'ctrl1' : 'ctrl2');
    const start = Date.now();
    const result = await run(scenarios('  failover:', '    - sleep: 1s', '    - expect: { master: { of: hv1, is-not: ctrl1 } }'), driver);
    const check = result.scenarios[0]!.steps[1]!;
    // Attempts of 100ms, 500ms apart (15 s / 30): 0-100, 600-700, … the first one to end after 3 s passes.
    expect(check).toMatchObject({ status: 'passed', message: 'ctrl2', observed: 'ctrl2', budgetMs: 15_000 });
    expect(check.attempts).toBe(6);
    expect(check.convergenceMs).toBe(3100);
  });

  it('fails a check when its budget runs out, with what was expected and what was seen', async () => {
    const driver = new FakeDriver();
    driver.onFlood = () => ({ copies: { web2: 1, web3: 2 }, fromSource: 1 });
    const result = await run(scenarios('  flood:', '    - flood: { from: web1, receivers: [web2, web3], within: 2s }'), driver);
    const step = result.scenarios[0]!.steps[0]!;
    expect(step).toMatchObject({ status: 'failed', message: 'expected receivers web2, web3; web3 got 2 copies', budgetMs: 2000 });
    expect(step).not.toHaveProperty('convergenceMs');
    // 100ms attempts, 100ms pauses, the last one on the deadline.
    expect(step.attempts).toBe(11);
    expect(step.durationMs).toBe(2100);
    expect(exitCodeOf(result)).toBe(1);
  });

  it('tries a check with within: 0s once', async () => {
    const driver = new FakeDriver();
    driver.onPing = (req) => ({ sent: req.count, received: 0 });
    const result = await run(scenarios('  s:', '    - ping: { from: web1, to: web2, within: 0s }'), driver);
    expect(result.scenarios[0]!.steps[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      message: 'expected 3 replies from web2 (10.0.1.12); 0 of 3 answered',
    });
  });

  it('counts a throwing attempt as failed and keeps trying', async () => {
    const driver = new FakeDriver();
    let calls = 0;
    driver.onGateway = () => {
      if (++calls < 3) throw new Error('gw2 is not up yet');
      return 'gw3';
    };
    const result = await run(
      scenarios(
        '  s:',
        '    - expect: { active-gateway: { router: edge, is: gw3 } }',
        '    - expect: { active-gateway: { router: edge, is-not: gw3, within: 1s } }',
      ),
      driver,
    );
    expect(result.scenarios[0]!.steps[0]).toMatchObject({ status: 'passed', attempts: 3 });
    expect(result.scenarios[0]!.steps[1]).toMatchObject({
      status: 'failed',
      message: 'expected an active gateway of edge other than gw3; gw3 is',
    });
  });

  it('gives up on an attempt that never answers', async () => {
    const driver = new FakeDriver();
    driver.exec = () => new Promise(() => undefined);
    const result = await run(scenarios('  s:', '    - exec: { on: hv1, cmd: "true", within: 2s }'), driver);
    expect(result.scenarios[0]!.steps[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      durationMs: 12_000,
      message: 'the lab did not answer within 12s',
    });
  });

  it('skips the rest of a failed scenario, collects its artifacts, and runs the next one', async () => {
    const driver = new FakeDriver();
    driver.onPing = (req) => ({ sent: req.count, received: req.to === 'app2' ? 1 : 0, note: 'reply from app2' });
    const result = await run(
      scenarios(
        '  isolation:',
        '    - ping: { from: web1, to: app2, expect: fail, within: 1s }',
        '    - kill: ctrl1',
        '    - traffic: { from: web1, to: web2, during: [ { sleep: 1s } ] }',
        '  next:',
        '    - reach: all',
      ),
      driver,
    );
    const [failed, kill, traffic] = result.scenarios[0]!.steps;
    expect(failed).toMatchObject({
      status: 'failed',
      message: 'expected no reply from app2 (10.0.1.12); 1 of 3 answered (reply from app2)',
    });
    expect(kill).toMatchObject({ id: '2', status: 'skipped', durationMs: 0 });
    expect(traffic).toMatchObject({ id: '3', status: 'skipped', steps: [{ id: '3.1', title: 'sleep 1s', status: 'skipped' }] });
    expect(driver.calls).not.toContain('kill ctrl1');
    expect(result.scenarios[0]!.artifacts).toEqual({
      dir: 'nvlab-artifacts/lab/isolation',
      files: ['nvlab-artifacts/lab/isolation/hv1/flows.txt'],
    });
    expect(driver.artifacts[0]).toMatchObject({
      scenario: 'isolation',
      dir: 'nvlab-artifacts/lab/isolation',
      failed: { id: '1', kind: 'ping' },
    });
    expect(result.scenarios[1]).toMatchObject({ name: 'next', status: 'failed' });
    expect(result.status).toBe('failed');
    expect(exitCodeOf(result)).toBe(1);
  });

  it('keeps the scenario result when collecting artifacts fails, and collects none when told not to', async () => {
    const driver = new FakeDriver();
    driver.onAction = () => {
      throw new Error('no such container nvlab-lab-ctrl2');
    };
    driver.onArtifacts = () => {
      throw new Error('disk full');
    };
    const suite = scenarios('  s:', '    - kill: ctrl2');
    const result = await run(suite, driver, { artifactsDir: 'out' });
    expect(result.scenarios[0]!.steps[0]).toMatchObject({ status: 'failed', message: 'no such container nvlab-lab-ctrl2' });
    expect(result.scenarios[0]!.artifacts).toEqual({ dir: 'out/lab/s', files: [], error: 'disk full' });
    const quiet = new FakeDriver();
    quiet.onAction = driver.onAction;
    expect((await run(suite, quiet, { artifactsDir: false })).scenarios[0]).not.toHaveProperty('artifacts');
    expect(quiet.artifacts).toEqual([]);
  });

  it('resolves master-of:NODE when the action runs', async () => {
    const driver = new FakeDriver();
    driver.onMaster = (node) => (node === 'hv1' ? 'ctrl3' : undefined);
    const result = await run(scenarios('  s:', '    - kill: master-of:hv1', '    - stop: master-of:hv2'), driver);
    expect(driver.calls.slice(0, 3)).toEqual(['masterOf hv1', 'kill ctrl3', 'masterOf hv2']);
    expect(result.scenarios[0]!.steps.map((s) => [s.status, s.message])).toEqual([
      ['passed', 'ctrl3 (master of hv1)'],
      ['failed', 'expected a master of hv2 to stop; there is none'],
    ]);
  });

  it('moves the lab model forward with the actions that passed, across scenarios', async () => {
    const driver = new FakeDriver();
    driver.onFlood = (req) => ({
      copies: Object.fromEntries(req.watch.filter((n) => n.startsWith('app')).map((n) => [n, 1])),
      fromSource: 2,
    });
    const result = await run(
      scenarios(
        '  grow:',
        '    - add-node: { name: hv4, role: hypervisor }',
        '    - add-port: { switch: app, name: app3, on: hv4, ip: 10.0.1.13 }',
        '    - flood: { from: app3 }',
        '  check:',
        '    - expect: tunnels-up',
      ),
      driver,
    );
    expect(result.status).toBe('passed');
    // The flood's default audience comes from the lab as changed: app3's switch mates, and the others.
    expect(result.scenarios[0]!.steps[2]!.message).toBe('2 receivers got one copy each, 3 others none; 2 copies from the source');
    expect(driver.calls).toContain('flood app3 broadcast');
    expect(driver.calls.at(-1)).toBe('tunnels hv1,hv2,hv3,sn1,gw1,gw2,gw3,hv4');
  });
});

describe('traffic', () => {
  const trafficScenario = (...during: string[]) =>
    scenarios(
      '  failover:',
      '    - traffic:',
      '        from: web1',
      '        to: web2',
      '        interval: 10ms',
      '        during:',
      ...during.map((d) => `          - ${d}`),
      '    - reach: all',
    );

  it('nests its steps and counts the packets around them', async () => {
    const driver = new FakeDriver();
    const result = await run(trafficScenario('kill: master-of:hv1', 'expect: { master: { of: hv1, is: ctrl1 } }', 'sleep: 1s'), driver);
    const traffic = result.scenarios[0]!.steps[0]!;
    expect(traffic).toMatchObject({
      id: '1',
      kind: 'traffic',
      title: 'traffic web1 → web2 every 10ms',
      status: 'passed',
      message: 'lost 0 of 150 packets',
    });
    expect(traffic.traffic).toEqual({ sent: 150, received: 150, lost: 0 });
    expect(traffic.steps!.map((s) => [s.id, s.title, s.status])).toEqual([
      ['1.1', 'kill master-of:hv1', 'passed'],
      ['1.2', 'master of hv1 is ctrl1', 'passed'],
      ['1.3', 'sleep 1s', 'passed'],
    ]);
    expect(driver.calls.slice(0, 2)).toEqual(['startTraffic web1 web2 10', 'masterOf hv1']);
    expect(driver.calls).toContain('stopTraffic web1 web2');
  });

  it('fails when more packets were lost than max-loss allows', async () => {
    const driver = new FakeDriver();
    driver.onTraffic = () => ({ sent: 1200, received: 1163, lost: 37, outages: [{ firstSeq: 310, lost: 37, ms: 370 }] });
    const result = await run(trafficScenario('sleep: 12s'), driver);
    expect(result.scenarios[0]!.steps[0]).toMatchObject({
      status: 'failed',
      message: 'expected at most 0 packets lost; lost 37 of 1200 packets in 1 outage of 370ms',
    });
    expect(result.scenarios[0]!.steps[1]).toMatchObject({ status: 'skipped' });
  });

  it('accepts a loss given in percent', async () => {
    const driver = new FakeDriver();
    driver.onTraffic = () => ({ sent: 1000, received: 995, lost: 5 });
    const suite = scenarios('  s:', '    - traffic: { from: web1, to: 10.0.1.13, max-loss: 0.5%, during: [ { sleep: 10s } ] }');
    expect((await run(suite, driver)).scenarios[0]!.steps[0]).toMatchObject({ status: 'passed', message: 'lost 5 of 1000 packets' });
    driver.onTraffic = () => ({ sent: 1000, received: 994, lost: 6 });
    expect((await run(suite, driver)).scenarios[0]!.steps[0]).toMatchObject({
      status: 'failed',
      message: 'expected at most 0.5% lost; lost 6 of 1000 packets',
    });
  });

  it('stops its traffic when a nested step fails, skips the rest, and names the step in its message', async () => {
    const driver = new FakeDriver();
    driver.onMaster = () => 'ctrl1';
    const result = await run(trafficScenario('expect: { master: { of: hv1, is-not: ctrl1, within: 1s } }', 'sleep: 1s'), driver);
    const traffic = result.scenarios[0]!.steps[0]!;
    expect(traffic).toMatchObject({ status: 'failed', message: 'step 1.1 failed; lost 0 of 130 packets' });
    expect(traffic.steps!.map((s) => s.status)).toEqual(['failed', 'skipped']);
    expect(traffic.steps![0]!.message).toBe('expected a master of hv1 other than ctrl1; ctrl1 is');
    expect(result.scenarios[0]!.steps[1]).toMatchObject({ status: 'skipped' });
    expect(driver.calls.filter((c) => c.startsWith('stopTraffic'))).toHaveLength(1);
    expect(driver.artifacts[0]!.failed).toMatchObject({ id: '1.1', kind: 'expect-master' });
  });
});

describe('reporter hooks', () => {
  it('are called in run order, skipped steps without a start', async () => {
    const events: string[] = [];
    const reporter: Reporter = {
      onRunStart: (info) => void events.push(`run ${info.lab} ${info.scenarios.map((s) => `${s.name}:${s.steps}`).join(',')}`),
      onScenarioStart: (s) => void events.push(`scenario ${s.name}`),
      onStepStart: (s) => void events.push(`start ${s.id} ${s.title}`),
      onStepEnd: (r, s) => void events.push(`end ${s.id} ${r.status} depth ${s.depth}`),
      onScenarioEnd: (r) => void events.push(`scenario end ${r.name} ${r.status}`),
      onRunEnd: async (r) => {
        await Promise.resolve();
        events.push(`run end ${r.status}`);
      },
    };
    const driver = new FakeDriver();
    driver.onAction = (what) => {
      if (what === 'kill ctrl1') throw new Error('boom');
    };
    await run(
      scenarios('  s:', '    - traffic: { from: web1, to: web2, during: [ { kill: ctrl1 }, { kill: ctrl2 } ] }', '    - sleep: 1s'),
      driver,
      { reporters: [reporter] },
    );
    expect(events).toEqual([
      'run lab s:2',
      'scenario s',
      'start 1 traffic web1 → web2 every 10ms',
      'start 1.1 kill ctrl1',
      'end 1.1 failed depth 1',
      'end 1.2 skipped depth 1',
      'end 1 failed depth 0',
      'end 2 skipped depth 0',
      'scenario end s failed',
      'run end failed',
    ]);
  });
});

describe('interrupting a run', () => {
  it('skips what has not run and marks the run interrupted', async () => {
    const driver = new FakeDriver();
    const abort = new AbortController();
    driver.onAction = () => abort.abort();
    const result = await run(scenarios('  a:', '    - kill: ctrl1', '    - sleep: 1s', '  b:', '    - sleep: 1s'), driver, {
      signal: abort.signal,
    });
    expect(result.interrupted).toBe(true);
    expect(flattenSteps(result.scenarios[0]!.steps).map((s) => [s.status, s.message])).toEqual([
      ['passed', undefined],
      ['skipped', 'interrupted'],
    ]);
    expect(result.scenarios.map((s) => s.status)).toEqual(['skipped', 'skipped']);
    expect(driver.artifacts).toEqual([]);
    expect(exitCodeOf(result)).toBe(1);
  });
});

describe('edge cases', () => {
  it('reports the nested steps of traffic that could not start as not run', async () => {
    const driver = new FakeDriver();
    driver.startTraffic = () => Promise.reject(new Error('web1 has no namespace'));
    const result = await run(scenarios('  s:', '    - traffic: { from: web1, to: web2, during: [ { kill: ctrl1 } ] }'), driver);
    expect(result.scenarios[0]!.steps[0]).toMatchObject({
      status: 'failed',
      message: 'web1 has no namespace',
      steps: [{ id: '1.1', status: 'skipped', message: 'the traffic did not start' }],
    });
    expect(driver.calls).not.toContain('kill ctrl1');
  });

  it('does not pass an isolation ping that sent nothing', async () => {
    const driver = new FakeDriver();
    driver.onPing = () => ({ sent: 0, received: 0 });
    const result = await run(scenarios('  s:', '    - ping: { from: web1, to: app2, expect: fail, within: 0s }'), driver);
    expect(result.scenarios[0]!.steps[0]).toMatchObject({
      status: 'failed',
      message: 'expected no reply from app2 (10.0.1.12); 0 of 0 answered',
    });
  });

  it('reports a check cut short by an interruption as not finished', async () => {
    const driver = new FakeDriver();
    const abort = new AbortController();
    driver.onMaster = () => {
      abort.abort();
      return 'ctrl1';
    };
    const result = await run(scenarios('  s:', '    - expect: { master: { of: hv1, is: ctrl2 } }', '    - sleep: 1s'), driver, {
      signal: abort.signal,
    });
    expect(result.scenarios[0]!.steps.map((s) => [s.status, s.message])).toEqual([
      ['skipped', 'interrupted; last seen: expected ctrl2 as master of hv1; ctrl1 is'],
      ['skipped', 'interrupted'],
    ]);
    expect(result).toMatchObject({ status: 'failed', interrupted: true });
  });
});
