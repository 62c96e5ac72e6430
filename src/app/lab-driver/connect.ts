// `connect`: one real connection attempt from a port's VM (or a host) to another, with a listener
// started on the target for it and stopped after, whatever happened.
import { randomBytes } from 'node:crypto';
import type { Runtime } from '../../runtime/runtime.ts';
import { CONNECT_OUTCOMES, type ConnectOutcome, type ConnectRequest, type ConnectResult } from '../../scenario/driver.ts';
import { NvlabError } from '../../util/errors.ts';
import { resolveCapturePoints, type CapturePoint } from './capture-point.ts';
import { runProbe, startListener, type Listener } from './net-probe.ts';

/** Time the attempt's exec may take beyond its own bound (python's start, the exec's round trip). */
const EXEC_SLACK_MS = 10_000;

interface ProbeAnswer {
  outcome: ConnectOutcome | 'error';
  seen: string;
  ms: number;
  mac?: string | null;
}

/** The probe's one JSON line; anything else is an error naming what the probe said. */
export function parseProbeAnswer(stdout: string, stderr: string, from: string): ProbeAnswer {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  let answer: ProbeAnswer | undefined;
  try {
    answer = JSON.parse(line) as ProbeAnswer;
  } catch {
    answer = undefined;
  }
  const known = answer && (answer.outcome === 'error' || CONNECT_OUTCOMES.includes(answer.outcome));
  if (!answer || !known) throw new NvlabError('CONNECT', `connect from ${from}: ${(stdout + stderr).trim() || 'no answer from the probe'}`);
  if (answer.outcome === 'error') throw new NvlabError('CONNECT', `connect from ${from}: ${answer.seen}`);
  return answer;
}

async function attempt(runtime: Runtime, source: CapturePoint, request: ConnectRequest): Promise<ProbeAnswer> {
  const args = ['connect', request.proto, request.ip, String(request.port), String(request.timeoutMs)];
  const result = await runProbe(runtime, source, args, request.timeoutMs + EXEC_SLACK_MS);
  return parseProbeAnswer(result.stdout, result.stderr, request.from);
}

/** One attempt, judged by what came back; the listener (when asked for) is gone when it returns. */
export async function connectOnce(runtime: Runtime, lab: string, request: ConnectRequest): Promise<ConnectResult> {
  const points = await resolveCapturePoints(runtime, lab, [request.from, request.to]);
  const source = points.get(request.from) as CapturePoint;
  const target = points.get(request.to) as CapturePoint;
  const lifetimeS = Math.ceil((request.timeoutMs + EXEC_SLACK_MS * 2) / 1000);
  const listener: Listener | undefined = request.listen
    ? await startListener(runtime, target, { id: randomBytes(6).toString('hex'), proto: request.proto, port: request.port, lifetimeS })
    : undefined;
  let answer: ProbeAnswer;
  let reports: string[] | undefined;
  try {
    answer = await attempt(runtime, source, request);
  } finally {
    // The attempt's own error matters more than one stopping the listener.
    reports = await listener?.stop().catch(() => undefined);
  }
  const mac = answer.mac ?? undefined;
  const otherMac = request.mac !== undefined && mac !== undefined && mac !== request.mac.toLowerCase() ? mac : undefined;
  return {
    outcome: answer.outcome as ConnectOutcome,
    seen: answer.seen,
    ms: answer.ms,
    ...(reports !== undefined ? { listenerGot: reports.filter((l) => /^(accepted|echoed) /.test(l)).length } : {}),
    ...(otherMac ? { otherMac } : {}),
  };
}
