// The MAC bindings the distributed routers learned, through the northbound API: list them, and
// forget one (the routers learn it again from the next ARP reply). The API creates none.
import { listOf, MAC_BINDINGS_PATH, MacBindingSchema, type MacBinding } from '../model/index.ts';
import { NO_BODY, outcomeOf, type Outcome } from './outcomes.ts';
import type { Transport } from './transport.ts';

export interface MacBindingClient {
  /** Every learned binding, by switch then address. */
  list(): Promise<Outcome<MacBinding[]>>;
  /** Forgets the binding of `ip` on switch `sw` (not-found when there is none; a DELETE retried
   *  after an answer of unknown outcome that then meets 404 counts as done). */
  delete(sw: string, ip: string): Promise<Outcome<undefined>>;
}

const items = listOf(MacBindingSchema).transform((list) => list.items);

export function macBindingClient(t: Transport): MacBindingClient {
  return {
    list: async () => outcomeOf('GET', MAC_BINDINGS_PATH, await t.exchange('GET', MAC_BINDINGS_PATH), 'ok', items),
    delete: async (sw, ip) => {
      const path = `${MAC_BINDINGS_PATH}/${encodeURIComponent(sw)}/${encodeURIComponent(ip)}`;
      return outcomeOf('DELETE', path, await t.exchange('DELETE', path), 'ok', NO_BODY);
    },
  };
}
