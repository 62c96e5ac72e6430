// `nvlab trace FROM TO`: where a packet goes in a running lab, hop by hop, predicted from the
// controller's logical state and the switches' real OpenFlow tables, and observed by a marked
// packet injected beside it. Exit 0 delivered, 1 not (or an observed path that leaves the
// predicted one), 2 bad input.
import chalk from 'chalk';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { defaultLab } from '../app/exec-target.ts';
import { injectThroughApi, labTracer } from '../app/trace/index.ts';
import { createRuntime } from '../app/runtime.ts';
import { TRACE_FRAMES, traceProtoSchema, type TraceFrame } from '../model/index.ts';
import { out } from './output.ts';
import { traceLines } from './trace-report.ts';

interface TraceFlags {
  lab?: string;
  proto: string;
  frame?: TraceFrame;
  format: 'pretty' | 'json';
  inject?: boolean;
}

function parseProto(value: string): string {
  if (!traceProtoSchema.safeParse(value).success) throw new InvalidArgumentError('expected icmp, arp, tcp:PORT or udp:PORT');
  return value;
}

export function registerTrace(program: Command): void {
  program
    .command('trace')
    .description("a packet's path through a running lab, hop by hop, each rule explained")
    .argument('<from>', 'logical port or physical host')
    .argument('<to>', 'logical port, physical host or IPv4 address')
    .option('-l, --lab <lab>', 'lab name (default: the only deployed lab)')
    .option('--proto <proto>', 'icmp (an echo request), arp (a request), tcp:PORT or udp:PORT', parseProto, 'icmp')
    .addOption(new Option('--frame <kind>', 'a BUM frame instead: broadcast, multicast or unknown (unicast)').choices(TRACE_FRAMES))
    .addOption(new Option('--format <format>', 'pretty or json').choices(['pretty', 'json']).default('pretty'))
    .option('--inject', 'inject a marked packet and observe its path beside the predicted one (the default)')
    .option('--no-inject', 'the predicted path only')
    .action(async (from: string, to: string, flags: TraceFlags) => {
      const runtime = await createRuntime();
      const lab = flags.lab ?? (await defaultLab(runtime));
      const request = { from, to, proto: flags.proto, ...(flags.frame ? { frame: flags.frame } : {}) };
      const inject = flags.inject === false ? undefined : await injectThroughApi(runtime, lab);
      const result = await (await labTracer(runtime, lab, { inject }))(request);
      if (flags.format === 'json') out(JSON.stringify(result, null, 2));
      else for (const line of traceLines(result, { color: chalk.level > 0 })) out(line);
      // Asked for explicitly, an injection that could not be made fails the command.
      const failed = !result.delivered || result.divergence !== undefined || (flags.inject === true && result.notInjected !== undefined);
      process.exitCode = failed ? 1 : 0;
    });
}
