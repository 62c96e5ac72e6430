import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidStepsError, StepFailedError, createSession, parseSteps, runSteps } from './api.ts';
import type { StepInput } from './steps.ts';
import { FakeDriver, labPlan } from './test-helpers.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

async function settle<T>(promise: Promise<T>): Promise<T> {
  const caught = promise.catch((error: unknown) => ({ error }));
  await vi.runAllTimersAsync();
  const out = await caught;
  if (out && typeof out === 'object' && 'error' in out) throw out.error;
  return out as T;
}

/** The message of the one step in `input`, run once against `driver` (within: 0s). */
async function messageOf(driver: FakeDriver, input: StepInput): Promise<[string, string | undefined]> {
  const [result] = await settle(runSteps(driver, labPlan(), input));
  return [result!.status, result!.message];
}

describe('parseSteps', () => {
  it('accepts the steps as objects, typed like the YAML', () => {
    const steps = parseSteps(
      [
        { expect: 'tunnels-up', within: '1m' },
        { ping: { from: 'web1', to: 'web2', count: 5 } },
        { traffic: { from: 'web1', to: 'web2', interval: '20ms', during: [{ kill: 'master-of:hv1' }] } },
      ],
      labPlan(),
    );
    expect(steps.map((s) => [s.kind, s.within])).toEqual([
      ['expect-tunnels-up', 60_000],
      ['ping', undefined],
      ['traffic', undefined],
    ]);
  });

  it('reports every problem with its path', () => {
    const bad = [{ ping: { from: 'web1', to: 'nope' } }, { sleep: 'soon' }, { kill: 'master-of:zz' }] as StepInput[];
    let caught: unknown;
    try {
      parseSteps(bad, labPlan());
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidStepsError);
    const error = caught as InvalidStepsError;
    expect(error.code).toBe('INVALID_STEPS');
    expect(error.exitCode).toBe(2);
    expect(error.issues.map((i) => i.path)).toEqual([
      ['steps', 0, 'ping', 'to'],
      ['steps', 1, 'sleep'],
      ['steps', 2, 'kill'],
    ]);
    expect(error.message.split('\n')[0]).toBe('3 problems in the steps');
    expect(error.message).toContain('steps[1].sleep: invalid value "soon" (expected a duration like 500ms, 5s or 2m)');
    expect(() => parseSteps({ pong: {} } as unknown as StepInput, labPlan())).toThrow('step.pong: unknown step "pong"; did you mean ping?');
  });
});

describe('a session', () => {
  it('runs one step or a list, and remembers the changes its steps made', async () => {
    const driver = new FakeDriver();
    const lab = createSession(driver, labPlan());
    await settle(lab.assert({ 'add-port': { switch: 'web', name: 'web4', on: 'hv3', ip: '10.0.1.14' } }));
    expect(lab.model.ports.get('web4')).toEqual({ name: 'web4', switch: 'web', node: 'hv3', ip: '10.0.1.14' });
    const results = await settle(lab.assert([{ ping: { from: 'web4', to: 'web1' } }, { 'remove-port': 'web4' }]));
    expect(results.map((r) => [r.id, r.title, r.status])).toEqual([
      ['1', 'ping web4 → web1', 'passed'],
      ['2', 'remove port web4', 'passed'],
    ]);
    expect(() => lab.parse({ ping: { from: 'web4', to: 'web1' } })).toThrow('step.ping.from: unknown name "web4"');
  });

  it('assert throws a StepFailedError that says what was expected and seen', async () => {
    const driver = new FakeDriver();
    driver.onFlood = () => ({ copies: { web2: 1, web3: 2 }, fromSource: 1 });
    const lab = createSession(driver, labPlan());
    const failing = lab.assert({ flood: { from: 'web1', receivers: ['web2', 'web3'], within: '1s' } });
    await expect(settle(failing)).rejects.toThrow(StepFailedError);
    await expect(settle(lab.assert({ flood: { from: 'web1', receivers: ['web2', 'web3'], within: '0s' } }))).rejects.toThrow(
      'step 1 flood broadcast from web1 failed: expected receivers web2, web3; web3 got 2 copies',
    );
  });

  it('saves artifacts only when given a folder', async () => {
    const driver = new FakeDriver();
    driver.onAction = () => {
      throw new Error('boom');
    };
    await settle(createSession(driver, labPlan()).run({ kill: 'ctrl1' }));
    expect(driver.artifacts).toEqual([]);
    await settle(createSession(driver, labPlan(), { artifactsDir: 'arts', name: 'failover' }).run({ kill: 'ctrl1' }));
    expect(driver.artifacts.map((a) => a.dir)).toEqual(['arts/lab/failover']);
  });
});

describe('what checks say when they fail', () => {
  it('tunnels-up: missing, down and extra tunnels per node, and nodes it cannot read', async () => {
    const driver = new FakeDriver();
    const healthy = driver.onTunnels;
    driver.onTunnels = (nodes) =>
      healthy(nodes).map((n) => {
        if (n.node === 'hv1') return { ...n, tunnels: n.tunnels.filter((t) => t.remote !== 'hv3') };
        if (n.node === 'hv2')
          return {
            ...n,
            tunnels: [...n.tunnels.map((t) => ({ ...t, up: t.remote !== 'sn1' })), { remote: 'gw2', encap: 'vxlan' as const, up: true }],
          };
        if (n.node === 'gw3') return { ...n, error: 'container stopped' };
        return n;
      });
    expect(await messageOf(driver, { expect: 'tunnels-up', within: '0s' })).toEqual([
      'failed',
      'expected exactly 42 tunnels on 7 transport nodes, all up; hv1: missing hv3 (geneve); hv2: down sn1 (geneve); hv2: extra gw2 (vxlan); gw3: cannot read its tunnels (container stopped)',
    ]);
  });

  it('tunnels on one node: the exact set and its encap', async () => {
    const driver = new FakeDriver();
    driver.onTunnels = () => [
      {
        node: 'hv1',
        tunnels: [
          { remote: 'hv2', encap: 'vxlan', up: true },
          { remote: 'hv3', encap: 'geneve', up: false },
        ],
      },
    ];
    expect(await messageOf(driver, { expect: { tunnels: { on: 'hv1', to: ['hv2', 'sn1'], encap: 'geneve', within: '0s' } } })).toEqual([
      'failed',
      'expected hv1 to have tunnels to hv2 and sn1, all geneve, all up; missing sn1; extra hv3; hv2 is vxlan',
    ]);
  });

  it('reach all: the pairs that misbehaved', async () => {
    const driver = new FakeDriver();
    driver.onPing = (req) => ({ sent: 1, received: req.from === 'web2' || req.to === 'web3' ? 1 : 0 });
    expect(await messageOf(driver, { reach: 'all', within: '0s' })).toEqual([
      'failed',
      'expected 4 pairs reaching, 2 pairs isolated; web1 → web2 no reply; app1 → app2 no reply; app1 → web3 replied (should be isolated); app2 → web3 replied (should be isolated)',
    ]);
    driver.onPing = (req) => ({ sent: 1, received: req.from.startsWith(req.to.slice(0, 3)) ? 1 : 0 });
    expect(await messageOf(driver, { reach: 'all' })).toEqual([
      'passed',
      "4 pairs reaching, 2 pairs isolated; 10 pairs not checked (the sender's switch uses the same address)",
    ]);
  });

  it('reach all pings again only the pairs that have not behaved yet', async () => {
    const driver = new FakeDriver();
    let round = 0;
    driver.onPing = (req) => ({
      sent: 1,
      received: req.to === 'web3' && req.from === 'web1' && round++ === 0 ? 0 : req.from.startsWith(req.to.slice(0, 3)) ? 1 : 0,
    });
    const [result] = await settle(runSteps(driver, labPlan(), { reach: 'all' }));
    expect(result).toMatchObject({ status: 'passed', attempts: 2 });
    expect(driver.calls.filter((c) => c.startsWith('ping'))).toHaveLength(7);
  });

  it('flood: copies per name and on the underlay', async () => {
    const driver = new FakeDriver();
    driver.onFlood = () => ({ copies: { web2: 1, app1: 1 }, fromSource: 3 });
    const flood = { from: 'web1', receivers: ['web2', 'web3', 'printer'], not: ['app1', 'app2'], 'copies-from-source': 1, within: '0s' };
    expect(await messageOf(driver, { flood })).toEqual([
      'failed',
      'expected receivers web2, web3, printer, none at app1, app2, 1 copy from the source; web3 got none, printer got none, app1 got 1 copy, 3 copies left the source node',
    ]);
  });

  it('master and exec', async () => {
    const driver = new FakeDriver();
    driver.onMaster = () => undefined;
    expect(await messageOf(driver, { expect: { master: { of: 'hv1', is: 'ctrl2', within: '0s' } } })).toEqual([
      'failed',
      'expected ctrl2 as master of hv1; there is none',
    ]);
    driver.onExec = () => ({ exitCode: 1, stdout: 'lo\nbr0\n', stderr: 'RTNETLINK answers: no\n' });
    expect(
      await messageOf(driver, { exec: { on: 'web1', cmd: 'ip -o link', expect: { 'stdout-contains': 'eth0' }, within: '0s' } }),
    ).toEqual(['failed', 'expected exit 0 and stdout containing "eth0"; exit 1, stdout "lo ⏎ br0", stderr "RTNETLINK answers: no"']);
  });
});
