// Row UUIDs as small numbers. Thousands of simulated databases hold about a million rows, each
// referenced from others: a number per row and per reference instead of a 36-character string.
// A number prints as a UUID of this process (a random prefix, the number in the last 48 bits),
// in the same order as the numbers, so sets of references sort as OVSDB sorts them. UUIDs of
// other origins (a peer naming a row that never existed) get negative numbers.

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const random = (bits: number) => Math.floor(Math.random() * 2 ** bits);

/** `xxxxxxxx-xxxx-4xxx-8xxx-`: a version-4 looking prefix, random per process. */
const PREFIX = `${hex(random(32), 8)}-${hex(random(16), 4)}-4${hex(random(12), 3)}-${hex(0x8000 | random(12), 4)}-`;
/** The all-zero UUID: OVSDB's default for a uuid column; no row has it. */
export const ZERO_ID = 0;
const ZERO = '00000000-0000-0000-0000-000000000000';

let counter = 0;
const foreign = new Map<string, number>();
const foreignNames: string[] = [];

/** A new row id, unique in this process. */
export function nextId(): number {
  return ++counter;
}

export function isUuid(text: string): boolean {
  return UUID_RE.test(text);
}

/** The UUID text of an id. */
export function formatUuid(id: number): string {
  if (id > 0) return PREFIX + hex(id, 12);
  if (id === ZERO_ID) return ZERO;
  return foreignNames[-id - 1]!;
}

/** The id of a UUID text (validated by the caller with isUuid). */
export function parseUuid(text: string): number {
  const lower = text.toLowerCase();
  if (lower.startsWith(PREFIX)) return parseInt(lower.slice(PREFIX.length), 16);
  if (lower === ZERO) return ZERO_ID;
  let id = foreign.get(lower);
  if (id === undefined) {
    foreignNames.push(lower);
    id = -foreignNames.length;
    foreign.set(lower, id);
  }
  return id;
}
