// Short tcpdump captures in lab containers, started together and known to be listening before
// anything is sent: tcpdump prints "listening on" only once its socket is open and its filter
// set, so waiting for that line replaces guessing with sleeps. A capture also ends by itself
// after a while (timeout), so none outlives a crashed run for long.
import type { Runtime } from '../../runtime/runtime.ts';
import { NvlabError } from '../../util/errors.ts';
import { inPoint, quote, type CapturePoint, type SourceUnderlay } from './capture-point.ts';

export interface CaptureSpec {
  label: string;
  point: CapturePoint;
  /** in: frames the point receives (never its own); out: what the node sends. */
  direction: 'in' | 'out';
  /** A BPF filter that keeps the file small; the counting judges each frame exactly. */
  filter: string;
}

export interface RunningCaptures {
  /** Stops every capture and returns its file. A capture that could not be read has none. */
  stop(): Promise<{ label: string; pcap?: Buffer; error?: string }[]>;
}

/** Tunnel packets on an underlay NIC: geneve, vxlan and gre. */
export const TUNNEL_FILTER = 'udp port 6081 or udp port 4789 or ip proto 47';

/**
 * The captures that follow a sender's frames: what each watched point receives (by `filter`),
 * then the tunnel packets leaving each source node's underlay NIC, labelled `<node>-underlay`.
 */
export function followingSpecs(
  points: ReadonlyMap<string, CapturePoint>,
  watch: readonly string[],
  filter: string,
  sources: readonly SourceUnderlay[],
): CaptureSpec[] {
  return [
    ...watch.map((name) => ({ label: name, point: points.get(name) as CapturePoint, direction: 'in' as const, filter })),
    ...sources.map((s) => ({
      label: `${s.node}-underlay`,
      point: { label: `${s.node}-underlay`, container: s.container, iface: s.nic },
      direction: 'out' as const,
      filter: TUNNEL_FILTER,
    })),
  ];
}

/** A capture that nobody stops ends by itself after this long. */
const SELF_STOP_S = 30;
const START_MS = 15_000;
const STOP_MS = 20_000;

function byContainer(specs: readonly CaptureSpec[]): Map<string, { index: number; spec: CaptureSpec }[]> {
  const groups = new Map<string, { index: number; spec: CaptureSpec }[]>();
  specs.forEach((spec, index) => {
    const group = groups.get(spec.point.container) ?? [];
    group.push({ index, spec });
    groups.set(spec.point.container, group);
  });
  return groups;
}

function startScript(prefix: string, group: { index: number; spec: CaptureSpec }[]): string {
  const lines = group.map(({ index, spec }) => {
    const f = `${prefix}-${index}`;
    const tcpdump = [
      'timeout',
      '-s',
      'INT',
      String(SELF_STOP_S),
      'tcpdump',
      '-n',
      '-i',
      spec.point.iface,
      '-Q',
      spec.direction,
      // Packet-buffered file, packets handed over at once: nothing sits in a buffer at stop.
      '-U',
      '--immediate-mode',
      '-s',
      '0',
      '-w',
      `${f}.pcap`,
      spec.filter,
    ]
      .map(quote)
      .join(' ');
    return `${inPoint(spec.point, tcpdump)} >${f}.log 2>&1 </dev/null & echo $! >${f}.pid`;
  });
  const ids = group.map((g) => g.index).join(' ');
  // Waits until every capture listens; one that died says why. 10 s at most.
  return `alive() { [ -e /proc/$1 ] && ! grep -q '^State:.*Z' /proc/$1/status 2>/dev/null; }
# Files of captures a crashed run never stopped (they stopped themselves long ago).
find /tmp -maxdepth 1 -name 'nvlab-capture-*' -mmin +2 -delete 2>/dev/null
${lines.join('\n')}
n=0
while :; do
  waiting=0
  for i in ${ids}; do
    grep -q 'listening on' ${prefix}-$i.log 2>/dev/null && continue
    if ! alive "$(cat ${prefix}-$i.pid)"; then echo "capture $i failed: $(cat ${prefix}-$i.log)"; exit 1; fi
    waiting=1
  done
  [ $waiting = 0 ] && exit 0
  n=$((n + 1)); [ $n -gt 1000 ] && { echo "captures $ids not listening after 10 s"; exit 1; }
  sleep 0.01
done`;
}

function stopScript(prefix: string, group: { index: number; spec: CaptureSpec }[]): string {
  const ids = group.map((g) => g.index).join(' ');
  // SIGINT lets tcpdump close its file; then each file goes back base64-encoded (exec output is text).
  return `for i in ${ids}; do kill -INT "$(cat ${prefix}-$i.pid 2>/dev/null)" 2>/dev/null; done
for i in ${ids}; do
  p=$(cat ${prefix}-$i.pid 2>/dev/null); n=0
  while [ -n "$p" ] && [ -e /proc/$p ] && ! grep -q '^State:.*Z' /proc/$p/status 2>/dev/null && [ $n -lt 300 ]; do sleep 0.01; n=$((n + 1)); done
  [ -n "$p" ] && kill -KILL "$p" 2>/dev/null
done
for i in ${ids}; do echo "@@capture $i"; base64 -w0 ${prefix}-$i.pcap 2>/dev/null; echo; done
rm -f ${prefix}-*`;
}

/** Starts every capture and returns once all of them listen. */
export async function startCaptures(runtime: Runtime, id: string, specs: readonly CaptureSpec[]): Promise<RunningCaptures> {
  const prefix = `/tmp/nvlab-capture-${id}`;
  const groups = byContainer(specs);
  const stop = async () => {
    const files = new Map<number, Buffer>();
    const errors = new Map<number, string>();
    await Promise.all(
      [...groups].map(async ([container, group]) => {
        try {
          const result = await runtime.exec(container, ['sh', '-c', stopScript(prefix, group)], { timeoutMs: STOP_MS });
          for (const m of result.stdout.matchAll(/^@@capture (\d+)\n([A-Za-z0-9+/=]*)$/gm))
            files.set(Number(m[1]), Buffer.from(m[2] ?? '', 'base64'));
        } catch (error) {
          for (const g of group) errors.set(g.index, error instanceof Error ? error.message : String(error));
        }
      }),
    );
    return specs.map((spec, index) => {
      const pcap = files.get(index);
      return pcap && pcap.length > 0 ? { label: spec.label, pcap } : { label: spec.label, error: errors.get(index) ?? 'no capture file' };
    });
  };
  const started = await Promise.allSettled(
    [...groups].map(async ([container, group]) => {
      const result = await runtime.exec(container, ['sh', '-c', startScript(prefix, group)], { timeoutMs: START_MS });
      if (result.exitCode !== 0) {
        const labels = group.map((g) => g.spec.label).join(', ');
        throw new NvlabError('CAPTURE', `capture at ${labels} did not start: ${(result.stdout + result.stderr).trim()}`);
      }
    }),
  );
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stop().catch(() => undefined); // the ones that did start must not linger
    throw failed.reason;
  }
  return { stop };
}
