// Actions: they change the lab once and are not retried. Node actions (kill … heal) and `link`
// act on the running lab; add-port, remove-port, migrate, add-node and remove-node change its
// logical configuration (and the model later steps are checked against); `sleep` waits.

import { z } from 'zod';
import { RESERVED_NAME } from '../topology/validate.ts';
import { NODE_ACTION_KINDS, type NodeAction } from './driver.ts';
import { durationSchema, formatDuration } from './duration.ts';
import { withNode, withPort, withPortOn, withoutNode, withoutPort } from './lab-model.ts';
import { MASTER_OF, kindOf } from './names.ts';
import { ACCEPT, NODE_TARGET, defineStep, nameRef, type StepDef, type ValidateContext } from './step-def.ts';
import { ENCAPS, ROLES, isUsableHost, parseCidr, parseIp, NAME_PATTERN } from '../model/index.ts';

export const NodeTargetSchema = nameRef(NODE_TARGET);
export type NodeTargetSpec = z.output<typeof NodeTargetSchema>;

export const LinkSchema = z.strictObject(
  { on: nameRef('a transport node'), state: z.enum(['up', 'down'], { error: 'up or down' }) },
  { error: '{ on: NODE, state: up | down }' },
);
export type LinkSpec = z.output<typeof LinkSchema>;

const MAC_EXPECTED = 'a unicast MAC address like 02:00:00:00:01:14';
export const AddPortSchema = z.strictObject(
  {
    switch: nameRef('a logical switch'),
    name: nameRef('a new port name'),
    on: nameRef('a hypervisor'),
    ip: z.string({ error: 'an IPv4 address inside the switch subnet' }),
    mac: z
      .string({ error: MAC_EXPECTED })
      .regex(/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/, { error: MAC_EXPECTED })
      .refine((s) => (parseInt(s.slice(0, 2), 16) & 1) === 0, { error: MAC_EXPECTED })
      .optional(),
  },
  { error: '{ switch: SWITCH, name: NAME, on: HYPERVISOR, ip: ADDRESS, mac?: MAC }' },
);
export type AddPortSpec = z.output<typeof AddPortSchema>;

export const RemovePortSchema = nameRef('a port');
export type RemovePortSpec = z.output<typeof RemovePortSchema>;

export const MigrateSchema = z.strictObject(
  { port: nameRef('a port'), to: nameRef('a hypervisor') },
  { error: '{ port: PORT, to: HYPERVISOR }' },
);
export type MigrateSpec = z.output<typeof MigrateSchema>;

export const AddNodeSchema = z.strictObject(
  {
    name: nameRef('a new transport node name'),
    role: z.enum(ROLES, { error: `a role: ${ROLES.join(', ')}` }),
    encap: z.enum(ENCAPS, { error: `an encap: ${ENCAPS.join(', ')}` }).optional(),
  },
  { error: '{ name: NAME, role: ROLE, encap?: ENCAP }' },
);
export type AddNodeSpec = z.output<typeof AddNodeSchema>;

export const RemoveNodeSchema = nameRef('a transport node');
export type RemoveNodeSpec = z.output<typeof RemoveNodeSchema>;

export const SleepSchema = durationSchema;
export type SleepSpec = z.output<typeof SleepSchema>;

// ---- node actions ----

function nodeAction(action: NodeAction): StepDef<NodeTargetSpec> {
  return defineStep<NodeTargetSpec>({
    kind: action,
    schema: NodeTargetSchema,
    title: (target) => `${action} ${target}`,
    validate(target, v) {
      v.name([], target, ACCEPT.nodeTarget);
    },
    async run(target, ctx) {
      if (!target.startsWith(MASTER_OF)) {
        await ctx.driver.node(action, target);
        return { ok: true };
      }
      const of = target.slice(MASTER_OF.length);
      const member = await ctx.driver.masterOf(of);
      if (member === undefined) return { ok: false, message: `expected a master of ${of} to ${action}; there is none` };
      await ctx.driver.node(action, member);
      return { ok: true, message: `${member} (master of ${of})`, observed: { member } };
    },
  });
}

export const NODE_ACTIONS = NODE_ACTION_KINDS.map(nodeAction);

export const link = defineStep<LinkSpec>({
  kind: 'link',
  schema: LinkSchema,
  title: (s) => `link ${s.on} ${s.state}`,
  validate(spec, v) {
    v.name(['on'], spec.on, ACCEPT.node);
  },
  async run(spec, ctx) {
    await ctx.driver.link(spec.on, spec.state);
    return { ok: true };
  },
});

// ---- logical changes ----

/** A name a step creates: valid, not reserved, not taken by anything in the lab at that point. */
function checkNewName(v: ValidateContext, path: (string | number)[], name: string, what: string): void {
  const expected = `a new ${what} name matching [a-z][a-z0-9-]{0,30}, unused in the lab`;
  if (!NAME_PATTERN.test(name)) v.issue(path, `invalid name "${name}"`, expected);
  else if (RESERVED_NAME.test(name)) v.issue(path, `"${name}" is reserved for a controller member`, expected);
  else {
    const taken = kindOf(v.model, name)?.kind ?? (v.model.networks.has(name) ? 'physical network' : undefined);
    if (taken !== undefined) v.issue(path, `"${name}" is already a ${taken === 'node' ? 'transport node' : taken} of the lab`, expected);
  }
}

function validateAddPort(spec: AddPortSpec, v: ValidateContext): void {
  checkNewName(v, ['name'], spec.name, 'port');
  v.name(['on'], spec.on, ACCEPT.hypervisor);
  if (!v.name(['switch'], spec.switch, ACCEPT.switch)) return;
  const sw = v.model.switches.get(spec.switch);
  const cidr = sw ? parseCidr(sw.subnet) : undefined;
  const ip = parseIp(spec.ip);
  if (!sw || !cidr) return;
  if (ip === undefined || !isUsableHost(cidr, ip)) {
    v.issue(
      ['ip'],
      ip === undefined ? `invalid address "${spec.ip}"` : `${spec.ip} is not a host address of ${sw.subnet}`,
      `an IPv4 address inside ${sw.subnet}`,
    );
    return;
  }
  const clash = [...v.model.ports.values()].find((p) => p.switch === spec.switch && p.ip === spec.ip);
  if (clash) v.issue(['ip'], `${spec.ip} is already ${clash.name}'s address in ${spec.switch}`, `an address unused in ${spec.switch}`);
}

export const addPort = defineStep<AddPortSpec>({
  kind: 'add-port',
  schema: AddPortSchema,
  title: (s) => `add port ${s.name} to ${s.switch} on ${s.on}`,
  validate: validateAddPort,
  apply: (s, model) =>
    withPort(model, { name: s.name, switch: s.switch, node: s.on, ip: s.ip, ...(s.mac ? { mac: s.mac.toLowerCase() } : {}) }),
  async run(s, ctx) {
    await ctx.driver.addPort({ switch: s.switch, name: s.name, on: s.on, ip: s.ip, ...(s.mac ? { mac: s.mac.toLowerCase() } : {}) });
    return { ok: true };
  },
});

export const removePort = defineStep<RemovePortSpec>({
  kind: 'remove-port',
  schema: RemovePortSchema,
  title: (name) => `remove port ${name}`,
  validate: (name, v) => void v.name([], name, ACCEPT.port),
  apply: (name, model) => withoutPort(model, name),
  async run(name, ctx) {
    await ctx.driver.removePort(name);
    return { ok: true };
  },
});

export const migrate = defineStep<MigrateSpec>({
  kind: 'migrate',
  schema: MigrateSchema,
  title: (s) => `migrate ${s.port} to ${s.to}`,
  validate(spec, v) {
    const portOk = v.name(['port'], spec.port, ACCEPT.port);
    if (v.name(['to'], spec.to, ACCEPT.hypervisor) && portOk && v.model.ports.get(spec.port)?.node === spec.to) {
      v.issue(['to'], `${spec.port} is already on ${spec.to}`, 'another hypervisor');
    }
  },
  apply: (s, model) => withPortOn(model, s.port, s.to),
  async run(s, ctx) {
    const from = ctx.model.ports.get(s.port)?.node;
    await ctx.driver.migrate(s.port, s.to);
    return { ok: true, ...(from ? { message: `from ${from}` } : {}) };
  },
});

export const addNode = defineStep<AddNodeSpec>({
  kind: 'add-node',
  schema: AddNodeSchema,
  title: (s) => `add node ${s.name} (${s.role})`,
  validate: (spec, v) => checkNewName(v, ['name'], spec.name, 'transport node'),
  apply: (s, model) => withNode(model, { name: s.name, role: s.role, encap: s.encap ?? 'geneve' }),
  async run(s, ctx) {
    await ctx.driver.addNode({ name: s.name, role: s.role, ...(s.encap ? { encap: s.encap } : {}) });
    return { ok: true };
  },
});

export const removeNode = defineStep<RemoveNodeSpec>({
  kind: 'remove-node',
  schema: RemoveNodeSchema,
  title: (name) => `remove node ${name}`,
  validate: (name, v) => void v.name([], name, ACCEPT.node),
  apply: (name, model) => withoutNode(model, name),
  async run(name, ctx) {
    await ctx.driver.removeNode(name);
    return { ok: true };
  },
});

export const sleep = defineStep<SleepSpec>({
  kind: 'sleep',
  schema: SleepSchema,
  title: (ms) => `sleep ${formatDuration(ms)}`,
  async run(ms, ctx) {
    await ctx.clock.sleep(ms, ctx.signal);
    return { ok: true };
  },
});
