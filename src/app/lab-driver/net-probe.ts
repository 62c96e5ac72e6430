// Runs net-probe.py (beside this file) where a port's VM or a host lives: in the foreground for
// one connection attempt or a burst of frames, in the background for a listener that is known to
// listen before anything connects (it prints "ready" once bound) and is always stopped after.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecResult, Runtime } from '../../runtime/runtime.ts';
import { NvlabError } from '../../util/errors.ts';
import { projectRoot } from '../../util/paths.ts';
import { inPoint, quote, type CapturePoint } from './capture-point.ts';

const PROBE_FILE = join(projectRoot, 'src/app/lab-driver/net-probe.py');
const START_MS = 15_000;
const STOP_MS = 15_000;

let source: Promise<string> | undefined;

/** The probe's source, read once; it travels with each call, so the image needs nothing new. */
function probeSource(): Promise<string> {
  source ??= readFile(PROBE_FILE, 'utf8');
  return source;
}

/** Runs the probe with `args` where `point` lives and waits for it. */
export async function runProbe(runtime: Runtime, point: CapturePoint, args: readonly string[], timeoutMs: number): Promise<ExecResult> {
  const argv = ['python3', '-c', await probeSource(), ...args];
  return runtime.exec(point.container, point.netns ? ['ip', 'netns', 'exec', point.netns, ...argv] : argv, { timeoutMs });
}

export interface Listener {
  /** Stops it (whatever it is doing) and returns what it reported: `accepted …`, `echoed …`. */
  stop(): Promise<string[]>;
}

const ALIVE = `alive() { [ -e /proc/$1 ] && ! grep -q '^State:.*Z' /proc/$1/status 2>/dev/null; }`;

function startScript(file: string, point: CapturePoint, args: readonly string[]): string {
  const run = inPoint(point, ['python3', `${file}.py`, ...args].map(quote).join(' '));
  return `${ALIVE}
# Files of listeners a crashed run never stopped (they ended by themselves long ago).
find /tmp -maxdepth 1 -name 'nvlab-listen-*' -mmin +2 -delete 2>/dev/null
f=${file}
cat >$f.py
${run} >$f.log 2>&1 </dev/null & echo $! >$f.pid
n=0
until grep -q '^ready' $f.log 2>/dev/null; do
  if ! alive "$(cat $f.pid)"; then echo "the listener failed: $(cat $f.log)"; rm -f $f.*; exit 1; fi
  n=$((n + 1)); [ $n -gt 500 ] && { kill -KILL "$(cat $f.pid)"; echo 'the listener was not ready after 5 s'; rm -f $f.*; exit 1; }
  sleep 0.01
done`;
}

function stopScript(file: string): string {
  return `${ALIVE}
f=${file}; p=$(cat $f.pid 2>/dev/null)
[ -n "$p" ] && kill -TERM "$p" 2>/dev/null
n=0; while [ -n "$p" ] && alive "$p" && [ $n -lt 100 ]; do sleep 0.01; n=$((n + 1)); done
[ -n "$p" ] && kill -KILL "$p" 2>/dev/null
cat $f.log 2>/dev/null; rm -f $f.py $f.log $f.pid`;
}

/**
 * Starts a listener on `port` where `point` lives (TCP: accepts and closes; UDP: echoes each
 * datagram; sink: TCP read to its end, for streamTcp) and returns once it listens. It ends by
 * itself after `lifetimeS` should no one stop it.
 */
export async function startListener(
  runtime: Runtime,
  point: CapturePoint,
  listen: { id: string; proto: string; port: number; lifetimeS: number },
): Promise<Listener> {
  const file = `/tmp/nvlab-listen-${listen.id}`;
  const args = ['listen', listen.proto, String(listen.port), String(listen.lifetimeS)];
  const started = await runtime.exec(point.container, ['sh', '-c', startScript(file, point, args)], {
    timeoutMs: START_MS,
    stdin: await probeSource(),
  });
  if (started.exitCode !== 0) {
    // Whatever it left (a listener that did start but said nothing in time) goes now.
    await runtime.exec(point.container, ['sh', '-c', stopScript(file)], { timeoutMs: STOP_MS }).catch(() => undefined);
    const why = (started.stdout + started.stderr).trim() || `exit ${started.exitCode}`;
    throw new NvlabError('LISTENER', `no ${listen.proto} listener on ${point.label} port ${listen.port}: ${why}`);
  }
  return {
    async stop() {
      const stopped = await runtime.exec(point.container, ['sh', '-c', stopScript(file)], { timeoutMs: STOP_MS });
      return stopped.stdout.split('\n').filter((l) => l.trim() !== '' && l !== 'ready');
    },
  };
}

/** Runs a probe mode that answers with one JSON line, and returns it; anything else throws. */
async function probeAnswer<T>(runtime: Runtime, point: CapturePoint, args: readonly string[], timeoutMs: number): Promise<T> {
  const result = await runProbe(runtime, point, args, timeoutMs);
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  try {
    if (result.exitCode === 0) return JSON.parse(line) as T;
  } catch {
    // the error below says what the probe said
  }
  throw new NvlabError('PROBE', `${args[0]} from ${point.label}: ${(result.stdout + result.stderr).trim() || `exit ${result.exitCode}`}`);
}

/** Time a timed probe's exec may take beyond its own duration (python's start, the drain). */
const TIMED_SLACK_MS = 40_000;

/** TCP sent as fast as it goes for `seconds` from `point` to a sink (startListener proto 'sink'). */
export function streamTcp(
  runtime: Runtime,
  point: CapturePoint,
  to: { ip: string; port: number; seconds: number },
): Promise<{ bytes: number; seconds: number; mbps: number }> {
  return probeAnswer(runtime, point, ['stream', to.ip, String(to.port), String(to.seconds)], to.seconds * 1000 + TIMED_SLACK_MS);
}

/** New TCP connections, one after another for `seconds`, from `point` to a 'tcp' listener. */
export function connectionRate(
  runtime: Runtime,
  point: CapturePoint,
  to: { ip: string; port: number; seconds: number },
): Promise<{ connections: number; seconds: number; per_s: number }> {
  return probeAnswer(runtime, point, ['connrate', to.ip, String(to.port), String(to.seconds)], to.seconds * 1000 + TIMED_SLACK_MS);
}
