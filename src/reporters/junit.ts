// JUnit XML, the format GitLab, GitHub (via test-report actions) and Jenkins read: one testsuite
// per scenario, one testcase per step (traffic's nested steps after it), a failure element with
// the message that says what was expected and seen, times in seconds. Artifacts of a failed
// scenario are attached to its failing testcase as [[ATTACHMENT|path]] lines, which GitLab and
// Jenkins show as links.

import { formatDuration, formatElapsed } from '../scenario/duration.ts';
import type { Reporter } from '../scenario/reporter.ts';
import { countSteps, flattenSteps, type RunResult, type ScenarioResult, type StepResult } from '../scenario/results.ts';
import type { ReporterOptions } from './types.ts';
import { element, textElement } from './xml.ts';
import { seconds } from '../util/seconds.ts';
import { plural } from '../util/words.ts';

/** xs:dateTime as the common JUnit schema has it: no fraction, no zone (the run's is UTC). */
const timestamp = (iso: string): string => iso.replace(/(\.\d+)?Z$/, '');
const OBSERVED_MAX = 2000;

function where(step: StepResult): string | undefined {
  return step.at ? `${step.at.file}:${step.at.line}:${step.at.column}` : undefined;
}

// The body of a failure element: the message, then what helps to find the cause.
function failureText(step: StepResult): string {
  const lines = [step.message ?? 'failed'];
  const at = where(step);
  lines.push(`step ${step.id}: ${step.title}${at ? ` (${at})` : ''}`);
  if (step.budgetMs !== undefined) {
    lines.push(`gave up after ${formatElapsed(step.durationMs)}: ${step.attempts ?? 0} attempts within ${formatDuration(step.budgetMs)}`);
  }
  if (step.observed !== undefined) {
    const json = JSON.stringify(step.observed);
    lines.push(`last observed: ${json.length > OBSERVED_MAX ? `${json.slice(0, OBSERVED_MAX)}…` : json}`);
  }
  return lines.join('\n');
}

// What a passed step's system-out says: its convergence, its traffic.
function passedText(step: StepResult): string | undefined {
  const lines: string[] = [];
  if (step.convergenceMs !== undefined) {
    const attempts = step.attempts ?? 1;
    lines.push(
      `passed after ${formatElapsed(step.convergenceMs)} (${plural(attempts, 'attempt')}, within ${formatDuration(step.budgetMs ?? 0)})`,
    );
  }
  if (step.message) lines.push(step.message);
  return lines.length > 0 ? lines.join('\n') : undefined;
}

function testcase(lab: string, scenario: ScenarioResult, step: StepResult, attach: boolean): string {
  const children: string[] = [];
  const indent = '      ';
  if (step.status === 'failed') {
    children.push(textElement('failure', { message: step.message ?? 'failed', type: step.kind }, failureText(step), indent));
    const out: string[] = [];
    if (attach && scenario.artifacts) {
      const a = scenario.artifacts;
      out.push(a.error ? `artifacts could not be saved in ${a.dir}: ${a.error}` : `artifacts in ${a.dir}`);
      for (const file of a.files) out.push(`[[ATTACHMENT|${file}]]`);
    }
    if (out.length > 0) children.push(textElement('system-out', {}, out.join('\n'), indent));
  } else if (step.status === 'skipped') {
    children.push(element('skipped', { message: step.message ?? 'an earlier step failed' }, [], indent));
  } else {
    const text = passedText(step);
    if (text !== undefined) children.push(textElement('system-out', {}, text, indent));
  }
  const attrs = {
    name: `${step.id} ${step.title}`,
    classname: `${lab}.${scenario.name}`,
    time: seconds(step.durationMs),
    file: step.at?.file,
    line: step.at?.line,
  };
  return element('testcase', attrs, children, '    ');
}

function testsuite(result: RunResult, scenario: ScenarioResult): string {
  const steps = flattenSteps(scenario.steps);
  const counts = countSteps(scenario.steps);
  // Artifacts go with the first failure that has no failing step inside it.
  const leaf = steps.find((s) => s.status === 'failed' && !(s.steps ?? []).some((n) => n.status === 'failed'));
  const attrs = {
    name: scenario.name,
    tests: counts.total,
    failures: counts.failed,
    errors: 0,
    skipped: counts.skipped,
    time: seconds(scenario.durationMs),
    timestamp: timestamp(result.startedAt),
    file: scenario.at?.file,
  };
  return element(
    'testsuite',
    attrs,
    steps.map((s) => testcase(result.lab, scenario, s, s === leaf)),
    '  ',
  );
}

/** The whole run as a JUnit XML document. */
export function junitXml(result: RunResult): string {
  const counts = countSteps(result.scenarios.flatMap((s) => s.steps));
  const attrs = {
    name: `nvlab ${result.lab}`,
    tests: counts.total,
    failures: counts.failed,
    errors: 0,
    skipped: counts.skipped,
    time: seconds(result.durationMs),
    timestamp: timestamp(result.startedAt),
  };
  const body = element(
    'testsuites',
    attrs,
    result.scenarios.map((s) => testsuite(result, s)),
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`;
}

export const createJunitReporter = (options: ReporterOptions): Reporter => ({
  onRunEnd(result) {
    options.stream.write(junitXml(result));
  },
});
