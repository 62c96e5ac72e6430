// `traffic`: continuous pings from a port's VM (or a host) that run in the background inside its
// container while other steps act on the lab, then are stopped and accounted for packet by packet.
//
// The ping is detached from the exec that starts it, so a busy or slow container costs nothing
// while it runs: the only round trips are start, stop and a lease refresh every few seconds. The
// lease is the guard against leftovers: a watchdog beside the ping stops it when nobody has
// refreshed the lease for a minute (the run crashed or was killed). A destroyed lab takes its
// processes with it.
import { randomBytes } from 'node:crypto';
import type { Runtime } from '../../runtime/runtime.ts';
import type { TrafficHandle, TrafficRequest, TrafficStats } from '../../scenario/driver.ts';
import { NvlabError } from '../../util/errors.ts';
import { seconds } from '../../util/seconds.ts';
import { inPoint, quote, resolveCapturePoint } from './capture-point.ts';
import { accountPings, parsePingLog } from './ping-log.ts';

export interface TrafficOptions extends Omit<TrafficRequest, 'to'> {
  /** For messages; the pings go to `ip`. */
  to?: string;
  /** How long stop() waits for the replies still due; default 1 s. */
  drainMs?: number;
}

const LEASE_S = 60;
const REFRESH_MS = 5_000;
const DEFAULT_DRAIN_MS = 1_000;
const EXEC_MS = 20_000;

// A shell test that PID is this traffic's ping and still running (not a zombie): after a restart
// of the container the pid may belong to another process, which must never be signalled.
const OURS = (pid: string, tag: string) =>
  `{ [ -n "${pid}" ] && [ -e /proc/${pid} ] && ! grep -q '^State:.*Z' /proc/${pid}/status 2>/dev/null && tr '\\0' '\\n' </proc/${pid}/environ 2>/dev/null | grep -qx 'NVLAB_TRAFFIC=${tag}'; }`;

function startScript(file: string, tag: string, ping: string): string {
  // Files of traffic whose run died with its container (no lease kept for minutes) go first.
  return `for l in $(find /tmp -maxdepth 1 -name 'nvlab-traffic-*.lease' -mmin +3); do rm -f "\${l%.lease}".*; done
touch ${file}.lease
${ping} >${file}.out 2>&1 </dev/null &
p=$!
echo $p >${file}.pid
# Started once ping has printed its header (line-buffered): from then on the process is ping
# itself, tagged. A bad target makes it exit at once.
n=0
while ! grep -q '^PING' ${file}.out 2>/dev/null && [ -e /proc/$p ] && [ $n -lt 500 ]; do sleep 0.01; n=$((n + 1)); done
sleep 0.05
${OURS('$p', tag)} && grep -q '^PING' ${file}.out || { cat ${file}.out; kill -INT $p 2>/dev/null; rm -f ${file}.*; exit 1; }
( while ${OURS('$p', tag)}; do
    age=$(( $(date +%s) - $(stat -c %Y ${file}.lease 2>/dev/null || echo 0) ))
    [ $age -gt ${LEASE_S} ] && { kill -INT $p; break; }
    sleep 1
  done ) >/dev/null 2>&1 </dev/null &
echo $! >${file}.watchdog`;
}

function stopScript(file: string, tag: string, drainMs: number): string {
  // The stop moment is read on the container's clock, the one ping stamps its lines with.
  return `echo "@@stop $(date +%s.%N)"
sleep ${seconds(drainMs)}
p=$(cat ${file}.pid 2>/dev/null)
if ${OURS('$p', tag)}; then
  echo "@@ended no"
  kill -INT $p; n=0
  while ${OURS('$p', tag)} && [ $n -lt 300 ]; do sleep 0.01; n=$((n + 1)); done
  ${OURS('$p', tag)} && kill -KILL $p
else
  echo "@@ended yes"
fi
kill "$(cat ${file}.watchdog 2>/dev/null)" 2>/dev/null
echo "@@log"
cat ${file}.out 2>/dev/null
rm -f ${file}.*`;
}

/** Starts continuous pings from `from` to `ip`; the handle stops and counts them. */
export async function startTraffic(runtime: Runtime, lab: string, request: TrafficOptions): Promise<TrafficHandle> {
  const point = await resolveCapturePoint(runtime, lab, request.from);
  const tag = randomBytes(6).toString('hex');
  const file = `/tmp/nvlab-traffic-${tag}`;
  const interval = Math.max(request.intervalMs, 1);
  const what = `traffic from ${request.from} to ${request.to ?? request.ip}`;
  // The tag in ping's environment marks the process as ours; stdbuf makes ping write each line
  // as it goes, so the log survives even a killed container.
  const ping = inPoint(
    point,
    ['env', `NVLAB_TRAFFIC=${tag}`, 'stdbuf', '-oL', 'ping', '-n', '-D', '-O', '-i', seconds(interval), request.ip].map(quote).join(' '),
  );
  const started = await runtime.exec(point.container, ['sh', '-c', startScript(file, tag, ping)], { timeoutMs: EXEC_MS });
  if (started.exitCode !== 0) {
    throw new NvlabError('TRAFFIC', `${what} did not start: ${(started.stdout + started.stderr).trim() || `exit ${started.exitCode}`}`);
  }

  // Refreshed until stop(); a container gone for longer than the lease (a destroyed lab) ends it.
  let refreshedAt = Date.now();
  const refresh = setInterval(() => {
    runtime
      .exec(point.container, ['touch', `${file}.lease`], { timeoutMs: EXEC_MS })
      .then((r) => {
        if (r.exitCode === 0) refreshedAt = Date.now();
      })
      .catch(() => undefined)
      .finally(() => {
        if (Date.now() - refreshedAt > LEASE_S * 1000) clearInterval(refresh);
      });
  }, REFRESH_MS);
  refresh.unref();

  let stopped: Promise<TrafficStats> | undefined;
  const stop = async (): Promise<TrafficStats> => {
    clearInterval(refresh);
    const drainMs = request.drainMs ?? DEFAULT_DRAIN_MS;
    let result;
    try {
      result = await runtime.exec(point.container, ['sh', '-c', stopScript(file, tag, drainMs)], { timeoutMs: EXEC_MS + drainMs });
    } catch (error) {
      throw new NvlabError(
        'TRAFFIC',
        `${what}: could not stop and count it on ${point.container}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    const stopAt = Number(/^@@stop (\d+\.\d+)/m.exec(result.stdout)?.[1]);
    const logAt = result.stdout.indexOf('@@log\n');
    if (!Number.isFinite(stopAt) || logAt < 0) {
      throw new NvlabError(
        'TRAFFIC',
        `${what}: could not stop and count it on ${point.container}: ${(result.stdout + result.stderr).trim()}`,
      );
    }
    const text = result.stdout.slice(logAt + 6);
    // A ping that ended before stop() was killed with its container (a restart) or by the lease:
    // what it sent afterwards is unknown, so its counts would mislead.
    if (/^@@ended yes/m.test(result.stdout)) {
      const log = parsePingLog(text, interval);
      throw new NvlabError(
        'TRAFFIC',
        `${what} ended before it was stopped (its container restarted, or its lease ran out) after ${log.highest} packets`,
      );
    }
    return accountPings(parsePingLog(text, interval), stopAt, interval);
  };
  return { stop: () => (stopped ??= stop()) };
}
