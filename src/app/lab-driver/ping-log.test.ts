import { describe, expect, test } from 'vitest';
import { accountPings, parsePingLog } from './ping-log.ts';

const T0 = 1_700_000_000;
const at = (ms: number) => `[${(T0 + ms / 1000).toFixed(6)}]`;
const reply = (seq: number, sentMs: number, rtt = 0.2) =>
  `${at(sentMs + rtt)} 64 bytes from 10.0.1.12: icmp_seq=${seq} ttl=64 time=${rtt.toFixed(3)} ms`;
const noAnswer = (seq: number, nextSentMs: number) => `${at(nextSentMs)} no answer yet for icmp_seq=${seq}`;

describe('ping -D -O accounting', () => {
  test('no loss: every request sent before the stop was answered', () => {
    const lines = ['PING 10.0.1.12 (10.0.1.12) 56(84) bytes of data.'];
    for (let seq = 1; seq <= 100; seq++) lines.push(reply(seq, (seq - 1) * 10));
    lines.push('--- 10.0.1.12 ping statistics ---', '101 packets transmitted, 100 received, 0.990099% packet loss, time 1000ms');
    // Stopped at 700 ms: requests 1..71 were out by then; the rest (and 101, unanswered) do not count.
    expect(accountPings(parsePingLog(lines.join('\n'), 10), T0 + 0.7, 10)).toEqual({ sent: 71, received: 71, lost: 0, outages: [] });
  });

  test('an outage is a run of unanswered requests, with its duration; late replies count', () => {
    const lines: string[] = [];
    for (let seq = 1; seq <= 50; seq++) {
      const sent = (seq - 1) * 10;
      if (seq >= 11 && seq <= 30) lines.push(noAnswer(seq, sent + 10));
      else if (seq === 40) lines.push(noAnswer(40, sent + 10), reply(40, sent, 15));
      else lines.push(reply(seq, sent));
    }
    lines.push('50 packets transmitted, 30 received, 40% packet loss, time 490ms');
    const stats = accountPings(parsePingLog(lines.join('\n'), 10), T0 + 10, 10);
    expect(stats).toMatchObject({ sent: 50, received: 30, lost: 20 });
    expect(stats.outages).toEqual([{ firstSeq: 11, lost: 20, ms: 200 }]);
  });

  test('a log cut short (no summary) counts up to the highest sequence seen; sequence numbers wrap', () => {
    const lines = [reply(65535, 0), noAnswer(0, 20), reply(1, 20)];
    const stats = accountPings(parsePingLog(lines.join('\n'), 10), T0 + 10, 10);
    expect(stats.sent).toBe(65537);
    expect(stats.received).toBe(2);
  });

  test('errors from the network are losses', () => {
    const lines = [
      reply(1, 0),
      `${at(12)} From 10.0.1.11 icmp_seq=2 Destination Host Unreachable`,
      reply(3, 20),
      '3 packets transmitted, 2 received, +1 errors',
    ];
    expect(accountPings(parsePingLog(lines.join('\n'), 10), T0 + 1, 10)).toMatchObject({ sent: 3, received: 2, lost: 1 });
  });
});
