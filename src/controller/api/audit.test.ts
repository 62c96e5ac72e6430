import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditFile, type AuditEntry } from './audit.ts';

describe('the audit log file', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('appends one JSON line per entry, in a file only root reads (its directory made when missing)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nvlab-audit-'));
    dirs.push(dir);
    const path = join(dir, 'log', 'audit.log');
    const entry = (status: number): AuditEntry => ({
      time: new Date(0).toISOString(),
      member: 'ctrl1',
      who: { holder: 'owner', address: '10.0.0.1', client: 'cli' },
      method: 'DELETE',
      path: '/api/v1/logical-ports/web1',
      status,
    });
    const first = auditFile(path);
    first(entry(204));
    await first.close();
    // A member restarted appends to what is there.
    const second = auditFile(path);
    second(entry(404));
    await second.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.map((l) => (l ? (JSON.parse(l) as AuditEntry).status : l))).toEqual([204, 404, '']);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });
});
