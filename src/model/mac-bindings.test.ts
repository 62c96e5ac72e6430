import { describe, expect, it } from 'vitest';
import { logicalState } from './logical-state.ts';
import { MacBindingSchema } from './resources.ts';

describe('learned MAC bindings', () => {
  it('take a switch, an IPv4 address and a unicast MAC, lower-cased', () => {
    expect(MacBindingSchema.parse({ switch: 'db', ip: '192.168.20.254', mac: '0A:00:00:00:14:FE' })).toEqual({
      switch: 'db',
      ip: '192.168.20.254',
      mac: '0a:00:00:00:14:fe',
    });
    const r = MacBindingSchema.safeParse({ switch: 'DB', ip: '192.168.20.0/24', mac: 'ff:ff:ff:ff:ff:ff', port: 'x' });
    expect((r.error?.issues ?? []).map((i) => [i.path.join('.'), i.message])).toEqual([
      ['switch', 'a name matching [a-z][a-z0-9-]{0,30}'],
      ['ip', 'an IPv4 address like 10.0.1.11'],
      ['mac', 'a unicast MAC address like 02:00:00:00:01:13'],
      ['', 'Unrecognized key: "port"'],
    ]);
  });

  it('are in the logical state sorted by switch, then by address as numbers, and absent when none', () => {
    const bindings = [
      { switch: 'web', ip: '10.0.1.10', mac: '02:00:00:00:00:03' },
      { switch: 'db', ip: '192.168.20.254', mac: '02:00:00:00:00:01' },
      { switch: 'web', ip: '10.0.1.9', mac: '02:00:00:00:00:02' },
      { switch: 'web', ip: '9.0.0.1', mac: '02:00:00:00:00:04' },
    ];
    expect(logicalState([], [], [], [], [], bindings).macBindings).toEqual([
      { switch: 'db', ip: '192.168.20.254', mac: '02:00:00:00:00:01' },
      { switch: 'web', ip: '9.0.0.1', mac: '02:00:00:00:00:04' },
      { switch: 'web', ip: '10.0.1.9', mac: '02:00:00:00:00:02' },
      { switch: 'web', ip: '10.0.1.10', mac: '02:00:00:00:00:03' },
    ]);
    expect(logicalState([], [], [])).not.toHaveProperty('macBindings');
    expect(logicalState([], [], [], [], [], [])).not.toHaveProperty('macBindings');
  });
});
