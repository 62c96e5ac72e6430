import { describe, expect, it } from 'vitest';
import { NvlabError } from '../util/errors.ts';
import { TopologyError, formatIssue, formatPath } from './issues.ts';

describe('issues', () => {
  it('formats an issue as file:line:column: path: message (expected …)', () => {
    const issue = {
      file: 'lab.yaml',
      line: 12,
      column: 7,
      path: ['logical-routers', 'edge', 'uplink', 'gateways', 1],
      message: 'bad',
      expected: 'good',
    };
    expect(formatIssue(issue)).toBe('lab.yaml:12:7: logical-routers.edge.uplink.gateways[1]: bad (expected good)');
    expect(formatIssue({ file: 'x', line: 1, column: 1, path: [], message: 'the file is empty' })).toBe('x:1:1: the file is empty');
    expect(formatPath([])).toBe('');
  });

  it('is an NvlabError with a code, exit code 2 and every issue', () => {
    const issues = [{ file: 'x', line: 1, column: 1, path: ['name'], message: 'missing key "name"' }];
    const err = new TopologyError('x', issues);
    expect(err).toBeInstanceOf(NvlabError);
    expect(err).toMatchObject({ code: 'INVALID_TOPOLOGY', exitCode: 2, name: 'TopologyError', issues });
    expect(err.message).toBe('x: 1 problem\nx:1:1: name: missing key "name"');
  });
});
