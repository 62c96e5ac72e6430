// The connect and spoof steps on a real lab (two hypervisors, three ports, no security group):
// connections open to the runner's listener over TCP and UDP, are refused by the target's own
// stack where nothing listens, and are filtered when the underlay is cut; spoofed frames get out
// today (no port security), which the spoof step counts and fails on, its control showing the
// count is real; a spoofed neighbour's address is put right afterwards.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { flattenSteps, type RunResult, type ScenarioResult } from '../../../src/scenario/results.ts';
import { runScenarios } from '../../../src/scenario/runner.ts';
import { parseScenarios } from '../../../src/scenario/suite.ts';
import { parseTopology } from '../../../src/topology/load.ts';
import { labTopology, useLab } from './harness.ts';
import { runtime } from './support.ts';

const source = labTopology('connect-spoof.yaml');
const lab = useLab(source);
let artifacts: string;
let run: RunResult;

beforeAll(async () => {
  artifacts = await mkdtemp(join(tmpdir(), 'nvlab-conn-'));
  run = await runScenarios(parseScenarios(parseTopology(source, 'connect-spoof.yaml'), lab.plan), lab.driver, { artifactsDir: artifacts });
}, 240_000);

afterAll(async () => {
  await rm(artifacts, { recursive: true, force: true });
});

const scenario = (name: string): ScenarioResult => {
  const found = run.scenarios.find((s) => s.name === name);
  if (!found) throw new Error(`no scenario ${name}`);
  return found;
};
const steps = (name: string) => flattenSteps(scenario(name).steps).map((s) => [s.status, s.message]);

describe('connect', () => {
  test('open over TCP and UDP to the listener, refused by the target with nothing listening, filtered with the underlay cut', () => {
    expect(steps('connections')).toEqual([
      ['passed', '3 of 3 answered'],
      ['passed', expect.stringMatching(/^tcp web2 \(10\.0\.1\.12:80\) from web1: open \(connected\) in \d+ ms$/)],
      ['passed', expect.stringMatching(/^udp web2 \(10\.0\.1\.12:53\) from web1: open \(echo\) in \d+ ms$/)],
      ['passed', expect.stringMatching(/^tcp web3 \(10\.0\.1\.13:5432\) from web2: refused \(RST\) in \d+ ms$/)],
      ['passed', expect.stringMatching(/^udp web3 \(10\.0\.1\.13:5432\) from web2: refused \(ICMP port unreachable\) in \d+ ms$/)],
      ['passed', undefined],
      [
        'passed',
        expect.stringMatching(
          /^tcp web2 \(10\.0\.1\.12:80\) from web1: filtered \(no answer\) within 1\d{3} ms; the listener got nothing$/,
        ),
      ],
      ['passed', undefined],
      ['passed', expect.stringMatching(/^udp web2 \(10\.0\.1\.12:53\) from web1: open \(echo\) in \d+ ms$/)],
    ]);
  });

  test('no listener, probe or capture is left in the lab', async () => {
    for (const node of ['hv1', 'hv2']) {
      const left = await runtime.exec(lab.container(node), ['sh', '-c', 'pgrep -a python3; pgrep -a tcpdump; ls /tmp | grep nvlab-; true']);
      expect(left.stdout.trim(), node).toBe('');
    }
  });
});

describe('spoof, before port security', () => {
  test('a forged IPv4 source gets out: the step fails with every frame counted, where it went', () => {
    expect(scenario('spoofed-ip').status).toBe('failed');
    expect(steps('spoofed-ip')).toEqual([
      [
        'failed',
        // 5 echo requests to web2 and 5 broadcast ARP requests: one tunnel packet each to hv2;
        // web2 gets all 10, web3 (on hv1) the 5 broadcasts.
        "expected no spoofed frame past web1; 10 of 10 spoofed frames (src-ip 10.0.1.99) got past web1: 10 copies on hv1's underlay, web2 got 10, web3 got 5; 10 of 10 legitimate ones did",
      ],
    ]);
  });

  test('a forged MAC the same, and the failed step leaves its captures with the artifacts', async () => {
    expect(steps('spoofed-mac')).toEqual([
      [
        'failed',
        "expected no spoofed frame past web1; 10 of 10 spoofed frames (src-mac 02:00:00:00:99:99) got past web1: 10 copies on hv1's underlay, web2 got 10, web3 got 5; 10 of 10 legitimate ones did",
      ],
    ]);
    const captures = await readdir(join(artifacts, lab.name, 'spoofed-mac', 'captures'));
    expect(captures.sort()).toEqual(['hv1-underlay.pcap', 'web2.pcap', 'web3.pcap']);
  });

  test("a neighbour's address: the leak the step expects passes, and the neighbour is reached right after", () => {
    expect(steps('spoofed-neighbour')).toEqual([
      ['passed', '3 of 3 answered'],
      [
        'passed',
        expect.stringMatching(/^10 of 10 spoofed frames \(src-ip 10\.0\.1\.12\) got past web1: .*; 10 of 10 legitimate ones did$/),
      ],
      ['passed', '3 of 3 answered'],
    ]);
  });
});
