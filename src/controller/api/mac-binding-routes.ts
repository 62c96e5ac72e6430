// Learned MAC bindings through the northbound API: the list every member's pipeline routes with,
// and forgetting one (a binding gone stale: the next ARP reply to a router learns it again).
// The members learn them (store/mac-bindings.ts); the API creates none.
import { ipv4Schema, listOf, MAC_BINDINGS_PATH, MacBindingSchema, nameSchema } from '../../model/index.ts';
import { NotFoundError } from '../store/index.ts';
import type { ComponentSpec, RouteSpec } from './routes.ts';
import { NO_QUORUM_RESPONSE } from './errors.ts';

export const MAC_BINDING_COMPONENTS: Record<string, ComponentSpec> = {
  MacBinding: { schema: MacBindingSchema, io: 'output' },
  MacBindingList: { schema: listOf(MacBindingSchema), io: 'output' },
};

export const MAC_BINDING_ROUTES: RouteSpec[] = [
  {
    method: 'GET',
    path: MAC_BINDINGS_PATH,
    operationId: 'listMacBindings',
    summary: 'The addresses the distributed routers learned from ARP replies (hosts no logical port has), by switch then address',
    tag: 'mac-bindings',
    responses: { 200: ['Every learned binding, by switch then address', 'MacBindingList'] },
    handle: (ctx) => ({ status: 200, body: { items: ctx.store.macBindings() } }),
  },
  {
    method: 'DELETE',
    path: `${MAC_BINDINGS_PATH}/{switch}/{ip}`,
    operationId: 'deleteMacBinding',
    summary: 'Forget a learned binding (the routers learn it again from the next ARP reply)',
    tag: 'mac-bindings',
    responses: {
      204: ['Forgotten'],
      404: ['No binding of that address on that switch', 'Error'],
      503: NO_QUORUM_RESPONSE,
    },
    handle: async (ctx) => {
      const sw = ctx.params.switch ?? '';
      const ip = ctx.params.ip ?? '';
      // What could not name a binding is not sent to the store (see existingName in resource-routes.ts).
      if (!nameSchema.safeParse(sw).success || !ipv4Schema.safeParse(ip).success) throw new NotFoundError('MAC binding', `${sw}/${ip}`);
      await ctx.store.forgetMacBinding(sw, ip);
      return { status: 204 };
    },
  },
];
