// Accounting for continuous pings from the output of `ping -D -O`: every reply line carries its
// sequence number, arrival time and round trip; -O adds "no answer yet for icmp_seq=N" when the
// next request goes out unanswered. From those, each request's send time is known or closely
// estimated, so the packets sent before the stop moment can be counted exactly, even though
// ping keeps sending while the replies still due come in.
import type { TrafficStats } from '../../scenario/driver.ts';

export interface PingLog {
  /** From the summary line; absent when ping did not end normally. */
  transmitted?: number;
  /** Sequence number (unwrapped past 65535) → estimated send time, seconds since the epoch. */
  sentAt: Map<number, number>;
  /** Sequence numbers that were answered. */
  replied: Set<number>;
  /** The highest sequence number seen in the log. */
  highest: number;
}

const REPLY = /^\[(\d+\.\d+)\] \d+ bytes from .*?icmp_seq=(\d+).*?time=([\d.]+) ms/;
const NO_ANSWER = /^\[(\d+\.\d+)\] no answer yet for icmp_seq=(\d+)/;
const OTHER = /^\[(\d+\.\d+)\] .*?icmp_seq=(\d+)/;
const SUMMARY = /(\d+) packets transmitted, (\d+) received/;

export function parsePingLog(text: string, intervalMs: number): PingLog {
  const log: PingLog = { sentAt: new Map(), replied: new Set(), highest: 0 };
  // Whether an estimate is exact (from a reply's round trip): exact ones win.
  const exact = new Set<number>();
  // icmp_seq is 16 bits: take each number as the unwrapped one nearest the highest seen so far.
  const unwrap = (raw: number) => raw + 65536 * Math.max(0, Math.round((log.highest - raw) / 65536));
  for (const line of text.split('\n')) {
    const summary = SUMMARY.exec(line);
    if (summary) {
      log.transmitted = Number(summary[1]);
      continue;
    }
    const reply = REPLY.exec(line);
    if (reply) {
      const seq = unwrap(Number(reply[2]));
      log.highest = Math.max(log.highest, seq);
      log.replied.add(seq);
      log.sentAt.set(seq, Number(reply[1]) - Number(reply[3]) / 1000);
      exact.add(seq);
      continue;
    }
    const noAnswer = NO_ANSWER.exec(line);
    const other = noAnswer ?? OTHER.exec(line);
    if (!other) continue;
    const seq = unwrap(Number(other[2]));
    log.highest = Math.max(log.highest, seq);
    if (exact.has(seq)) continue;
    // "no answer yet" is printed as the next request leaves, one interval after this one did.
    log.sentAt.set(seq, Number(other[1]) - (noAnswer ? intervalMs / 1000 : 0));
  }
  return log;
}

/** Estimated send time of every request 1..count, filling gaps from their known neighbours. */
function sendTimes(log: PingLog, count: number, intervalMs: number): number[] {
  const step = intervalMs / 1000;
  const known = [...log.sentAt.entries()].filter(([s]) => s <= count).sort((a, b) => a[0] - b[0]);
  const times: number[] = [];
  let k = 0;
  for (let seq = 1; seq <= count; seq++) {
    while (k < known.length && (known[k] as [number, number])[0] < seq) k++;
    const next = known[k];
    const prev = k > 0 ? known[k - 1] : undefined;
    if (next && next[0] === seq) times.push(next[1]);
    else if (prev && next) times.push(prev[1] + ((next[1] - prev[1]) * (seq - prev[0])) / (next[0] - prev[0]));
    else if (prev) times.push(prev[1] + (seq - prev[0]) * step);
    else if (next) times.push(next[1] - (next[0] - seq) * step);
    else times.push(Number.NaN);
  }
  return times;
}

/** Counts the requests sent up to `stopAt` (seconds since the epoch) and how they fared. */
export function accountPings(log: PingLog, stopAt: number, intervalMs: number): Required<TrafficStats> {
  const count = Math.max(log.transmitted ?? 0, log.highest);
  const times = sendTimes(log, count, intervalMs);
  let sent = 0;
  for (let seq = 1; seq <= count; seq++) if (!((times[seq - 1] ?? Number.NaN) > stopAt)) sent = seq;
  const outages: { firstSeq: number; lost: number; ms: number }[] = [];
  let received = 0;
  for (let seq = 1; seq <= sent; seq++) {
    if (log.replied.has(seq)) {
      received++;
      continue;
    }
    let last = seq;
    while (last + 1 <= sent && !log.replied.has(last + 1)) last++;
    // From the first lost request to the next answered one (or one interval past the last lost).
    const start = times[seq - 1] ?? Number.NaN;
    const end = last < sent ? (times[last] ?? Number.NaN) : (times[last - 1] ?? Number.NaN) + intervalMs / 1000;
    const ms = Number.isFinite(start) && Number.isFinite(end) ? Math.round((end - start) * 1000) : (last - seq + 1) * intervalMs;
    outages.push({ firstSeq: seq, lost: last - seq + 1, ms: Math.max(ms, 0) });
    seq = last;
  }
  return { sent, received, lost: sent - received, outages };
}
