// Formatting of request-body issues for the API's answers (the bodies themselves are defined in
// src/model/northbound.ts).
import type { Issue } from '../../model/index.ts';

/** Formats zod issues for people: a dotted path and the message. */
export function formatIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): Issue[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}
