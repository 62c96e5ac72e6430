import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cookieKind, isPipelineGroup } from '../ids.ts';
import { GROUP_SLOTS, LAYOUT, PIPELINE_TABLES, SLOTTED_GROUP_KINDS, Table, type StageLayout } from '../layout.ts';
import { benchLab, distributedLab, factsOf, gatewayLab, routerLab, serviceLab, smallLab } from '../test-fixtures.ts';
import { nodeContext, STAGES } from './index.ts';
import type { LogicalState } from '../../../model/index.ts';

const rows = Object.values(LAYOUT) as StageLayout[];
const labs: [string, LogicalState][] = [
  ['small', smallLab()],
  ['service nodes', serviceLab()],
  ['routers', routerLab()],
  ['distributed routers', distributedLab()],
  ['L2 gateways', gatewayLab()],
  ['bench', benchLab()],
];

describe('the stages and their layout', () => {
  it('run in the order of the layout, one stage per row', () => {
    expect(STAGES.map((s) => s.layout)).toEqual(rows);
  });

  it('write only the tables, priorities, cookie kinds and group kinds their row declares', () => {
    for (const [, logical] of labs) {
      for (const { name } of logical.nodes) {
        const node = nodeContext(logical, name, factsOf(logical, name));
        for (const { layout, build } of STAGES) {
          const { flows, groups } = build(node);
          const kinds = Object.values(layout.groups).flatMap((k) =>
            SLOTTED_GROUP_KINDS.includes(k) ? Array.from({ length: GROUP_SLOTS }, (_, s) => k + s) : [k],
          );
          for (const f of flows) {
            expect(layout.writes, `${layout.name} on ${name}`).toContain(f.tableId);
            expect(layout.priorities, `${layout.name} on ${name}`).toContain(f.priority);
            expect(Object.values(layout.cookies), `${layout.name} on ${name}`).toContain(cookieKind(f.cookie));
          }
          for (const g of groups) expect(kinds, `${layout.name} on ${name}`).toContain(g.groupId >>> 24);
          if (layout.reserved) expect([...flows, ...groups]).toEqual([]);
        }
      }
    }
  });

  it('give every table, cookie kind and group kind to one stage only', () => {
    const once = (values: number[]) => expect(new Set(values).size).toBe(values.length);
    once(rows.flatMap((r) => Object.values(r.tables)));
    once(rows.flatMap((r) => Object.values(r.cookies)));
    once(rows.flatMap((r) => Object.values(r.groups)));
    // A stage writes into its own tables and earlier stages' only.
    rows.forEach((r, i) => {
      const known = rows.slice(0, i + 1).flatMap((x) => Object.values(x.tables));
      for (const t of r.writes) expect(known, r.name).toContain(t);
    });
  });

  it('own tables 0, 1, 5-8, 10, 20, 30 and 50-52 (the learned table is left alone), and the group kinds of the stages', () => {
    expect(PIPELINE_TABLES).toEqual([0, 1, 5, 6, 7, 8, 10, 20, 30, 50, 51, 52]);
    expect(Table).toEqual({
      CLASSIFY: 0,
      PORT_SECURITY: 1,
      ACL_OUT: 5,
      ACL_OUT_DECIDE: 6,
      ACL_IN: 7,
      ACL_IN_DECIDE: 8,
      L2: 10,
      FLOOD: 20,
      REPLICATE: 30,
      LEARNED: 40,
      ROUTE: 50,
      TO_GATEWAY: 51,
      RESOLVE_OUT: 52,
    });
    const owned = Array.from({ length: 256 }, (_, k) => k).filter((k) => isPipelineGroup(k * 0x01000000 + 1));
    expect(owned).toEqual([0, 1, 2, 3, ...Array.from({ length: 32 }, (_, i) => 0x10 + i), 0x30, 0x31]);
  });

  it('are listed in the README in this order', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('## Stages'), readme.indexOf('## Tables'));
    const listed = [...table.matchAll(/^\| \d+ \| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    expect(listed).toEqual(rows.map((r) => r.name));
  });
});
