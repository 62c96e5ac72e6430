// Counts and lists as people read them in messages: "1 tunnel", "3 tunnels", "a, b and c".

/** `n` and the noun in the right number: plural(1, 'copy', 'copies') is "1 copy". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function list(items: readonly string[], conjunction: string): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)}`;
}

/** Lists `items` as people read them: a, b and c. */
export function andList(items: readonly string[]): string {
  return list(items, 'and');
}

/** A choice among `items`: a, b or c. */
export function orList(items: readonly string[]): string {
  return list(items, 'or');
}
