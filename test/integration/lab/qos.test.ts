// QoS on a real lab: a VM limited to 10 Mbit/s sends TCP (net-probe.py's stream, counted until
// the receiver has it all) at 10 Mbit/s ± 15%, while an unlimited VM on the same hypervisor,
// sending at the same time, is not held to it.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { connectOnce } from '../../../src/app/lab-driver/connect.ts';
import { resolveCapturePoints, type CapturePoint } from '../../../src/app/lab-driver/capture-point.ts';
import { startListener, streamTcp, type Listener } from '../../../src/app/lab-driver/net-probe.ts';
import { labTopology, useLab } from './harness.ts';
import { eventually, runtime } from './support.ts';

const lab = useLab(labTopology('qos.yaml'));
const SINK = '10.0.0.21';
const SECONDS = 3;
let points: Map<string, CapturePoint>;
const sinks: Listener[] = [];

beforeAll(async () => {
  for (const from of ['limited', 'free']) {
    const open = () =>
      connectOnce(runtime, lab.name, { from, to: 'sink', ip: SINK, proto: 'tcp', port: 5300, listen: true, timeoutMs: 1000 }).catch(
        () => undefined,
      );
    expect((await eventually(open, (r) => r?.outcome === 'open', 60_000))?.outcome, `${from} reaches the sink`).toBe('open');
  }
  points = await resolveCapturePoints(runtime, lab.name, ['limited', 'free', 'sink']);
  // One sink per sender: a sink reads one connection at a time.
  for (const port of [5201, 5202])
    sinks.push(await startListener(runtime, points.get('sink')!, { id: `it-qos-${port}`, proto: 'sink', port, lifetimeS: 120 }));
}, 120_000);

afterAll(async () => {
  await Promise.all(sinks.map((s) => s.stop()));
});

const stream = async (from: string, port: number) =>
  (await streamTcp(runtime, points.get(from)!, { ip: SINK, port, seconds: SECONDS })).mbps;

test('the limited VM sends at 10 Mbit/s ± 15% while its unlimited neighbour sends far above it', async () => {
  const alone = await stream('free', 5202);
  const both = () => Promise.all([stream('limited', 5201), stream('free', 5202)]);
  let [limited, beside] = await both();
  // Under the band only: TCP beside a saturating neighbour on a busy 2-core CI host once got
  // 7.4 Mbit/s. Measured once more then; over the band (the meter letting too much through) never.
  if (limited < 8.5) [limited, beside] = await both();
  expect(limited).toBeGreaterThanOrEqual(8.5);
  expect(limited).toBeLessThanOrEqual(11.5);
  // Not held to the meter (5 times its rate at least), and not slowed by it beyond what sharing
  // the host's 2 cores with a second sender costs.
  expect(beside).toBeGreaterThan(50);
  expect(beside, `alone ${alone} Mbit/s`).toBeGreaterThan(alone * 0.5);
}, 60_000);
